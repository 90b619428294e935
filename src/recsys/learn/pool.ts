import type { ChannelSnapshot, PostView } from '../../channel/snapshot.js';
import { itemDegree, type InteractionIndex } from './interaction-index.js';
import type { ScoringPool } from './rank.js';

/**
 * How many candidates the learned models score per refresh: users × pool × factors
 * multiply-adds is most of a refresh, so the pool is capped at POOL_BUDGET / users (20,000 at
 * 10k users, about 5 s; all 100k candidates would take close to a minute in plain
 * JavaScript). Beyond the cap the most-engaged candidates are kept (ties to the newer post);
 * the rest reach feeds only through the popularity fallback, like posts without any
 * interaction. Runs of a few thousand agents are not capped in practice.
 */
const POOL_BUDGET = 200_000_000;
const MIN_POOL = 2_000;

export function poolCap(users: number): number {
  return Math.max(MIN_POOL, Math.floor(POOL_BUDGET / Math.max(1, users)));
}

/** Posts without interactions scored per refresh at most (see `withColdPosts`), on top of the pool. */
export function coldCap(users: number): number {
  return Math.floor(poolCap(users) / 4);
}

/** Rows (in `index`) and ids of the candidates with at least one interaction, best-engaged first, capped. */
export function scoredCandidates(snapshot: ChannelSnapshot, index: InteractionIndex, cap = poolCap(snapshot.users.length)): { rows: Int32Array; postIds: Int32Array; authors: Int32Array } {
  const found: { row: number; postId: number; authorId: number; degree: number }[] = [];
  for (const p of snapshot.posts) {
    const row = index.itemRow.get(p.postId);
    if (row === undefined) continue;
    const degree = itemDegree(index, row);
    if (degree > 0) found.push({ row, postId: p.postId, authorId: p.authorId, degree });
  }
  if (found.length > cap) {
    found.sort((a, b) => b.degree - a.degree || b.postId - a.postId);
    found.length = cap;
    found.sort((a, b) => a.postId - b.postId);
  }
  return {
    rows: Int32Array.from(found, (f) => f.row),
    postIds: Int32Array.from(found, (f) => f.postId),
    authors: Int32Array.from(found, (f) => f.authorId),
  };
}

/** A pool whose item vectors are rows of `table` (dim wide). */
export function gatherPool(cands: { rows: Int32Array; postIds: Int32Array; authors: Int32Array }, table: Float32Array, dim: number, bias?: Float32Array): ScoringPool {
  const vectors = new Float32Array(cands.rows.length * dim);
  for (let i = 0; i < cands.rows.length; i++) {
    const r = cands.rows[i]!;
    vectors.set(table.subarray(r * dim, r * dim + dim), i * dim);
  }
  const out: ScoringPool = { postIds: cands.postIds, authors: cands.authors, vectors };
  if (!bias) return out;
  return { ...out, bias: Float32Array.from(cands.rows, (r) => bias[r]!) };
}

/**
 * A post nobody engaged with yet has no learned vector, and the popularity fallback ranks it
 * last (no likes), so under a learned recommender it would reach feeds only by chance. Each
 * such candidate gets its author's vector instead: the mean of the vectors (and biases) of
 * the author's posts in the pool. A new post then reaches the users who liked its author's
 * earlier posts, ranked as they would rank those, until its own interactions train a vector.
 * Newest first, at most `limit`; posts of authors with nothing in the pool are left to the
 * fallback.
 */
export function withColdPosts(pool: ScoringPool, posts: readonly PostView[], dim: number, limit: number): ScoringPool {
  const inPool = new Set(pool.postIds);
  const slotOf = new Map<number, number>();
  const sums: number[] = [];
  const counts: number[] = [];
  const biasSums: number[] = [];
  for (let i = 0; i < pool.postIds.length; i++) {
    let slot = slotOf.get(pool.authors[i]!);
    if (slot === undefined) {
      slotOf.set(pool.authors[i]!, (slot = counts.length));
      counts.push(0);
      biasSums.push(0);
      for (let d = 0; d < dim; d++) sums.push(0);
    }
    counts[slot]!++;
    biasSums[slot]! += pool.bias?.[i] ?? 0;
    for (let d = 0; d < dim; d++) sums[slot * dim + d]! += pool.vectors[i * dim + d]!;
  }
  const cold: { postId: number; slot: number; authorId: number }[] = [];
  for (let k = posts.length - 1; k >= 0 && cold.length < limit; k--) {
    const p = posts[k]!;
    const slot = slotOf.get(p.authorId);
    if (slot !== undefined && !inPool.has(p.postId)) cold.push({ postId: p.postId, slot, authorId: p.authorId });
  }
  if (cold.length === 0) return pool;
  const n = pool.postIds.length;
  const vectors = new Float32Array((n + cold.length) * dim);
  vectors.set(pool.vectors.subarray(0, n * dim));
  cold.forEach((c, j) => {
    for (let d = 0; d < dim; d++) vectors[(n + j) * dim + d] = sums[c.slot * dim + d]! / counts[c.slot]!;
  });
  const out: ScoringPool = {
    postIds: Int32Array.from([...pool.postIds, ...cold.map((c) => c.postId)]),
    authors: Int32Array.from([...pool.authors, ...cold.map((c) => c.authorId)]),
    vectors,
  };
  if (!pool.bias) return out;
  return { ...out, bias: Float32Array.from([...pool.bias, ...cold.map((c) => biasSums[c.slot]! / counts[c.slot]!)]) };
}
