import { describe, expect, it } from 'vitest';
import { codeSpan, escapeText, safeUrl } from '../../src/reporters/escape.js';
import { renderVerdict } from '../../src/reporters/markdown.js';
import type { Verdict } from '../../src/verdict.js';

const verdict = (over: Partial<Verdict> = {}): Verdict => ({
  decision: 'fail',
  reason: 'Sepurux decided fail.',
  outcome: 'evaluated',
  backend: 'Sepurux',
  ids: { run_id: 'r1' },
  figures: { pass_rate: 0.5 },
  thresholds: [],
  topFailingTools: [],
  durationMs: 1234,
  ...over,
});

describe('escapeText', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
    ['[click](https://evil.example)', '\\[click\\]\\(https:&#47;&#47;evil\\.example\\)'],
    ['![pixel](https://evil.example/p.png)', '\\!\\[pixel\\]\\(https:&#47;&#47;evil\\.example/p\\.png\\)'],
    ['ping @octocat and @org/team', 'ping &#64;octocat and &#64;org/team'],
    ['a | b\n| c', 'a \\| b \\| c'],
    ['**bold** `code`', '\\*\\*bold\\*\\* \\`code\\`'],
  ])('neutralises %j', (input, expected) => {
    expect(escapeText(input)).toBe(expected);
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
    const tools = Array.from({ length: 5000 }, (_, i) => ({ tool: `<b>tool-${i}</b> | @admin`, count: 5000 - i }));
    const body = renderVerdict(verdict({ topFailingTools: tools }), { title: 'Gate', mode: 'hard', maxTools: 10, maxChars: 65_000 });
    expect(body).toContain('| &lt;b&gt;tool\\-0&lt;/b&gt; \\| &#64;admin | 5000 |');
    expect(body).toContain('| *and 4990 more* | |');
    expect(body).not.toMatch(/<b>|@admin/);
  });

  it('stays within the size limit however long the content', () => {
    const tools = Array.from({ length: 200 }, (_, i) => ({ tool: 'y'.repeat(200) + i, count: i }));
    const body = renderVerdict(verdict({ topFailingTools: tools }), { title: 'Gate', mode: 'hard', maxTools: 200, maxChars: 5_000, footer: '<!-- marker -->' });
    expect(body.length).toBeLessThanOrEqual(5_000);
    expect(body.endsWith('<!-- marker -->')).toBe(true);
    expect(body).toContain('cut to fit');
  });

  it('shows the gate\'s own reason without escaped backticks, and units with figures', () => {
    const body = renderVerdict(
      verdict({
        reason: 'Sepurux said pass, but the gate\'s own check fails: scenario coverage 90% < 100% (`min_coverage`).',
        figures: { scenario_coverage_pct: 90 },
        thresholds: [{ input: 'min_coverage', figure: 'scenario_coverage_pct', comparator: '>=', limit: 100, breaks: 'fail', actual: 90, holds: false }],
      }),
      { title: 'Gate', mode: 'hard', maxTools: 5, maxChars: 10_000 },
    );
    expect(body).toContain('\\(min\\_coverage\\)');
    expect(body).not.toContain('\\`');
    expect(body).toContain('| ❌ | Scenario coverage | 90% | ≥ 100% (`min_coverage`) |');
  });

  it('says when a failing verdict does not block', () => {
    expect(renderVerdict(verdict(), { title: 'Gate', mode: 'soft', maxTools: 5, maxChars: 10_000 })).toContain('not blocking; a human should look');
    expect(renderVerdict(verdict(), { title: 'Gate', mode: 'hard', maxTools: 5, maxChars: 10_000 })).not.toContain('not blocking');
  });
});

describe('codeSpan', () => {
  it('keeps ids readable and cannot be broken out of', () => {
    expect(codeSpan('4ce7b1bc-abd8')).toBe('`4ce7b1bc-abd8`');
    expect(codeSpan('a`b\nc')).toBe('`a b c`');
  });
});
