// Loaded with NODE_OPTIONS=--import into the action's process: records its peak RSS (KiB) at exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () =>
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)),
);
