import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ROOT, STAMP, sourceHash } from '../../scripts/source-hash.js';

/**
 * Before any test: the end-to-end tests run dist/index.js, so a dist/ built from other sources
 * than src/ now would test yesterday's action. Rebuild it then (and say so).
 */
export default function distIsFresh(): void {
  const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (built === sourceHash()) return;
  console.log(
    'dist/ was built from other sources than src/ now: rebuilding it before the tests (npm run build).',
  );
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (readFileSync(STAMP, 'utf8').trim() !== sourceHash())
    throw new Error('dist/ is still stale after `npm run build`.');
}
