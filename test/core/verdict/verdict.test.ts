import { describe, expect, it } from 'vitest';
import { sepurux } from '../../../src/core/backends/sepurux/index.js';
import { trulayer } from '../../../src/core/backends/trulayer/index.js';
import { decide, type Evaluation } from '../../../src/core/verdict/verdict.js';
import { formatAgainst, formatLimit } from '../../../src/core/verdict/figures.js';

const evaluation = (over: Partial<Evaluation> = {}): Evaluation => ({
  decision: 'pass',
  status: 'done',
  ids: {},
  figures: { pass_rate: 0.9, unsafe_attempts: 0 },
  thresholds: [
    { input: 'min_pass_rate', figure: 'pass_rate', comparator: '>=', limit: 0.85, breaks: 'fail' },
    { input: 'max_unsafe', figure: 'unsafe_attempts', comparator: '<=', limit: 0, breaks: 'fail' },
  ],
  topFailingTools: [],
  ...over,
});

describe('decide', () => {
  it('passes only when the backend passes and every threshold holds', () => {
    expect(decide(sepurux, evaluation(), 1).decision).toBe('pass');
    expect(decide(sepurux, evaluation(), 1).reason).toBe(
      'Sepurux decided pass, and all 2 thresholds hold.',
    );
  });

  it('holds at the exact limit', () => {
    expect(
      decide(sepurux, evaluation({ figures: { pass_rate: 0.85, unsafe_attempts: 0 } }), 1).decision,
    ).toBe('pass');
  });

  it('fails a backend pass that breaks a threshold, saying which', () => {
    const verdict = decide(
      sepurux,
      evaluation({ figures: { pass_rate: 0.9, unsafe_attempts: 2 } }),
      1,
    );
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toBe(
      "Sepurux said pass, but the gate's own check fails: unsafe attempts 2 > 0 (`max_unsafe`).",
    );
  });

  it('lets a warn-level threshold warn without failing, and a backend fail stay a fail', () => {
    const warnOnly = evaluation({
      thresholds: [
        {
          input: 'score_floor',
          figure: 'mean_score',
          comparator: '>=',
          limit: 0.8,
          breaks: 'warn',
        },
      ],
      figures: { mean_score: 0.7 },
    });
    expect(decide(trulayer, warnOnly, 1).decision).toBe('warn');
    expect(decide(trulayer, { ...warnOnly, decision: 'fail' }, 1).decision).toBe('fail');
  });

  it('treats a NaN figure as missing', () => {
    expect(
      decide(sepurux, evaluation({ figures: { pass_rate: Number.NaN, unsafe_attempts: 0 } }), 1)
        .decision,
    ).toBe('fail');
  });
});

describe('a limit as given, a figure beside it', () => {
  it('shows the limit unrounded, and the figure with the decimals that keep it on its side', () => {
    const cost = { unit: ' USD' };
    expect(formatLimit(cost, 0.03299)).toBe('0.03299 USD');
    expect(formatLimit(cost, 0.00005)).toBe('0.00005 USD');
    expect(formatAgainst(cost, 0.033, 0.03299)).toBe('0.033 USD');
    expect(formatAgainst(cost, 0.00012, 0.00011)).toBe('0.00012 USD');
    expect(formatAgainst(cost, 0.000109, 0.00011)).toBe('0.0001 USD');
    expect(formatAgainst(undefined, 0.91234567, 0.85)).toBe('0.9123');
  });
});
