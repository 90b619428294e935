/** Two-sided 95 % quantile of Student's t with `df` degrees of freedom. */
export function t95(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  return df < 1 ? Number.NaN : (table[df - 1] ?? 1.96 + 2.4 / df);
}

/**
 * Mean and 95 % interval (t-based; the mean itself when there is one value). With `range`, the
 * values a metric can take (a count ≥ 0, a share in 0..1), the interval is clipped to it: with
 * a few seeds a t-interval of counts easily reaches below zero, where no run can be.
 */
export function meanInterval(values: readonly number[], range?: readonly [number, number]): { n: number; mean: number; lo: number; hi: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, lo: mean, hi: mean };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = t95(n - 1) * (sd / Math.sqrt(n));
  const [min, max] = range ?? [-Infinity, Infinity];
  return { n, mean, lo: Math.max(min, mean - half), hi: Math.min(max, mean + half) };
}
