import { describe, expect, it } from 'vitest';
import { codeSpan, escapeText, safeUrl } from '../../../src/core/render/escape.js';
import { renderVerdict } from '../../../src/core/render/markdown.js';
import { sampleVerdict } from '../../support/verdict.js';
import { ENGINES, mentions, render } from '../../support/render.js';

const verdict = sampleVerdict;

describe.each(ENGINES)('escapeText, as GitHub renders it (%s)', (engine) => {
  const seen = (input: string) => render(escapeText(input), engine);

  it.each([
    ['<img src=x onerror=alert(1)>'],
    ['<script>alert(1)</script>'],
    ['[click](https://evil.example)'],
    ['![pixel](https://evil.example/p.png)'],
    ['<https://evil.example>'],
    ['bare https://evil.example and www.evil.example and mail me@evil.example'],
    ['**bold** `code` ~~gone~~ _em_'],
    ['# heading? + list? - item 1. ordered'],
  ])('%j renders as the same text, with no element and no link', (input) => {
    const rendered = seen(input);
    expect(rendered.text.replaceAll('\u200d', '').trim()).toBe(input);
    expect([...rendered.elements]).toEqual(['p']);
    expect(rendered.links).toEqual([]);
  });

  it("shows an apostrophe, quotes and entities as written (the gate's reason)", () => {
    expect(seen('the gate\'s check & "quotes"').text.trim()).toBe('the gate\'s check & "quotes"');
    // An entity from a backend is shown as text, not decoded into the character it names.
    expect(seen('&#64;admin &lt;b&gt;').text.replaceAll('\u200d', '').trim()).toBe(
      '&#64;admin &lt;b&gt;',
    );
  });

  it('breaks @mentions and #references the way GitHub honours, after decoding', () => {
    for (const input of ['ping @octocat and @org/team', '&#64;octocat', 'see #12']) {
      const rendered = seen(input);
      expect(mentions(rendered)).toEqual([]);
      expect(rendered.text).not.toMatch(/#\d/);
    }
    expect(seen('ping @octocat').text.trim()).toBe('ping @\u200doctocat');
  });

  it('puts a UUID (a run id) in one code span, whole, and drops the controls that reorder what a reader sees', () => {
    const { text, html } = seen('CI run 8dd23b1a-2c96-47f5-9797-26a18bc1a332 timed out');
    expect(html).toContain('<code>8dd23b1a-2c96-47f5-9797-26a18bc1a332</code>');
    expect(text.trim()).toBe('CI run 8dd23b1a-2c96-47f5-9797-26a18bc1a332 timed out');
    const reordered = seen('judge \u202egnissim\u202c and \u2066x\u2069 and \u0085next');
    expect(reordered.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0085]/);
    expect(reordered.text.trim()).toBe('judge gnissim and x and next');
  });

  it('breaks GH-123 and owner/repo#12, and puts commit ids in code, where GitHub links nothing and a copied id is whole', () => {
    for (const input of [
      'fixed in GH-123 and gh-7',
      'see octo-org/octo-repo#12',
      'regressed at 0123abc and at 0123456789abcdef0123456789abcdef01234567',
      'deadbeef1',
    ]) {
      const { text, html } = seen(input);
      expect(text, input).not.toMatch(/\bGH-\d/i);
      expect(text, input).not.toMatch(/[\w.-]+\/[\w.-]+#\d/);
      // Outside code, no commit id is left for GitHub to link; inside code, each is whole.
      expect(html.replace(/<code>[0-9a-f]{7,40}<\/code>/gi, ''), input).not.toMatch(
        /\b[0-9a-f]{7,40}\b/i,
      );
      expect(text, input).not.toMatch(/[0-9a-f]\u200d[0-9a-f]/i);
      // A reader sees the text as written.
      expect(text.replaceAll('\u200d', '').trim(), input).toBe(input);
    }
    // Six hex digits and 41 are not commit ids; they are left whole.
    expect(seen('cafe12 and ' + 'a'.repeat(41)).text.trim()).toBe('cafe12 and ' + 'a'.repeat(41));
  });

  it('keeps a table row whole whatever the cell holds', () => {
    const rendered = render(
      ['| Tool | Failures |', '| --- | --- |', `| ${escapeText('a | b\n| c')} | 3 |`].join('\n'),
      engine,
    );
    expect(rendered.rows).toEqual([
      ['Tool', 'Failures'],
      ['a | b | c', '3'],
    ]);
  });

  it.each([
    ['- item'],
    ['+ item'],
    ['* item'],
    ['1. ordered'],
    ['12) ordered'],
    ['> quoted'],
    ['## heading'],
    ['==='],
    ['---'],
    ['&amp; &#64; <b>bold</b> <!-- hidden -->'],
  ])('%j at the start of a paragraph or a list item stays text', (input) => {
    for (const body of [escapeText(input), `- ${escapeText(input)}`]) {
      const rendered = render(body, engine);
      expect(rendered.text.replaceAll('\u200d', '').trim(), body).toBe(input.trim());
      expect([...rendered.elements], body).toEqual(body.startsWith('- ') ? ['ul', 'li'] : ['p']);
    }
  });

  it('escapes only where a character would mean something: the file reads as the rendered text', () => {
    expect(escapeText('pass rate 0.72 < 0.85 (--min-pass-rate).')).toBe(
      'pass rate 0.72 < 0.85 (--min-pass-rate).',
    );
    expect(escapeText('the gate\'s check & "quotes"!')).toBe('the gate\'s check & "quotes"!');
  });

  it('cuts long text', () => {
    expect(escapeText('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('safeUrl', () => {
  it('keeps http(s) links and drops every other scheme', () => {
    expect(safeUrl('https://app.sepurux.dev/runs/1')).toBe('https://app.sepurux.dev/runs/1');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,hi')).toBeUndefined();
    expect(safeUrl('https://x.test/a)b')).toBe('https://x.test/a%29b');
  });
});

describe('renderVerdict', () => {
  it('lists the top failing tools up to the budget and counts the rest', () => {
    const tools = Array.from({ length: 5000 }, (_, i) => ({
      tool: `<b>tool-${i}</b> | @admin`,
      count: 5000 - i,
    }));
    const rendered = render(
      renderVerdict(verdict({ topFailingTools: tools }), {
        title: 'Gate',
        mode: 'hard',
        maxTools: 10,
        maxChars: 65_000,
      }),
    );
    const toolRows = rendered.rows.filter((row) => row.length === 2);
    expect(toolRows[0]).toEqual(['Tool', 'Failures']);
    expect(toolRows[1]).toEqual(['<b>tool-0</b> | @\u200dadmin', '5000']);
    expect(toolRows.at(-1)).toEqual(['and 4990 more', '']);
    expect(rendered.elements.has('b')).toBe(false);
    expect(mentions(rendered)).toEqual([]);
  });

  it('stays within the size limit however long the content', () => {
    const tools = Array.from({ length: 200 }, (_, i) => ({ tool: 'y'.repeat(200) + i, count: i }));
    const body = renderVerdict(verdict({ topFailingTools: tools }), {
      title: 'Gate',
      mode: 'hard',
      maxTools: 200,
      maxChars: 5_000,
      footer: '<!-- marker -->',
    });
    expect(body.length).toBeLessThanOrEqual(5_000);
    expect(body.endsWith('<!-- marker -->')).toBe(true);
    expect(body).toContain('cut to fit');
  });

  it("shows the gate's own reason with its quoted input names as code, and units with figures", () => {
    const body = renderVerdict(
      verdict({
        reason:
          "Sepurux said pass, but the gate's own check fails: scenario coverage 90% < 100% (`min_coverage`).",
        figures: { scenario_coverage_pct: 90 },
        thresholds: [
          {
            input: 'min_coverage',
            figure: 'scenario_coverage_pct',
            label: 'Scenario coverage',
            unit: '%',
            comparator: '>=',
            limit: 100,
            breaks: 'fail',
            actual: 90,
            holds: false,
          },
        ],
      }),
      { title: 'Gate', mode: 'hard', maxTools: 5, maxChars: 10_000 },
    );
    const rendered = render(body);
    // The input's name is code, as in the threshold's row, not text between literal backticks;
    // the file itself reads as the rendered text does, with no backslash before `.`, `<` or `(`.
    expect(rendered.text).toContain(
      "Sepurux said pass, but the gate's own check fails: scenario coverage 90% < 100% (min_coverage).",
    );
    expect(rendered.html).toContain('<code>min_coverage</code>');
    expect(body).toContain(
      "Sepurux said pass, but the gate's own check fails: scenario coverage 90% < 100% (`min_coverage`).",
    );
    expect(rendered.rows).toContainEqual([
      '❌',
      'Scenario coverage',
      '90%',
      '≥ 100% (min_coverage)',
    ]);
  });

  it('says when a failing verdict does not block', () => {
    expect(
      renderVerdict(verdict(), { title: 'Gate', mode: 'soft', maxTools: 5, maxChars: 10_000 }),
    ).toContain('not blocking; a human should look');
    expect(
      renderVerdict(verdict(), { title: 'Gate', mode: 'hard', maxTools: 5, maxChars: 10_000 }),
    ).not.toContain('not blocking');
  });
});

describe('codeSpan', () => {
  it('keeps ids readable and cannot be broken out of', () => {
    expect(codeSpan('4ce7b1bc-abd8')).toBe('`4ce7b1bc-abd8`');
    expect(codeSpan('a`b\nc')).toBe('`a b c`');
  });
});
