import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Folders a test makes in `$TMPDIR` (traces, certificates, runner files, a sparse 300 MiB
 * file, a named pipe): each is registered when it is made and removed after its test file,
 * passed or failed, by the setup file `test/setup/remove-scratch-dirs.ts`, and at the latest
 * when the process exits.
 */
const made: string[] = [];
// Registered once, when the module loads: 'exit' handlers run synchronously, as rmSync does.
process.once('exit', () => removeScratchDirs());

/**
 * A new empty folder under `$TMPDIR`, removed after the test file that made it; at the latest
 * when the process exits, so that a script built on these helpers (the demo, the bench, a
 * harness of one's own around `runAction`) that never calls {@link removeScratchDirs} leaves
 * nothing behind either.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gate-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder {@link scratchDir} made in this process so far. */
export function removeScratchDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
