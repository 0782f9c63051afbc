// Percentiles for the benches' markdown tables.

/** The p-quantile (0..1) of `values` by the nearest-rank method; NaN when there are none. */
export function quantile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  return [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
}

/** The `n | p50 | p95 | p99` cells of a table row. */
export function percentileCells(values: number[], digits: number): string {
  return [values.length, ...[0.5, 0.95, 0.99].map((p) => quantile(values, p).toFixed(digits))].join(' | ');
}
