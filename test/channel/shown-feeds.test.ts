import { describe, expect, it } from 'vitest';
import { ShownFeeds } from '../../src/channel/shown-feeds.js';

/** The packed rows `fillPacked` writes, as [agent, rank, post, origin] tuples. */
function packed(store: ShownFeeds, ranks = 1024): number[][] {
  const { rows } = store.mixedRows();
  const keys = new Float64Array(rows);
  const posts = new Float64Array(rows);
  const origins = new Float64Array(rows);
  expect(store.fillPacked(keys, posts, origins, ranks)).toBe(rows);
  return [...keys].map((k, i) => [Math.floor(k / ranks), k % ranks, posts[i]!, origins[i]!]);
}

describe('ShownFeeds: the packed store of what agents were shown of their feeds', () => {
  it('when feeds are recorded and marked shown then only the marked agents have impressions, trimmed to what they were shown', () => {
    const store = new ShownFeeds();
    const popular = [30, 20, 10];
    store.record(7, { ids: popular, sources: null, via: null });
    store.record(8, { ids: popular, sources: null, via: null });
    store.record(9, { ids: [40, 30, 20], sources: ['home', 'recsys', 'home'], via: [41, null, null] });
    // Observed by a survey only: recorded, never marked.
    store.record(10, { ids: [50, 60], sources: ['home', 'recsys'], via: [null, null] });
    // A second record of an agent is not what it saw: the first stays.
    store.record(9, { ids: [99], sources: ['home'], via: [null] });
    store.show(9, 2);
    store.show(7, Infinity);
    store.show(8, 1);
    store.show(12, 3); // never recorded: nothing

    expect(store.size).toBe(3);
    expect(store.lengthOf(9)).toBe(3);
    expect(store.lengthOf(12)).toBe(0);
    // Agent 7 keeps the shared array itself; agent 8 saw only the first post.
    const lists = store.recommenderLists();
    expect([...lists.keys()]).toEqual([7, 8]);
    expect(lists.get(7)).toBe(popular);
    expect(lists.get(8)).toEqual([30]);
    // Agent 9's first two rows, origin 41 (through that repost) and −2 (the recommender's); agent 10 writes none.
    expect(store.mixedRows()).toEqual({ rows: 2, longest: 2 });
    expect(packed(store)).toEqual([
      [9, 0, 40, 41],
      [9, 1, 30, -2],
    ]);
  });

  it('when asked where an agent saw a post then the answer comes from the part of its feed it was shown', () => {
    const store = new ShownFeeds();
    store.record(1, { ids: [5, 6, 7], sources: ['home', 'home', 'recsys'], via: [9, null, null] });
    store.record(2, { ids: [6, 7], sources: null, via: null });
    store.record(3, { ids: [5], sources: ['home'], via: [null] });
    store.show(1, 2);
    store.show(2, 2);
    expect(store.seenAs(1, 5)).toEqual({ source: 'home', viaPostId: 9 });
    expect(store.seenAs(1, 6)).toEqual({ source: 'home', viaPostId: 6 });
    // Rank 2 was past what agent 1 was shown.
    expect(store.seenAs(1, 7)).toBeNull();
    expect(store.seenAs(2, 7)).toEqual({ source: 'recsys', viaPostId: 7 });
    expect(store.seenAs(2, 5)).toBeNull();
    // Recorded but not shown (a survey's observation), and never recorded.
    expect(store.seenAs(3, 5)).toBeNull();
    expect(store.seenAs(4, 5)).toBeNull();
  });

  it('when reset then it is empty, and feeds recorded past its first buffers come back whole', () => {
    const store = new ShownFeeds();
    store.record(1, { ids: [1], sources: ['home'], via: [null] });
    store.show(1, 1);
    store.reset();
    expect(store.size).toBe(0);
    expect(store.has(1)).toBe(false);
    expect(store.seenAs(1, 1)).toBeNull();
    // 3,000 agents × 5 posts: more entries (1,024) and rows (8,192) than the store starts with.
    for (let a = 0; a < 3000; a++) {
      store.record(a, { ids: [a, a + 1, a + 2, a + 3, a + 4], sources: ['recsys', 'home', 'recsys', 'home', 'recsys'], via: [null, a + 100, null, null, null] });
      store.show(a, a % 2 === 0 ? 5 : 3);
    }
    expect(store.size).toBe(3000);
    expect(store.mixedRows()).toEqual({ rows: 1500 * 5 + 1500 * 3, longest: 5 });
    const rows = packed(store);
    // Agent 2999 (odd: 3 shown) is last; agent 1's rows follow agent 0's five.
    expect(rows.slice(5, 8)).toEqual([
      [1, 0, 1, -2],
      [1, 1, 2, 101],
      [1, 2, 3, -2],
    ]);
    expect(rows.at(-1)).toEqual([2999, 2, 3001, -2]);
    expect(store.seenAs(2998, 3001)).toEqual({ source: 'home', viaPostId: 3001 });
    // Marked shown after a reset: the marks of the step before are gone.
    store.reset();
    store.record(5, { ids: [8], sources: null, via: null });
    expect(store.seenAs(5, 8)).toBeNull();
    store.show(5, 1);
    expect(store.seenAs(5, 8)).toEqual({ source: 'recsys', viaPostId: 8 });
  });
});
