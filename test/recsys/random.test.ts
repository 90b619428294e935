import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, PostView } from '../../src/channel/snapshot.js';
import { optionsFor, post, snapshotOf } from '../helpers/recsys.js';
import { createRandom } from '../../src/recsys/random.js';
import type { Feeds } from '../../src/recsys/types.js';

function snapshot(users: readonly number[], posts: readonly PostView[], step = 3): ChannelSnapshot {
  return snapshotOf({ step, users, posts });
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

/** Posts 1000.. written by users 0..authors-1 in turn. */
function postsBy(n: number, authors: number): PostView[] {
  return range(n).map((i) => post(1000 + i, i % authors));
}

function asObject(feeds: Feeds): Record<number, readonly number[]> {
  return Object.fromEntries(feeds);
}

function checkFeeds(feeds: Feeds, snap: ChannelSnapshot, feedSize: number): void {
  for (const u of snap.users) {
    const feed = feeds.get(u);
    expect(feed, `feed of ${u}`).toBeDefined();
    expect(feed!.length).toBeLessThanOrEqual(feedSize);
    expect(new Set(feed).size, `duplicates in feed of ${u}`).toBe(feed!.length);
    for (const id of feed!) {
      const p = snap.postsById.get(id);
      expect(p, `unknown post ${id}`).toBeDefined();
      expect(p!.authorId, `own post ${id} in feed of ${u}`).not.toBe(u);
    }
  }
}

describe('random recommender', () => {
  // Both code paths: a small candidate set (≤ 2 × feed size, sampled from the eligible list)
  // and a large one (rejection sampling).
  const cases = [
    { label: 'few candidates', posts: 15, feedSize: 10 },
    { label: 'many candidates', posts: 300, feedSize: 10 },
  ] as const;

  for (const c of cases) {
    it(`when refreshed twice with one seed and step (${c.label}) then the feeds are deep-equal`, () => {
      const snap = snapshot(range(50), postsBy(c.posts, 30), 4);
      const a = createRandom(optionsFor('random', c.feedSize, {}, 9)).refresh(snap);
      const b = createRandom(optionsFor('random', c.feedSize, {}, 9)).refresh(snap);
      expect(asObject(b)).toEqual(asObject(a));
    });

    it(`when the step or the seed changes (${c.label}) then the feeds differ`, () => {
      const posts = postsBy(c.posts, 30);
      const base = asObject(createRandom(optionsFor('random', c.feedSize, {}, 9)).refresh(snapshot(range(50), posts, 4)));
      const otherStep = asObject(createRandom(optionsFor('random', c.feedSize, {}, 9)).refresh(snapshot(range(50), posts, 5)));
      const otherSeed = asObject(createRandom(optionsFor('random', c.feedSize, {}, 10)).refresh(snapshot(range(50), posts, 4)));
      expect(otherStep).not.toEqual(base);
      expect(otherSeed).not.toEqual(base);
    });

    it(`when users authored candidates (${c.label}) then feeds hold no own posts, no duplicates and at most feed_size posts`, () => {
      const snap = snapshot(range(60), postsBy(c.posts, 30), 2);
      const feeds = createRandom(optionsFor('random', c.feedSize, {}, 3)).refresh(snap);
      expect(feeds.size).toBe(60);
      checkFeeds(feeds, snap, c.feedSize);
      // Plenty of candidates for everyone in both cases: every feed is full.
      for (const u of snap.users) expect(feeds.get(u)).toHaveLength(c.feedSize);
    });
  }

  it('when there are fewer eligible candidates than feed_size then everyone gets all eligible posts', () => {
    // 8 posts by users 0..3 (two each); feed size 10.
    const posts = postsBy(8, 4);
    const snap = snapshot(range(6), posts, 1);
    const feeds = createRandom(optionsFor('random', 10, {}, 5)).refresh(snap);
    for (const u of snap.users) {
      const eligible = posts.filter((p) => p.authorId !== u).map((p) => p.postId);
      expect([...feeds.get(u)!].sort((a, b) => a - b)).toEqual(eligible);
    }
  });

  it('when a heavy poster wrote most candidates then its feed still holds every eligible post up to feed_size', () => {
    // 100 candidates, 95 by user 0: rejection sampling alone would keep missing the other 5.
    const five = [...range(95).map((i) => post(i, 0)), ...range(5, 95).map((i) => post(i, i + 100))];
    const few = createRandom(optionsFor('random', 10, {}, 1));
    for (const step of range(20)) {
      expect([...(few.refresh(snapshot([0], five, step)).get(0) ?? [])].sort((a, b) => a - b)).toEqual([95, 96, 97, 98, 99]);
    }
    // 200 candidates, 185 by user 0: 15 eligible, so always a full feed of 10 distinct posts.
    const fifteen = [...range(185).map((i) => post(i, 0)), ...range(15, 185).map((i) => post(i, i + 100))];
    for (const step of range(20)) {
      const feed = few.refresh(snapshot([0], fifteen, step)).get(0) ?? [];
      expect(feed).toHaveLength(10);
      expect(new Set(feed).size).toBe(10);
      expect(feed.every((id) => id >= 185)).toBe(true);
    }
  });

  it('when the snapshot has no posts then every user gets an empty feed', () => {
    const snap = snapshot([1, 2, 3], []);
    const feeds = createRandom(optionsFor('random', 10, {}, 5)).refresh(snap);
    expect(feeds.size).toBe(3);
    for (const u of snap.users) expect(feeds.get(u)).toEqual([]);
  });

  it('when the only candidates are a user’s own posts then its feed is empty', () => {
    const snap = snapshot([0, 1], [post(1, 0), post(2, 0)]);
    const feeds = createRandom(optionsFor('random', 10, {}, 5)).refresh(snap);
    expect(feeds.get(0)).toEqual([]);
    expect([...feeds.get(1)!].sort()).toEqual([1, 2]);
  });

  it('when a feed is drawn then a user’s feed does not depend on which other users are in the snapshot', () => {
    const posts = postsBy(200, 40);
    const rec = createRandom(optionsFor('random', 10, {}, 21));
    const all = rec.refresh(snapshot(range(100), posts, 6));
    const some = rec.refresh(snapshot([7, 55, 99], posts, 6));
    for (const u of [7, 55, 99]) expect(some.get(u)).toEqual(all.get(u));
  });

  it('when 2,000 users draw 10 of 50 posts then every post is shown between 0.6× and 1.4× its expected count', () => {
    // Posts by authors 0..49 (one each), who are also users: each post is ineligible for its author only.
    const posts = range(50).map((i) => post(i, i));
    const users = range(2000);
    const snap = snapshot(users, posts, 12);
    const feeds = createRandom(optionsFor('random', 10, {}, 77)).refresh(snap);
    const shown = new Map<number, number>(posts.map((p) => [p.postId, 0]));
    let total = 0;
    for (const u of users) {
      for (const id of feeds.get(u)!) {
        shown.set(id, shown.get(id)! + 1);
        total++;
      }
    }
    expect(total).toBe(2000 * 10);
    const expected = total / posts.length;
    for (const [id, n] of shown) {
      expect(n, `post ${id}`).toBeGreaterThan(0.6 * expected);
      expect(n, `post ${id}`).toBeLessThan(1.4 * expected);
    }
  });

  it('when 2,000 users draw from a small candidate set then rank positions are not biased to low ids', () => {
    // Small path (15 ≤ 2 × 10): the first slot should be roughly uniform over the 15 posts.
    const posts = range(15).map((i) => post(i, 10_000 + i));
    const users = range(2000);
    const feeds = createRandom(optionsFor('random', 10, {}, 4)).refresh(snapshot(users, posts, 1));
    const firstSlot = new Map<number, number>();
    for (const u of users) {
      const first = feeds.get(u)![0]!;
      firstSlot.set(first, (firstSlot.get(first) ?? 0) + 1);
    }
    const expected = 2000 / 15;
    for (const p of posts) {
      const n = firstSlot.get(p.postId) ?? 0;
      expect(n).toBeGreaterThan(0.6 * expected);
      expect(n).toBeLessThan(1.4 * expected);
    }
  });
});
