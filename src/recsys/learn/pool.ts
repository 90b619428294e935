import type { ChannelSnapshot } from '../../channel/snapshot.js';
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
