/**
 * Best-first selection of a few posts out of many by dot product: the last stage of every
 * learned recommender, and most of its cost (users × posts × factors multiply-adds).
 * Two things keep it in seconds at 10k users × 20k posts in plain JavaScript:
 * - a register block: four users against two posts at a time, each loaded value used 4×;
 * - exact pruning: posts are visited in chunks by decreasing vector norm, and a block of
 *   users stops as soon as, for each of them, the k-th best score so far beats the
 *   Cauchy–Schwarz bound ‖u‖·‖v‖ (+ the largest bias left) of every post still unvisited.
 *   Learned vectors of engaged posts are long, so the best posts tend to come early.
 */

import { TopK } from '../../common/top-k.js';

/** The posts one can score: vectors gathered contiguously, with post and author ids. */
export interface ScoringPool {
  readonly postIds: Int32Array;
  readonly authors: Int32Array;
  /** postIds.length × dim. */
  readonly vectors: Float32Array;
  /** Added to each post's score (multvae's output bias); absent = 0. */
  readonly bias?: Float32Array;
}

/** Whether a user may not be shown a post: its own, or one it already liked or reposted. */
export type Excluded = (user: number, postId: number, authorId: number) => boolean;

/** Posts scored between two pruning checks. */
const CHUNK = 256;

/** Post ids of the k best-scoring pool posts per user, best first; ties to the higher post id. */
export function rankByDot(userIds: Int32Array, userVecs: Float32Array, pool: ScoringPool, dim: number, k: number, excluded: Excluded): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (pool.postIds.length === 0 || k <= 0) return out;
  const sorted = byNorm(pool, dim);
  const P = sorted.postIds.length;
  const scores = new Float32Array(4 * CHUNK);
  const heaps = Array.from({ length: 4 }, () => new TopK(Math.min(k, P)));
  const userNorm = new Float64Array(4);
  for (let u0 = 0; u0 < userIds.length; u0 += 4) {
    const block = Math.min(4, userIds.length - u0);
    for (let b = 0; b < block; b++) {
      heaps[b]!.clear();
      userNorm[b] = norm(userVecs, (u0 + b) * dim, dim);
    }
    for (let c = 0; c < P; c += CHUNK) {
      if (c > 0 && blockDone(heaps, block, userNorm, sorted.norms[c]!, sorted.biasBound[c]!)) break;
      const len = Math.min(CHUNK, P - c);
      scoreBlock(userVecs, u0, block, sorted.vectors.subarray(c * dim, (c + len) * dim), len, dim, scores);
      for (let b = 0; b < block; b++) {
        const user = userIds[u0 + b]!;
        const s = scores.subarray(b * len, b * len + len);
        if (sorted.bias) for (let i = 0; i < len; i++) s[i]! += sorted.bias[c + i]!;
        offerChunk(heaps[b]!, s, c, sorted, user, excluded);
      }
    }
    for (let b = 0; b < block; b++) out.set(userIds[u0 + b]!, heaps[b]!.drain().map((i) => sorted.postIds[i]!));
  }
  return out;
}

/**
 * Offers `best` the chunk's scores as pool positions base + j, ties to the higher post id. A
 * post is checked against the exclusion rule only when it would enter, so the set lookups
 * cost about O(k log P) per user instead of O(P).
 */
function offerChunk(best: TopK, scores: Float32Array, base: number, pool: ScoringPool, user: number, excluded: Excluded): void {
  for (let j = 0; j < scores.length; j++) {
    const s = scores[j]!;
    if (s < best.floor) continue;
    const i = base + j;
    const id = pool.postIds[i]!;
    if (best.rejects(s, id) || excluded(user, id, pool.authors[i]!)) continue;
    best.offer(i, s, id);
  }
}

/** Whether no post from a chunk on, of norm ≤ `itemNorm` and bias ≤ `bias`, can enter any heap of the block. */
function blockDone(heaps: readonly TopK[], block: number, userNorm: Float64Array, itemNorm: number, bias: number): boolean {
  for (let b = 0; b < block; b++) {
    const bound = userNorm[b]! * itemNorm + bias;
    // A margin for the float32 rounding of stored scores; ties must still be visited.
    if (!(heaps[b]!.floor > bound + 1e-6 * Math.abs(bound) + 1e-12)) return false;
  }
  return true;
}

