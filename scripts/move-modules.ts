/**
 * Moves modules and rewrites every relative import of them (src/, test/, scripts/, bench/):
 *   node --import tsx/esm scripts/move-modules.ts            # moves what is still at an old path, rewrites imports
 * Re-runnable: after a merge brings files that import old paths, it rewrites those too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { MOVES } from './module-moves.js';

const root = resolve(import.meta.dirname, '..');
const abs = (p: string) => resolve(root, p);
const moves = new Map(Object.entries(MOVES).map(([from, to]) => [abs(from), abs(to)]));
const movedFrom = new Map<string, string>(); // new path → old path, for files moved in this run

for (const [from, to] of moves) {
  if (!existsSync(from)) continue;
  execFileSync('mkdir', ['-p', dirname(to)]);
  execFileSync('git', ['mv', from, to], { cwd: root });
  movedFrom.set(to, from);
}

const files = execFileSync(
  'git',
  ['ls-files', '-co', '--exclude-standard', 'src', 'test', 'scripts', 'bench'],
  { cwd: root, encoding: 'utf8' },
)
  .split('\n')
  .filter((f) => /\.(ts|js|mjs)$/.test(f) && existsSync(abs(f)))
  .map(abs);

const specifier =
  /((?:from|import|mock|importOriginal<typeof import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
let changed = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const oldDir = dirname(movedFrom.get(file) ?? file);
  const next = text.replace(specifier, (whole, lead: string, quote: string, spec: string) => {
    const target = resolve(oldDir, spec).replace(/\.js$/, '.ts');
    const moved = moves.get(target);
    const now = moved ?? target;
    if (!moved && !movedFrom.has(file)) return whole;
    if (!existsSync(now)) return whole;
    let rel = relative(dirname(file), now).replace(/\.ts$/, spec.endsWith('.js') ? '.js' : '');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${lead}${quote}${rel}${quote}`;
  });
  if (next !== text) {
    writeFileSync(file, next);
    changed++;
  }
}
console.log(`${movedFrom.size} files moved, ${changed} files' imports rewritten`);
