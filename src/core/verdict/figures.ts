/** The figures a backend returned, by the names it declares; absent when it did not. */
export type Figures = Record<string, number>;

/** The values a figure can take; anything else is a backend answer the gate cannot trust. */
export interface FigureDomain {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Said when a value falls outside, e.g. `a fraction from 0 to 1`. */
  described: string;
}

/** A figure a backend returns: how it is named, shown and bounded. Its name is also an output. */
export interface FigureSpec {
  /** The output name and the key in a verdict's figures, as its backend declares it. */
  name: string;
  label: string;
  unit?: string;
  domain: FigureDomain;
  description: string;
  /**
   * For a rate: the figure that counts the trials behind it (a pass rate's trace count). Where
   * the rate times that count is a whole number, the passes are known, and repeats pool them.
   */
  trials?: string;
  /**
   * The count that weighs this figure when verdicts of different sizes are pooled (a score over
   * the traces behind it): shards of 1000 traces and of 3 must not count alike. A rate's
   * `trials` weighs it already.
   */
  weightedBy?: string;
  /** How much of the evaluation ran, in percent: the one figure a run without a verdict still shows (its shortfall is why). */
  coverage?: boolean;
}

/** Domains most figures have. */
export const DOMAINS = {
  count: { min: 0, integer: true, described: 'a whole number of at least 0' },
  fraction: { min: 0, max: 1, described: 'a fraction from 0 to 1' },
  percentage: { min: 0, max: 100, described: 'a percentage from 0 to 100' },
  finite: { described: 'a finite number' },
} satisfies Record<string, FigureDomain>;

/** The figures whose values fall outside their domain, each as `pass rate 72 (not a fraction from 0 to 1)`; an undeclared figure is one too. */
export function figuresOutOfDomain(figures: Figures, specs: readonly FigureSpec[]): string[] {
  return Object.entries(figures).flatMap(([name, value]) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec) return [`${name} (not a figure this backend declares)`];
    if (inDomain(value, spec.domain)) return [];
    return [
      `${spec.label.toLowerCase()} ${Number.isFinite(value) ? formatFigure(spec, value) : String(value)} (not ${spec.domain.described})`,
    ];
  });
}

function inDomain(value: number, domain: FigureDomain): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (domain.integer && !Number.isInteger(value)) return false;
  return (
    (domain.min === undefined || value >= domain.min) &&
    (domain.max === undefined || value <= domain.max)
  );
}

/** A number at most four decimals long, without float noise: `0.92`, `-0.06`, `91`. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/**
 * A threshold's limit as the user gave it, with its unit: never rounded, so a \`max_cost\` of
 * 0.00005 is not shown as 0.0001 (or 0), nor a \`max_cost\` of 0.03299 as 0.033.
 */
export function formatLimit(spec: Pick<FigureSpec, 'unit'> | undefined, limit: number): string {
  return `${String(limit)}${spec?.unit ?? ''}`;
}

/**
 * A figure beside its limit: four decimals as {@link formatNumber}, or as many more as it takes
 * for the figure shown to stand on the same side of the limit as the figure itself (a cost of
 * 0.00012 against 0.00011 is not "0.0001 > 0.00011").
 */
export function formatAgainst(
  spec: Pick<FigureSpec, 'unit'> | undefined,
  value: number | undefined,
  limit: number,
): string {
  if (value === undefined || !Number.isFinite(value) || !Number.isFinite(limit))
    return formatFigure(spec, value);
  const side = Math.sign(value - limit);
  let digits = 4;
  while (digits < 15 && Math.sign(Number(value.toFixed(digits)) - limit) !== side) digits++;
  const shown = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(digits)));
  return `${shown}${spec?.unit ?? ''}`;
}

/** A figure's value with its unit (`66.7%`), or `—` when the backend did not return it. */
export function formatFigure(
  spec: Pick<FigureSpec, 'unit'> | undefined,
  value: number | undefined,
): string {
  return value === undefined ? '—' : `${formatNumber(value)}${spec?.unit ?? ''}`;
}
