/**
 * The release, run by .github/workflows/release.yml on a version tag (`v1.4.0`), and by hand
 * with `--dry-run` to see what it would do:
 *
 *   node --import tsx/esm scripts/release.ts check v1.4.0     # the tag names package.json's version
 *   node --import tsx/esm scripts/release.ts notes v1.4.0     # the CHANGELOG section, for the release notes
 *   node --import tsx/esm scripts/release.ts major v1.4.0     # the moving major tag: v1
 *
 * Each prints one result on stdout, or one sentence on stderr and exits 1: a release without
 * notes, or whose tag and package version disagree, is not made.
 */
import { readFileSync } from 'node:fs';

/** `v1.4.0` → `1.4.0`; anything but a plain semver tag is refused (a pre-release is not a release of the major line). */
export function versionOf(tag: string): string {
  const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!match)
    throw new Error(`"${tag}" is not a release tag: write v<major>.<minor>.<patch>, e.g. v1.4.0.`);
  return `${match[1]}.${match[2]}.${match[3]}`;
}

/** The moving tag of the tag's major line: `v1.4.0` → `v1`. */
export function majorTag(tag: string): string {
  return `v${versionOf(tag).split('.')[0]}`;
}

/** Throws unless `tag` names `packageVersion`: the npm package and the action release together. */
export function checkVersion(tag: string, packageVersion: string): void {
  const version = versionOf(tag);
  if (version !== packageVersion)
    throw new Error(
      `Tag ${tag} names version ${version}, but package.json says ${packageVersion}: bump package.json (npm version ${version} --no-git-tag-version) and tag again.`,
    );
}

/**
 * The CHANGELOG section of `tag`'s version (a heading `## 1.4.0`, `## v1.4.0` or `## [1.4.0]`,
 * any date after it), without its heading. Missing or empty: the release has no notes.
 */
export function releaseNotes(changelog: string, tag: string): string {
  const version = versionOf(tag).replaceAll('.', '\\.');
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^## \\[?v?${version}\\]?(\\s|$)`).test(line));
  if (start < 0)
    throw new Error(
      `CHANGELOG.md has no section "## ${versionOf(tag)}": rename "## Unreleased" to it (with the date) before tagging.`,
    );
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  if (!body)
    throw new Error(`CHANGELOG.md's section for ${versionOf(tag)} is empty: say what changed.`);
  return body;
}

function main(argv: string[]): void {
  const [command, tag] = argv;
  if (!tag || !['check', 'notes', 'major'].includes(command ?? ''))
    throw new Error('usage: release.ts check|notes|major vX.Y.Z');
  if (command === 'check') {
    checkVersion(
      tag,
      (
        JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
          version: string;
        }
      ).version,
    );
    process.stdout.write(`${tag} is package.json's version\n`);
  } else if (command === 'notes') {
    process.stdout.write(
      `${releaseNotes(readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8'), tag)}\n`,
    );
  } else {
    process.stdout.write(`${majorTag(tag)}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`release: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
