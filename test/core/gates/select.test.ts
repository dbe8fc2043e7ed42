import { describe, expect, it } from 'vitest';
import { globProblem, pathMatcher, selectEntries } from '../../../src/core/gates/select.js';

const config = (path = '.github/reliability-gates.yml') => [{ path, what: 'the config file' }];

const entries = [
  { name: 'support', paths: ['agents/support/**', '!agents/support/**/*.md'] },
  { name: 'always', paths: [] },
  { name: 'not-docs', paths: ['!docs/**'] },
  { name: 'dots', paths: ['agents/*/config/**'] },
];

describe('which entries a change reaches', () => {
  it('matches globs with picomatch: `**` any folders, dot files included, `!` excluding', () => {
    const support = pathMatcher(entries[0]!.paths);
    expect(support('agents/support/tools.py')).toBe(true);
    expect(support('agents/support/deep/er/tools.py')).toBe(true);
    expect(support('agents/support/.env.example')).toBe(true);
    expect(support('./agents/support/tools.py')).toBe(true);
    expect(support('agents/support/notes/README.md')).toBe(false);
    expect(support('agents/supporting/tools.py')).toBe(false);
    // Only exclusions: every other path.
    const notDocs = pathMatcher(['!docs/**']);
    expect(notDocs('src/a.ts')).toBe(true);
    expect(notDocs('docs/a.md')).toBe(false);
    expect(pathMatcher(['agents/*/config/**'])('agents/x/.config/a')).toBe(false);
    expect(pathMatcher(['agents/*/config/**'])('agents/.x/config/a')).toBe(true);
  });

  it('runs the entries a changed file matches, and those without paths', () => {
    const { selected, selection } = selectEntries(
      entries,
      {
        files: ['docs/guide.md', 'agents/support/README.md'],
        source: 'the 2 files pull request #1 changes',
      },
      config(),
    );
    expect(selected.map((s) => [s.name, s.ran])).toEqual([
      ['support', false],
      ['always', true],
      ['not-docs', true],
      ['dots', false],
    ]);
    expect(selected[1]?.why).toBe('it has no `paths`: it always runs');
    expect(selected[2]?.why).toBe('`agents/support/README.md` changed');
    expect(selected[0]?.why).toBe('every changed file under its paths is excluded by a `!` glob');
    expect(selection).toBe('2 of 4 gates ran, chosen by the 2 files pull request #1 changes.');
  });

  it('names three changed files at most, and counts the rest', () => {
    const { selected } = selectEntries(
      [{ name: 'a', paths: ['**'] }],
      { files: ['a', 'b', 'c', 'd', 'e'], source: 'five files' },
      config('x.yml'),
    );
    expect(selected[0]?.why).toBe('`a`, `b`, `c` and 2 more changed');
  });

  it('runs every entry when the config file changed, or when the door cannot tell', () => {
    const changed = selectEntries(
      entries,
      { files: ['.github/reliability-gates.yml'], source: 'the 1 file' },
      config(),
    );
    expect(changed.selected.every((s) => s.ran)).toBe(true);
    expect(changed.selection).toContain(
      '`.github/reliability-gates.yml` (the config file) is among the 1 file',
    );
    const unknown = selectEntries(entries, { all: 'on `push` every gate runs' }, config('x.yml'));
    expect(unknown.selected.every((s) => s.ran && s.why === 'on `push` every gate runs')).toBe(
      true,
    );
    expect(unknown.selection).toBe('Every gate ran: on `push` every gate runs.');
  });

  it('reads a folder as CODEOWNERS users write it: `dir/`, `dir`, `/dir/**` and `./dir/**` all reach a file under it', () => {
    for (const glob of [
      'agents/support/',
      'agents/support',
      '/agents/support/**',
      './agents/support/**',
    ])
      expect(pathMatcher([glob])('agents/support/tools/lookup.py'), glob).toBe(true);
    expect(pathMatcher(['agents/support'])('agents/supporting/a.py')).toBe(false);
    expect(pathMatcher(['README.md'])('README.md')).toBe(true);
    // Without a `/` before its end, a glob matches at any depth, as in CODEOWNERS; a leading `/` roots it.
    expect(pathMatcher(['*.py'])('agents/support/tools.py')).toBe(true);
    expect(pathMatcher(['README.md'])('agents/support/README.md')).toBe(true);
    expect(pathMatcher(['prompts/'])('agents/support/prompts/a.md')).toBe(true);
    expect(pathMatcher(['/README.md'])('agents/support/README.md')).toBe(false);
    expect(pathMatcher(['**', '!*.md'])('agents/support/notes.md')).toBe(false);
  });

  it('reads a folder named with wildcards as the folder and everything under it, but `docs/*` one level (CODEOWNERS)', () => {
    const file = 'agents/support/prompts/system.md';
    for (const glob of [
      '**/prompts',
      'agents/*/prompts',
      'agents/{support,billing}',
      'agents/sup*',
      'prompts',
    ])
      expect(pathMatcher([glob])(file), glob).toBe(true);
    expect(pathMatcher(['agents/{billing,refunds}'])(file)).toBe(false);
    expect(pathMatcher(['**/prompts'])('agents/support/prompts-old/a.md')).toBe(false);
    // CODEOWNERS' one exception: a last name of `*` alone is the files directly in the folder.
    expect(pathMatcher(['docs/*'])('docs/a.md')).toBe(true);
    expect(pathMatcher(['docs/*'])('docs/a/b.md')).toBe(false);
    expect(pathMatcher(['agents/*/prompts/*'])(file)).toBe(true);
    expect(pathMatcher(['agents/*/prompts/*'])('agents/support/prompts/v2/system.md')).toBe(false);
    // A star escaped is a name: a folder named `*`, with what is under it.
    expect(pathMatcher(['docs/\\*'])('docs/*/a.md')).toBe(true);
    // `!` reads folders alike: the folder and everything under it is excluded, `!docs/*` one level.
    expect(pathMatcher(['agents/**', '!**/prompts'])(file)).toBe(false);
    expect(pathMatcher(['agents/**', '!agents/{support,billing}'])(file)).toBe(false);
    expect(pathMatcher(['agents/**', '!agents/*/prompts'])('agents/support/tools.py')).toBe(true);
    expect(pathMatcher(['docs/**', '!docs/*'])('docs/a.md')).toBe(false);
    expect(pathMatcher(['docs/**', '!docs/*'])('docs/a/b.md')).toBe(true);
  });

  it('runs every entry for a changed name no glob is sure to match, or a config file seen from another folder', () => {
    const odd = selectEntries(
      entries,
      { files: ['agents/support/tools\n/refund.py'], source: 'one file' },
      config('x.yml'),
    );
    expect(odd.selected.every((s) => s.ran)).toBe(true);
    expect(odd.selection).toContain('line break or a control character');
    const nested = selectEntries(
      entries,
      { files: ['.github/reliability-gates.yml'], source: 'one file' },
      config('repo/.github/reliability-gates.yml'),
    );
    expect(nested.selected.every((s) => s.ran)).toBe(true);
    const sub = selectEntries(
      entries,
      { files: ['services/bot/gates.yml'], source: 'one file' },
      config('gates.yml'),
    );
    expect(sub.selected.every((s) => s.ran)).toBe(true);
  });

  it('reads Next.js folders literally, names in composed form, and refuses a glob it cannot match for sure', () => {
    expect(pathMatcher(['app/(shop)/'])('app/(shop)/checkout/page.tsx')).toBe(true);
    expect(pathMatcher(['app/[id]'])('app/[id]/page.tsx')).toBe(true);
    expect(pathMatcher(['app/[id]/**'])('app/i/page.tsx')).toBe(false);
    expect(pathMatcher(['docs/\\*.md'])('docs/*.md')).toBe(true);
    // A name from macOS may come decomposed: é as e and a combining accent.
    expect(pathMatcher(['agents/café/**'])('agents/cafe\u0301/prompt.md')).toBe(true);
    expect(pathMatcher(['agents/cafe\u0301/**'])('agents/café/prompt.md')).toBe(true);
    for (const glob of ['!', '/', 'agents\\support\\**', 'agents/*a*a*b/**', '*/*/*/*'])
      expect(globProblem(glob), glob).toBeDefined();
    for (const glob of ['agents/**/*.md', '!agents/**/*.md', 'app/(shop)/', 'packages/*/src/**'])
      expect(globProblem(glob), glob).toBeUndefined();
  });

  it('refuses a glob no listed path can match, saying what to write instead', () => {
    // GitHub and git list paths normalized, from the root: such a glob would leave its entry out forever.
    const refused: [string, string][] = [
      [
        'agents//support',
        'has an empty folder name (`//`), which no changed path holds; write `agents/support`',
      ],
      ['!agents//support/', 'write `!agents/support/`'],
      ['agents/./support', 'has a `.` folder name, which no changed path holds'],
      ['agents/./support', 'write `agents/support`'],
      ['agents/support/../billing', 'has a `..` folder name'],
      ['agents/support/../billing', 'write `agents/billing`'],
      ['../billing', "write the path from the repository's root"],
      [
        'agents/{support}',
        'has `{support}`, one alternative, which picomatch reads as the name `{support}`; write `support`, or add another alternative',
      ],
      ['agents/{}/x', 'has `{}`, no alternative'],
    ];
    for (const [glob, said] of refused) {
      expect(globProblem(glob), glob).toContain(`\`${glob}\` `);
      expect(globProblem(glob), glob).toContain(said);
      // Today's matcher proves the point: the glob matches none of the paths it seems to mean.
      expect(
        ['agents/support/prompt.md', 'agents/billing/prompt.md'].some(
          pathMatcher([glob.replace(/^!/, '')]),
        ),
        glob,
      ).toBe(false);
    }
    for (const glob of ['agents/{support,billing}', 'agents/{1..3}', 'agents/\\{support\\}'])
      expect(globProblem(glob), glob).toBeUndefined();
  });

  it('reads a leading `/` or `./` as the repository root, as CODEOWNERS reads `/docs`', () => {
    for (const glob of ['/docs', './docs', '/docs/', './agents/support']) {
      expect(globProblem(glob), glob).toBeUndefined();
      const matches = pathMatcher([glob]);
      expect(matches(glob.includes('agents') ? 'agents/support/a.md' : 'docs/a.md'), glob).toBe(
        true,
      );
      // Anchored: the same folder deeper is not it.
      expect(matches(glob.includes('agents') ? 'x/agents/support/a.md' : 'x/docs/a.md'), glob).toBe(
        false,
      );
    }
    // Without the `/`, a single name matches at any depth, as in CODEOWNERS.
    expect(pathMatcher(['docs'])('x/docs/a.md')).toBe(true);
  });

  it('runs every entry when the workflow changed, and an entry when its own trace file did', () => {
    const definitions = [
      ...config(),
      { path: '.github/workflows/gates.yml', what: 'the workflow that runs this step' },
    ];
    const workflow = selectEntries(
      entries,
      { files: ['.github/workflows/gates.yml'], source: 'one file' },
      definitions,
    );
    expect(workflow.selected.every((s) => s.ran)).toBe(true);
    expect(workflow.selection).toContain(
      '`.github/workflows/gates.yml` (the workflow that runs this step)',
    );
    const trace = selectEntries(
      [
        { name: 'support', paths: ['agents/support/**'], files: ['traces/support.json'] },
        { name: 'other', paths: ['x/**'] },
      ],
      { files: ['traces/support.json'], source: 'one file' },
      definitions,
    );
    expect(trace.selected.map((s) => [s.ran, s.why])).toEqual([
      [true, 'its own `traces/support.json` changed'],
      [false, 'no changed file is under its paths'],
    ]);
    const excluded = selectEntries(
      [entries[0]!],
      { files: ['agents/support/README.md'], source: 'one file' },
      definitions,
    );
    expect(excluded.selected[0]?.why).toBe(
      'every changed file under its paths is excluded by a `!` glob',
    );
    // A folder of step definitions: any workflow or local action, one of which may hold the step.
    const folders = [
      ...definitions,
      { path: '.github/actions/', what: 'a local action, which may hold this step' },
    ];
    const action = selectEntries(
      entries,
      { files: ['.github/actions/gate/action.yml'], source: 'one file' },
      folders,
    );
    expect(action.selected.every((s) => s.ran)).toBe(true);
    expect(action.selection).toContain(
      '`.github/actions/gate/action.yml` (a local action, which may hold this step)',
    );
    expect(pathMatcher(['agents/(support|billing)/**'])('agents/(support|billing)/a.md')).toBe(
      true,
    );
    const long = selectEntries(
      entries,
      { files: [`agents/${'a'.repeat(1100)}`], source: 'one file' },
      definitions,
    );
    expect(long.selected.every((s) => s.ran)).toBe(true);
  });
});
