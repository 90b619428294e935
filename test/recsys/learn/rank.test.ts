import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/common/rng.js';
import { rankByDot, type ScoringPool } from '../../../src/recsys/learn/rank.js';

/** The k best by brute force: every score, sorted by score then higher post id. */
function bruteForce(userVecs: Float32Array, u: number, pool: ScoringPool, dim: number, k: number, skip: (postId: number, author: number) => boolean): number[] {
  const rows: { id: number; s: number }[] = [];
  for (let i = 0; i < pool.postIds.length; i++) {
    if (skip(pool.postIds[i]!, pool.authors[i]!)) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += userVecs[u * dim + d]! * pool.vectors[i * dim + d]!;
    rows.push({ id: pool.postIds[i]!, s: Math.fround(s) + (pool.bias?.[i] ?? 0) });
  }
  rows.sort((a, b) => b.s - a.s || b.id - a.id);
  return rows.slice(0, k).map((r) => r.id);
}

function randomCase(seed: number, users: number, posts: number, dim: number, withBias: boolean) {
  const rng = Rng.derive(seed, 'rank-test');
  // Norms spread smoothly over two orders of magnitude, as learned vectors' are: the pruning
  // point then falls between chunks, where a wrong bound would drop posts.
  const vectors = new Float32Array(posts * dim);
  for (let i = 0; i < posts; i++) {
    const scale = Math.exp(-4 * rng.next());
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = rng.normal() * scale;
  }
  const userVecs = Float32Array.from({ length: users * dim }, () => rng.normal());
  const pool: ScoringPool = {
    postIds: Int32Array.from({ length: posts }, (_, i) => 1000 + i),
    authors: Int32Array.from({ length: posts }, () => rng.int(users)),
    vectors,
    ...(withBias ? { bias: Float32Array.from({ length: posts }, () => rng.normal() * 2) } : {}),
  };
  return { userVecs, pool, userIds: Int32Array.from({ length: users }, (_, u) => u) };
}

describe('rankByDot', () => {
  for (const withBias of [false, true]) {
    it(`when pruning by norm${withBias ? ' with biases' : ''} then the result equals the brute-force top k`, () => {
      const dim = 7; // not a multiple of 4: the kernel's remainder paths run too
      const { userVecs, pool, userIds } = randomCase(withBias ? 2 : 1, 11, 3001, dim, withBias);
      const engaged = (u: number) => new Set([1000 + u, 1000 + 3 * u, 1005]);
      const skip = (u: number) => (postId: number, author: number) => author === u || engaged(u).has(postId);
      const got = rankByDot(userIds, userVecs, pool, dim, 15, (u, postId, author) => skip(u)(postId, author));
      for (const u of userIds) expect(got.get(u), `user ${u}`).toEqual(bruteForce(userVecs, u, pool, dim, 15, skip(u)));
    });
  }

  it('when scores tie then the higher post id comes first', () => {
    const pool: ScoringPool = { postIds: Int32Array.from([5, 9, 7]), authors: Int32Array.from([0, 0, 0]), vectors: Float32Array.from([1, 1, 1]) };
    const got = rankByDot(Int32Array.from([3]), Float32Array.from([2]), pool, 1, 3, () => false);
    expect(got.get(3)).toEqual([9, 7, 5]);
  });

  it('when fewer posts are allowed than k then the ranking is short rather than padded', () => {
    const pool: ScoringPool = { postIds: Int32Array.from([1, 2, 3]), authors: Int32Array.from([8, 9, 9]), vectors: Float32Array.from([3, 2, 1]) };
    const got = rankByDot(Int32Array.from([9]), Float32Array.from([1]), pool, 1, 5, (u, _p, a) => a === u);
    expect(got.get(9)).toEqual([1]);
  });
});