interface SortedPool extends ScoringPool {
  /** Vector norms, non-increasing. */
  readonly norms: Float64Array;
  /** biasBound[c] = the largest bias at positions ≥ c (0 without biases). */
  readonly biasBound: Float64Array;
}

function norm(a: Float32Array, at: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[at + d]! * a[at + d]!;
  return Math.sqrt(s);
}

/** The pool reordered by decreasing vector norm (ties by post id, for a stable order). */
function byNorm(pool: ScoringPool, dim: number): SortedPool {
  const P = pool.postIds.length;
  const norms0 = Float64Array.from({ length: P }, (_, i) => norm(pool.vectors, i * dim, dim));
  const order = Array.from({ length: P }, (_, i) => i).sort((a, b) => norms0[b]! - norms0[a]! || pool.postIds[a]! - pool.postIds[b]!);
  const vectors = new Float32Array(P * dim);
  order.forEach((i, r) => vectors.set(pool.vectors.subarray(i * dim, i * dim + dim), r * dim));
  const bias = pool.bias ? Float32Array.from(order, (i) => pool.bias![i]!) : undefined;
  const biasBound = new Float64Array(P + 1);
  biasBound[P] = bias ? -Infinity : 0;
  for (let r = P - 1; r >= 0; r--) biasBound[r] = bias ? Math.max(biasBound[r + 1]!, bias[r]!) : 0;
  const sorted = {
    postIds: Int32Array.from(order, (i) => pool.postIds[i]!),
    authors: Int32Array.from(order, (i) => pool.authors[i]!),
    vectors,
    norms: Float64Array.from(order, (i) => norms0[i]!),
    biasBound,
  };
  return bias ? { ...sorted, bias } : sorted;
}

/** scores[b·P + i] = userVecs[u0 + b] · items[i] for b < block (≤ 4). */
export function scoreBlock(U: Float32Array, u0: number, block: number, V: Float32Array, P: number, dim: number, scores: Float32Array): void {
  // Missing users of a short last block repeat the first one; their scores are ignored.
  const o0 = u0 * dim;
  const o1 = (block > 1 ? u0 + 1 : u0) * dim;
  const o2 = (block > 2 ? u0 + 2 : u0) * dim;
  const o3 = (block > 3 ? u0 + 3 : u0) * dim;
  const P2 = P & ~1;
  for (let i = 0; i < P2; i += 2) {
    const p = i * dim;
    const q = p + dim;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    for (let d = 0; d < dim; d++) {
      const x = V[p + d]!;
      const y = V[q + d]!;
      const w0 = U[o0 + d]!;
      const w1 = U[o1 + d]!;
      const w2 = U[o2 + d]!;
      const w3 = U[o3 + d]!;
      a0 += w0 * x;
      a1 += w1 * x;
      a2 += w2 * x;
      a3 += w3 * x;
      b0 += w0 * y;
      b1 += w1 * y;
      b2 += w2 * y;
      b3 += w3 * y;
    }
    scores[i] = a0;
    scores[P + i] = a1;
    scores[2 * P + i] = a2;
    scores[3 * P + i] = a3;
    scores[i + 1] = b0;
    scores[P + i + 1] = b1;
    scores[2 * P + i + 1] = b2;
    scores[3 * P + i + 1] = b3;
  }
  if (P2 < P) {
    const p = P2 * dim;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let d = 0; d < dim; d++) {
      const x = V[p + d]!;
      a0 += U[o0 + d]! * x;
      a1 += U[o1 + d]! * x;
      a2 += U[o2 + d]! * x;
      a3 += U[o3 + d]! * x;
    }
    scores[P2] = a0;
    scores[P + P2] = a1;
    scores[2 * P + P2] = a2;
    scores[3 * P + P2] = a3;
  }
}
