/**
 * Distances between two samples, as the literature on simulated-vs-human behaviour uses them:
 * - Jensen–Shannon divergence of two histograms over the same bins, in bits (log base 2), so it
 *   lies in [0, 1]: JSD(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q) / 2, with 0 · log 0 = 0;
 * - the two-sample Kolmogorov–Smirnov statistic D = sup_x |F_a(x) − F_b(x)| of the empirical
 *   CDFs;
 * - the area under the ROC curve of scores for two classes, by the Mann–Whitney count (a tie
 *   counts ½): the probability that a random positive scores above a random negative.
 */

/** Counts of `values` in bins: bin i holds edges[i] ≤ v < edges[i+1]; below the first edge goes to bin 0, from the last edge on to the last bin. NaN is skipped. */
export function histogram(values: Iterable<number>, edges: readonly number[]): number[] {
  const bins = new Array<number>(Math.max(1, edges.length - 1)).fill(0);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    let i = 0;
    while (i < bins.length - 1 && v >= edges[i + 1]!) i++;
    bins[i]!++;
  }
  return bins;
}

/** Jensen–Shannon divergence (bits) of two histograms of counts over the same bins; NaN when either is empty. */
export function jensenShannon(a: readonly number[], b: readonly number[]): number {
  const sa = a.reduce((s, x) => s + x, 0);
  const sb = b.reduce((s, x) => s + x, 0);
  if (sa === 0 || sb === 0) return Number.NaN;
  let js = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const p = (a[i] ?? 0) / sa;
    const q = (b[i] ?? 0) / sb;
    const m = (p + q) / 2;
    if (p > 0) js += 0.5 * p * Math.log2(p / m);
    if (q > 0) js += 0.5 * q * Math.log2(q / m);
  }
  return Math.min(1, Math.max(0, js));
}

/** Two-sample Kolmogorov–Smirnov statistic; NaN when either sample is empty. */
export function ksDistance(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) return Number.NaN;
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** ROC AUC of `scores` with `positive[i]` the class of score i; NaN without both classes. */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const order = scores.map((s, i) => i).sort((p, q) => scores[p]! - scores[q]!);
  let pos = 0;
  let neg = 0;
  let rankSum = 0;
  // Average ranks over ties (1-based), then the Mann–Whitney U of the positives.
  for (let k = 0; k < order.length; ) {
    let end = k;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[k]!]) end++;
    const rank = (k + end + 2) / 2;
    for (let t = k; t <= end; t++) {
      if (positive[order[t]!]) {
        pos++;
        rankSum += rank;
      } else neg++;
    }
    k = end + 1;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
