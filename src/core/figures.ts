import type { Figures } from './verdict.js';

/** The values a figure can take; anything else is a backend answer the gate cannot trust. */
export interface FigureDomain {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Said when a value falls outside, e.g. `a fraction from 0 to 1`. */
  described: string;
}

/** How a figure is named and shown, in reports and in reasons, and the values it can take. */
export interface FigureInfo {
  label: string;
  unit?: string;
  domain: FigureDomain;
}

const COUNT: FigureDomain = { min: 0, integer: true, described: 'a whole number of at least 0' };
const FINITE: FigureDomain = { described: 'a finite number' };

/** How each figure is named, shown and bounded. */
export const FIGURES: Record<keyof Figures, FigureInfo> = {
  pass_rate: { label: 'Pass rate', domain: { min: 0, max: 1, described: 'a fraction from 0 to 1' } },
  unsafe_attempts: { label: 'Unsafe attempts', domain: COUNT },
  failures: { label: 'Failures', domain: COUNT },
  reliability_score: { label: 'Reliability score', domain: { min: 0, max: 100, described: 'a score from 0 to 100' } },
  trace_count: { label: 'Traces', domain: COUNT },
  scenario_coverage_pct: { label: 'Scenario coverage', unit: '%', domain: { min: 0, max: 100, described: 'a percentage from 0 to 100' } },
  mean_score: { label: 'Mean score', domain: FINITE },
  mean_delta: { label: 'Mean delta vs baseline', domain: FINITE },
};

/** The figures whose values fall outside their domain, each as `pass rate 72 (a fraction from 0 to 1)`. */
export function figuresOutOfDomain(figures: Figures): string[] {
  return (Object.entries(figures) as [keyof Figures, number][])
    .filter(([figure, value]) => !inDomain(value, FIGURES[figure].domain))
    .map(([figure, value]) => `${FIGURES[figure].label.toLowerCase()} ${Number.isFinite(value) ? formatFigure(figure, value) : String(value)} (not ${FIGURES[figure].domain.described})`);
}

function inDomain(value: number, domain: FigureDomain): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (domain.integer && !Number.isInteger(value)) return false;
  return (domain.min === undefined || value >= domain.min) && (domain.max === undefined || value <= domain.max);
}

/** A number at most four decimals long, without float noise: `0.92`, `-0.06`, `91`. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/** A figure's value with its unit (`66.7%`), or `—` when the backend did not return it. */
export function formatFigure(figure: keyof Figures, value: number | undefined): string {
  return value === undefined ? '—' : `${formatNumber(value)}${FIGURES[figure].unit ?? ''}`;
}
