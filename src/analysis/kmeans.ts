/**
 * Spherical k-means on unit-length sparse vectors (TF-IDF texts): each point joins the centroid
 * with the largest cosine; a centroid is its members' normalised sum. Seeded k-means++ start:
 * the first centre is drawn uniformly, each next one with probability ∝ (1 − best cosine)
 * ("distance" for unit vectors). Ties go to the lower cluster index, so a seed gives one answer.
 */
import { Rng } from '../common/rng.js';
import { addInto, dot, normalised, type SparseVector } from './tfidf-vectors.js';

const MAX_ITERATIONS = 25;

export interface Clustering {
  /** Cluster of each point (0..k−1). */
  assignment: number[];
  centroids: Map<string, number>[];
}

function nearest(v: SparseVector, centroids: readonly SparseVector[]): [number, number] {
  let best = 0;
  let score = -Infinity;
  centroids.forEach((c, i) => {
    const s = dot(v, c);
    if (s > score) [best, score] = [i, s];
  });
  return [best, score];
}

/** k clusters of `points` (fewer when there are fewer distinct points), started from `rng`. */
export function sphericalKMeans(points: readonly SparseVector[], k: number, rng: Rng): Clustering {
  if (points.length === 0 || k <= 0) return { assignment: points.map(() => 0), centroids: [] };
  const centres: SparseVector[] = [points[rng.int(points.length)]!];
  while (centres.length < Math.min(k, points.length)) {
    const weights = points.map((p) => Math.max(0, 1 - nearest(p, centres)[1]));
    const total = weights.reduce((a, b) => a + b, 0);
    if (total <= 1e-12) break; // every point sits on a centre already
    let r = rng.next() * total;
    let pick = weights.length - 1;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0 && weights[i]! > 0) {
        pick = i;
        break;
      }
    }
    centres.push(points[pick]!);
  }
  let centroids: Map<string, number>[] = centres.map((c) => new Map(c));
  let assignment = points.map((p) => nearest(p, centroids)[0]);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    const sums = centroids.map(() => new Map<string, number>());
    points.forEach((p, i) => addInto(sums[assignment[i]!]!, p));
    // An emptied cluster keeps its old centre.
    centroids = sums.map((s, c) => (s.size > 0 ? normalised(s) : centroids[c]!));
    const next = points.map((p) => nearest(p, centroids)[0]);
    const moved = next.some((c, i) => c !== assignment[i]);
    assignment = next;
    if (!moved) break;
  }
  return { assignment, centroids };
}
