import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/source-hash.js';

/**
 * The Node major `package.json`'s `engines.node` (`>=N`) asks for. The tests need it: jsdom
 * (read by the Mermaid tests) and gitlab-ci-local fail at import on older lines.
 */
export function requiredNodeMajor(packageJson = join(ROOT, 'package.json')): number {
  const engines = (
    JSON.parse(readFileSync(packageJson, 'utf8')) as { engines?: { node?: unknown } }
  ).engines?.node;
  const major = typeof engines === 'string' ? /^>=\s*(\d+)/.exec(engines)?.[1] : undefined;
  if (!major)
    throw new Error(
      `package.json's engines.node should read ">=N", not ${JSON.stringify(engines)}`,
    );
  return Number(major);
}

/** The one line `npm test` stops with on a Node older than `required`; undefined on one new enough. */
export function tooOld(version: string, required: number): string | undefined {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
  if (major >= required) return undefined;
  return `The tests need Node ${required} or later; this is Node ${version.replace(/^v/, '')}. Install Node 24 (.node-version; e.g. \`fnm use\`, \`mise install\` or \`nvm install 24\`) and run npm test again.`;
}

/**
 * Before anything else (a rebuild of dist/ included): on a Node older than package.json's
 * engines, stop at once with one line saying which Node the tests need and how to get it,
 * rather than crash test files at import.
 */
export default function nodeVersion(): void {
  const line = tooOld(process.version, requiredNodeMajor());
  if (!line) return;
  console.error(line);
  process.exit(1);
}
