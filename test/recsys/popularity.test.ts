import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, PostView } from '../../src/channel/snapshot.js';
import { post as basePost, optionsFor, snapshotOf } from '../helpers/recsys.js';
import { Rng } from '../../src/common/rng.js';
import { createPopularity, popularityScore, topByPopularity } from '../../src/recsys/popularity.js';

function post(postId: number, authorId: number, likes = 0, reposts = 0, createdStep = 0): PostView {
  return basePost(postId, authorId, { likes, reposts, createdStep });
}

function snapshot(users: readonly number[], posts: readonly PostView[], step = 5): ChannelSnapshot {
  return snapshotOf({ step, users, posts: posts.slice().sort((a, b) => a.postId - b.postId) });
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

describe('popularity recommender', () => {
  it('when scoring a post then likes count once and reposts twice', () => {
    expect(popularityScore(post(1, 1, 3, 0))).toBe(3);
    expect(popularityScore(post(1, 1, 0, 3))).toBe(6);
    expect(popularityScore(post(1, 1, 4, 5))).toBe(14);
  });

  it('when posts differ in engagement then the feed ranks them by likes + 2×reposts', () => {
    // Scores: 10 → 5, 11 → 6 (3 reposts), 12 → 7 (5 likes + 1 repost), 13 → 0, 14 → 4.
    const rec = createPopularity(optionsFor('popularity', 10, {}, 1));
    const posts = [post(10, 100, 5), post(11, 101, 0, 3), post(12, 102, 5, 1), post(13, 103), post(14, 104, 4)];
    const feeds = rec.refresh(snapshot([1, 2], posts));
    expect(feeds.get(1)).toEqual([12, 11, 10, 14, 13]);
    expect(feeds.get(2)).toEqual([12, 11, 10, 14, 13]);
  });

  it('when a repost-heavy post meets a like-heavy post then one repost outweighs one like', () => {
    const rec = createPopularity(optionsFor('popularity', 5, {}, 1));
    // 20: 3 likes = 3; 21: 2 reposts = 4.
    const feeds = rec.refresh(snapshot([1], [post(20, 100, 3, 0), post(21, 101, 0, 2)]));
    expect(feeds.get(1)).toEqual([21, 20]);
  });

  it('when scores tie then the newer createdStep wins, then the higher postId', () => {
    const rec = createPopularity(optionsFor('popularity', 10, {}, 1));
    const posts = [
      post(1, 100, 2, 0, 3), // score 2, step 3
      post(2, 101, 0, 1, 1), // score 2, step 1
      post(3, 102, 2, 0, 3), // score 2, step 3, higher id than 1
      post(4, 103, 2, 0, 4), // score 2, newest
      post(5, 104, 9, 0, 0), // clear winner despite being oldest
    ];
    const feeds = rec.refresh(snapshot([7], posts));
    expect(feeds.get(7)).toEqual([5, 4, 3, 1, 2]);
  });

  it('when the ranking is computed twice from shuffled input then the order is identical', () => {
    const rec = createPopularity(optionsFor('popularity', 8, {}, 1));
    const posts = range(30).map((i) => post(i, 100 + (i % 7), i % 4, i % 3, i % 5));
    const a = rec.refresh(snapshot([1], posts));
    const shuffled: ChannelSnapshot = { ...snapshot([1], posts), posts: posts.slice().reverse() };
    const b = rec.refresh(shuffled);
    expect(b.get(1)).toEqual(a.get(1));
  });

  it('when there are more candidates than feed_size then every feed holds exactly feed_size posts', () => {
    const rec = createPopularity(optionsFor('popularity', 5, {}, 1));
    const posts = range(40).map((i) => post(i, 1000 + i, i));
    const users = range(20);
    const feeds = rec.refresh(snapshot(users, posts));
    for (const u of users) expect(feeds.get(u)).toHaveLength(5);
    expect(feeds.get(0)).toEqual([39, 38, 37, 36, 35]);
  });

  it('when a user wrote a top post then its feed skips that post, takes the next one and stays full', () => {
    const rec = createPopularity(optionsFor('popularity', 3, {}, 1));
    // Author 1 wrote the top post (50) and the 4th (40); author 2 wrote the 2nd.
    const posts = [post(50, 1, 50), post(45, 2, 45), post(44, 3, 44), post(40, 1, 40), post(30, 4, 30), post(20, 5, 20)];
    const feeds = rec.refresh(snapshot([1, 2, 3, 9], posts));
    expect(feeds.get(1)).toEqual([45, 44, 30]);
    expect(feeds.get(2)).toEqual([50, 44, 40]);
    expect(feeds.get(3)).toEqual([50, 45, 40]);
    expect(feeds.get(9)).toEqual([50, 45, 44]);
  });

  it('when a user authored posts then none of them appears in its feed', () => {
    const rec = createPopularity(optionsFor('popularity', 10, {}, 1));
    // 60 posts by 6 authors who are also users; popularity mixed.
    const posts = range(60).map((i) => post(i, i % 6, (i * 7) % 13, i % 3));
    const postsById = new Map(posts.map((p) => [p.postId, p]));
    const users = range(10);
    const feeds = rec.refresh(snapshot(users, posts));
    for (const u of users) {
      const feed = feeds.get(u)!;
      expect(feed).toHaveLength(10);
      for (const id of feed) expect(postsById.get(id)!.authorId).not.toBe(u);
    }
  });

  it('when a top author has too few other candidates then the feed holds all of them', () => {
    const rec = createPopularity(optionsFor('popularity', 5, {}, 1));
    const posts = [post(1, 1, 9), post(2, 1, 8), post(3, 2, 7), post(4, 3, 1)];
    const feeds = rec.refresh(snapshot([1, 2], posts));
    expect(feeds.get(1)).toEqual([3, 4]);
    expect(feeds.get(2)).toEqual([1, 2, 4]);
  });

  it('when users wrote none of the top posts then they all get the same ranking', () => {
    const rec = createPopularity(optionsFor('popularity', 4, {}, 1));
    const posts = range(12).map((i) => post(i, 500 + (i % 3), i));
    const users = range(25);
    const feeds = rec.refresh(snapshot(users, posts));
    const first = feeds.get(0);
    expect(first).toEqual([11, 10, 9, 8]);
    for (const u of users) expect(feeds.get(u)).toEqual(first);
  });

  it('when a user liked or reposted top posts then its feed skips them and stays full, while users without exclusions share one array', () => {
    const rec = createPopularity(optionsFor('popularity', 3, {}, 1));
    const posts = [post(50, 100, 50), post(45, 101, 45), post(44, 102, 44), post(40, 103, 40), post(30, 104, 30)];
    const snap = snapshotOf({ step: 5, users: [1, 2, 3, 4], posts: posts.slice().sort((a, b) => a.postId - b.postId), likes: [[1, 50], [2, 44, 1], [3, 7]] });
    const feeds = rec.refresh(snap);
    expect(feeds.get(1)).toEqual([45, 44, 40]);
    expect(feeds.get(2)).toEqual([50, 45, 40]);
    // User 3 liked only a post outside the window; user 4 nothing: both get the shared ranking itself.
    expect(feeds.get(3)).toEqual([50, 45, 44]);
    expect(feeds.get(3)).toBe(feeds.get(4));
  });

  it('when the snapshot has no posts then every user gets an empty feed', () => {
    const rec = createPopularity(optionsFor('popularity', 10, {}, 1));
    const users = [0, 3, 8, 42];
    const feeds = rec.refresh(snapshot(users, []));
    expect([...feeds.keys()].sort((a, b) => a - b)).toEqual(users);
    for (const u of users) expect(feeds.get(u)).toEqual([]);
  });

  it('when the snapshot has posts but no users then there are no feeds', () => {
    const rec = createPopularity(optionsFor('popularity', 10, {}, 1));
    expect(rec.refresh(snapshot([], [post(1, 1, 1)])).size).toBe(0);
  });

  it('when refresh runs then the snapshot posts keep their order', () => {
    const rec = createPopularity(optionsFor('popularity', 3, {}, 1));
    const snap = snapshot([1], [post(1, 9, 0), post(2, 9, 5), post(3, 9, 2)]);
    rec.refresh(snap);
    expect(snap.posts.map((p) => p.postId)).toEqual([1, 2, 3]);
  });

  it('when only the head of the order is kept then it equals the head of a full sort, ties included', () => {
    const rng = new Rng(3);
    const posts = range(2000).map((i) => post(i, i % 50, rng.int(6), rng.int(3), rng.int(4)));
    const full = posts.slice().sort((a, b) => popularityScore(b) - popularityScore(a) || b.createdStep - a.createdStep || b.postId - a.postId);
    for (const k of [0, 1, 7, 80, 2000, 3000]) expect(topByPopularity(posts, k).map((p) => p.postId)).toEqual(full.slice(0, k).map((p) => p.postId));
  });

  it('when a user wrote or engaged with more of the top posts than the head holds then its feed comes from the whole order', () => {
    // Feed size 2, head 8: user 1 wrote the ten most popular posts, user 2 liked nine of them.
    const rec = createPopularity(optionsFor('popularity', 2, {}, 1));
    const posts = range(30).map((i) => post(i, i < 10 ? 1 : 100 + i, 100 - i));
    const likes = range(9).map((i) => [2, i + 1] as const);
    const feeds = rec.refresh(snapshotOf({ step: 5, users: [1, 2, 3], posts, likes }));
    expect(feeds.get(1)).toEqual([10, 11]);
    expect(feeds.get(2)).toEqual([0, 10]);
    expect(feeds.get(3)).toEqual([0, 1]);
  });
});
