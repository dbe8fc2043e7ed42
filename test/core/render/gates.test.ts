import { describe, expect, it } from 'vitest';
import { combineEntries } from '../../../src/core/gates/combine.js';
import type { GateEntryResult } from '../../../src/core/gates/types.js';
import { renderJUnit } from '../../../src/core/render/junit.js';
import { renderVerdict } from '../../../src/core/render/markdown.js';
import type { Verdict } from '../../../src/core/verdict/verdict.js';
import { ENGINES, render } from '../../support/render.js';
import { sampleVerdict } from '../../support/verdict.js';

const tools = Array.from({ length: 40 }, (_, i) => ({ tool: `tool.number_${i}`, count: 40 - i }));
const entry = (
  i: number,
  ran: boolean,
  decision: Verdict['decision'] = 'pass',
): GateEntryResult<Verdict> => ({
  name: `agent-${i}`,
  paths: [`agents/${i}/**`],
  ran,
  why: ran ? `\`agents/${i}/a.md\` changed` : 'no changed file is under its paths',
  ...(ran
    ? {
        verdict: sampleVerdict({
          decision,
          reason: `Sepurux decided ${decision}.`,
          topFailingTools: decision === 'fail' ? tools : [],
        }),
      }
    : {}),
});

const body = (verdict: Verdict, maxChars = 65_000) =>
  renderVerdict(verdict, { title: 'Reliability gates', mode: 'hard', maxTools: 10, maxChars });

describe('the body of many gates', () => {
  it('reads failing entries first, in the table and the sections, within the limit for 50 entries', () => {
    const entries = Array.from({ length: 50 }, (_, i) =>
      entry(i, i < 45, i % 7 === 6 ? 'fail' : 'pass'),
    );
    const verdict = combineEntries(entries, {
      config: 'g.yml',
      selection: '45 of 50 gates ran, chosen by a change.',
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toMatch(
      /^6 of the 45 gates that ran failed: `agent-6` \(Sepurux decided fail\); `agent-13`/,
    );
    expect(verdict.reason).toContain('and 1 more; 5 not affected.');
    const markdown = body(verdict);
    expect(markdown.length).toBeLessThanOrEqual(65_000);
    for (const engine of ENGINES) {
      const page = render(markdown, engine);
      const gateRows = page.rows.filter((row) => /^agent-\d+$/.test(row[1] ?? ''));
      expect(gateRows).toHaveLength(45);
      expect(gateRows.slice(0, 6).every((row) => row[0] === '❌')).toBe(true);
      expect(gateRows[0]).toEqual([
        '❌',
        'agent-6',
        'agents/6/a.md changed',
        'Sepurux decided fail.',
      ]);
      const sections = [...page.html.matchAll(/<h3>(✅|❌) (agent-\d+): (pass|fail)<\/h3>/g)];
      expect(sections.slice(0, 6).map((m) => m[1])).toEqual(Array(6).fill('❌'));
      expect(page.text).toContain('Not affected (5; not evaluated, not counted as passing)');
    }
  });

  it('leaves sections out, said, rather than the rows, when the page is small', () => {
    const entries = Array.from({ length: 10 }, (_, i) => entry(i, true, i < 3 ? 'fail' : 'pass'));
    const markdown = body(
      combineEntries(entries, { config: 'g.yml', selection: 'All ran.' }),
      3_000,
    );
    expect(markdown.length).toBeLessThanOrEqual(3_000);
    const page = render(markdown);
    expect(page.rows.filter((row) => /^agent-\d+$/.test(row[1] ?? ''))).toHaveLength(10);
    expect(page.text).toMatch(/\d+ more sections? (are|is) left out to fit the size limit/);
    expect(page.html).toContain('<h3>❌ agent-0: fail</h3>');
  });

  it('shows a changed file a pull request names as code, never as markdown', () => {
    const hostile = {
      ...entry(1, true),
      why: '`[x](https://evil.example)<img src=x>@octocat` changed',
    };
    const page = render(body(combineEntries([hostile], { config: 'g.yml', selection: 'x' })));
    expect(page.links.filter((link) => link.includes('evil'))).toEqual([]);
    expect(page.elements.has('img')).toBe(false);
    expect(page.html).toContain('<code>[x](https://evil.example)&lt;img src=x&gt;@octocat</code>');
  });

  it("shows the input names an entry's reason quotes as code, as the single gate's reason does", () => {
    const failing = entry(1, true, 'fail');
    failing.verdict = { ...failing.verdict!, reason: 'pass rate 0.72 < 0.85 (`min_pass_rate`).' };
    const page = render(body(combineEntries([failing], { config: 'g.yml', selection: 'x' })));
    expect(page.html).toContain('pass rate 0.72 &lt; 0.85 (<code>min_pass_rate</code>)');
    expect(page.text).not.toContain('`min_pass_rate`');
  });

  it('says "no gate affected" when none ran, and passes', () => {
    const verdict = combineEntries([entry(1, false), entry(2, false)], {
      config: 'g.yml',
      selection: '0 of 2 gates ran.',
    });
    expect(verdict).toMatchObject({ decision: 'pass', outcome: 'evaluated' });
    expect(verdict.reason).toMatch(/^No gate affected/);
    const xml = renderJUnit(verdict, 'Reliability gates');
    expect(xml).toContain(
      '<testsuite name="Reliability gates / agent-1" tests="1" failures="0" errors="0" skipped="1"',
    );
    expect(xml).toContain('<skipped message="not affected: no changed file is under its paths"/>');
  });

  it('says once why every entry ran when all ran for one reason, without a column repeating it', () => {
    const why = 'on push every gate runs, so that each has a verdict on the branch';
    const entries = [0, 1].map((i) => ({ ...entry(i, true), why }));
    const verdict = combineEntries(entries, {
      config: 'g.yml',
      selection: `Every gate ran: ${why}.`,
    });
    for (const engine of ENGINES) {
      const page = render(body(verdict), engine);
      expect(page.rows[0]).toEqual(['', 'Gate', 'Reason']);
      expect(page.text.split(why).length - 1).toBe(1);
    }
  });
});
