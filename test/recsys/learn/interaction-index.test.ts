import { describe, expect, it } from 'vitest';
import { buildIndex, hasEdge, itemDegree, unionSorted, uniqueSorted, userDegree } from '../../../src/recsys/learn/interaction-index.js';

describe('interaction index', () => {
  const interactions = {
    users: Int32Array.from([1, 1, 1, 4, 4]),
    posts: Int32Array.from([10, 10, 30, 20, 30]),
    kinds: Uint8Array.from([0, 1, 0, 0, 0]),
  };

  it('when a post is both liked and reposted then it is one edge', () => {
    const index = buildIndex(interactions, Int32Array.from([1, 2, 4]), Int32Array.from([10, 20, 30]));
    expect(index.edges).toBe(4);
    expect(userDegree(index, 0)).toBe(2);
    expect(userDegree(index, 1)).toBe(0); // user 2: a row without edges, as a warm model carries
    expect([...index.userItems]).toEqual([0, 2, 1, 2]);
    expect([...index.edgeUsers]).toEqual([0, 0, 2, 2]);
  });

  it('when read by post then each post lists its users in ascending rows', () => {
    const index = buildIndex(interactions, Int32Array.from([1, 2, 4]), Int32Array.from([10, 20, 30]));
    expect(itemDegree(index, 2)).toBe(2);
    expect([...index.itemUsers.subarray(index.itemPtr[2]!, index.itemPtr[3]!)]).toEqual([0, 2]);
    expect(hasEdge(index, 2, 1)).toBe(true);
    expect(hasEdge(index, 0, 1)).toBe(false);
  });

  it('when an interaction falls outside the given rows then building fails loudly', () => {
    expect(() => buildIndex(interactions, Int32Array.from([1]), Int32Array.from([10, 20, 30]))).toThrow(/outside/);
  });

  it('when merging id lists then the union is sorted and distinct', () => {
    expect([...uniqueSorted(Int32Array.from([5, 1, 5, 3]))]).toEqual([1, 3, 5]);
    expect([...unionSorted(Int32Array.from([1, 4, 9]), Int32Array.from([2, 4, 10]))]).toEqual([1, 2, 4, 9, 10]);
  });
});
