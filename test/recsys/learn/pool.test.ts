import { describe, expect, it } from 'vitest';
import { withColdPosts } from '../../../src/recsys/learn/pool.js';
import type { ScoringPool } from '../../../src/recsys/learn/rank.js';
import { post } from '../../helpers/recsys.js';

/** Posts 1 and 2 by author 7, post 3 by author 8, with two-dimensional vectors and biases. */
const POOL: ScoringPool = {
  postIds: Int32Array.from([1, 2, 3]),
  authors: Int32Array.from([7, 7, 8]),
  vectors: Float32Array.from([1, 0, 0, 3, 2, 2]),
  bias: Float32Array.from([0.5, 1.5, -1]),
};
/** Candidates in id order: the pool's three, then fresh posts by 7, 9 (nothing in the pool) and 8. */
const POSTS = [post(1, 7), post(2, 7), post(3, 8), post(4, 7), post(5, 9), post(6, 8)];

describe('withColdPosts', () => {
  it('when candidates have no learned vector then each gets the mean vector and bias of its author\'s pooled posts', () => {
    const out = withColdPosts(POOL, POSTS, 2, 10);
    expect([...out.postIds]).toEqual([1, 2, 3, 6, 4]);
    expect([...out.authors]).toEqual([7, 7, 8, 8, 7]);
    expect([...out.vectors]).toEqual([1, 0, 0, 3, 2, 2, 2, 2, 0.5, 1.5]);
    expect([...out.bias!]).toEqual([0.5, 1.5, -1, -1, 1]);
  });

  it('when more fresh posts wait than the limit then the newest are taken, and a pool without biases gets none', () => {
    const { bias: _, ...plain } = POOL;
    const out = withColdPosts(plain, POSTS, 2, 1);
    expect([...out.postIds]).toEqual([1, 2, 3, 6]);
    expect(out.bias).toBeUndefined();
    expect(withColdPosts(plain, POSTS, 2, 0)).toBe(plain);
  });
});
