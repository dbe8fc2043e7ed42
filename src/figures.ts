import type { Figures } from './verdict.js';

/** How each figure is named and shown, in reports and in reasons. */
export const FIGURES: Record<keyof Figures, { label: string; unit?: string }> = {
  pass_rate: { label: 'Pass rate' },
  unsafe_attempts: { label: 'Unsafe attempts' },
  failures: { label: 'Failures' },
  reliability_score: { label: 'Reliability score' },
  trace_count: { label: 'Traces' },
  scenario_coverage_pct: { label: 'Scenario coverage', unit: '%' },
  mean_score: { label: 'Mean score' },
  mean_delta: { label: 'Mean delta vs baseline' },
};

/** A number at most four decimals long, without float noise: `0.92`, `-0.06`, `91`. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/** A figure's value with its unit (`66.7%`), or `—` when the backend did not return it. */
export function formatFigure(figure: keyof Figures, value: number | undefined): string {
  return value === undefined ? '—' : `${formatNumber(value)}${FIGURES[figure].unit ?? ''}`;
}
