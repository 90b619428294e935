import { describe, expect, it } from 'vitest';
import type { PostView } from '../../src/channel/snapshot.js';
import { HISTORY_CAP } from '../../src/recsys/item-knn.js';
import { createTrace } from '../../src/recsys/trace.js';
import { optionsFor, post, snapshotOf } from '../helpers/recsys.js';

const A = 1;
const B = 2;
const C = 3;
const D = 4;
const X = 10;
const Y = 11;
const Z = 12;

/** Candidates 10..19 by authors who are not users; 19 is the most popular of them. */
const POSTS: PostView[] = Array.from({ length: 10 }, (_, i) => post(10 + i, 100 + i, { likes: i === 9 ? 50 : 0 }));

describe('trace recommender', () => {
  it('when A and B both liked X and B also liked Y then Y heads A\'s feed', () => {
    const snapshot = snapshotOf({ users: [A, B], posts: POSTS, likes: [[A, X], [B, X], [B, Y]] });
    const feed = createTrace(optionsFor('trace', 5)).refresh(snapshot).get(A)!;
    expect(feed[0]).toBe(Y);
    expect(feed).not.toContain(X);
  });

  it('when more of X\'s likers also liked Y than Z then Y ranks above Z', () => {
    // sim(X, Y) = 2 / √(4 · 2) ≈ 0.71; sim(X, Z) = 1 / √(4 · 1) = 0.5.
    const likes = [[A, X], [B, X], [B, Y], [C, X], [C, Y], [D, X], [D, Z]] as const;
    const feed = createTrace(optionsFor('trace', 5)).refresh(snapshotOf({ users: [A, B, C, D], posts: POSTS, likes })).get(A)!;
    expect(feed.slice(0, 2)).toEqual([Y, Z]);
  });

  it('when a user engaged with several posts then a candidate near two of them beats one near one', () => {
    // A liked X and 13; Y is co-liked with both (via B and C), Z only with X (via D).
    const likes = [[A, X], [A, 13], [B, X], [B, Y], [C, 13], [C, Y], [D, X], [D, Z]] as const;
    const feed = createTrace(optionsFor('trace', 5)).refresh(snapshotOf({ users: [A, B, C, D], posts: POSTS, likes })).get(A)!;
    expect(feed.slice(0, 2)).toEqual([Y, Z]);
  });

  it('when neighbors is 1 then only each liked post\'s most similar candidate counts', () => {
    const likes = [[A, X], [B, X], [B, Y], [C, X], [C, Y], [D, X], [D, Z]] as const;
    const snapshot = snapshotOf({ users: [A, B, C, D], posts: POSTS, likes });
    const feed = createTrace(optionsFor('trace', 3, { neighbors: 1 })).refresh(snapshot).get(A)!;
    // Y from X's one neighbour; then popularity: 19 (50 likes), then the most liked others.
    expect(feed[0]).toBe(Y);
    expect(feed[1]).toBe(19);
  });

  it('when a liked post has left the window then it still leads to candidates, but is never recommended', () => {
    // 5 is no candidate any more; A and B liked it, B also liked Y.
    const snapshot = snapshotOf({ users: [A, B, C], posts: POSTS, likes: [[A, 5], [B, 5], [B, Y], [C, 5]] });
    const feeds = createTrace(optionsFor('trace', 4)).refresh(snapshot);
    expect(feeds.get(A)![0]).toBe(Y);
    for (const feed of feeds.values()) expect(feed).not.toContain(5);
  });

  it('when a user\'s history passes the cap then its oldest engagements stop counting', () => {
    // A liked posts 1000 .. 1000 + cap (none a candidate); only one of them was also liked by
    // B, who liked Y: the oldest (beyond the cap) leads nowhere, the newest leads to Y.
    const history = Array.from({ length: HISTORY_CAP + 1 }, (_, i) => [A, 1000 + i] as const);
    const oldest = snapshotOf({ users: [A, B], posts: POSTS, likes: [...history, [B, 1000], [B, Y]] });
    expect(createTrace(optionsFor('trace', 1)).refresh(oldest).get(A)).toEqual([19]);
    const newest = snapshotOf({ users: [A, B], posts: POSTS, likes: [...history, [B, 1000 + HISTORY_CAP], [B, Y]] });
    expect(createTrace(optionsFor('trace', 1)).refresh(newest).get(A)).toEqual([Y]);
  });

  it('when similar users liked the user\'s own posts or posts it engaged with then those never appear', () => {
    // A wrote 14 (as author 100 + 4 = 104, a user here); B and C liked what A liked plus 14, 15, Y.
    const snapshot = snapshotOf({
      users: [104, B, C],
      posts: POSTS,
      likes: [[104, X], [104, Y, 1], [B, X], [B, 14], [B, 15], [B, Y], [C, X], [C, 15]],
    });
    const feed = createTrace(optionsFor('trace', 9)).refresh(snapshot).get(104)!;
    expect(feed[0]).toBe(15);
    expect(feed).toHaveLength(7);
    for (const id of [14, X, Y]) expect(feed).not.toContain(id);
  });

  it('when a user has no history then its feed is the popular ranking, full', () => {
    const snapshot = snapshotOf({ users: [A, B], posts: POSTS, likes: [[B, X], [B, Y]] });
    const feed = createTrace(optionsFor('trace', 4)).refresh(snapshot).get(A);
    // Popularity counts the posts' own like counts (19 has 50), then newest/highest id.
    expect(feed).toEqual([19, 18, 17, 16]);
  });

  it('when refreshed again, or by a new recommender, then the feeds are identical', () => {
    const likes = Array.from({ length: 60 }, (_, i) => [1 + (i % 7), 10 + ((i * 3) % 10)] as const);
    const snapshot = snapshotOf({ users: [1, 2, 3, 4, 5, 6, 7], posts: POSTS, likes });
    const rec = createTrace(optionsFor('trace', 6));
    const a = rec.refresh(snapshot);
    expect([...rec.refresh(snapshot)]).toEqual([...a]);
    expect([...createTrace(optionsFor('trace', 6)).refresh(snapshot)]).toEqual([...a]);
  });
});
