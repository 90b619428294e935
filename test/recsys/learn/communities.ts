import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, PostView } from '../../../src/channel/snapshot.js';
import type { RecsysConfig } from '../../../src/config/types.js';
import { popularRanking } from '../../../src/recsys/fallback.js';
import type { Feeds, Recommender, RecommenderOptions } from '../../../src/recsys/types.js';
import { optionsFor, post, snapshotOf } from '../../helpers/recsys.js';

/**
 * Two communities that never mix: users 1–6 engage with A's posts (100–109), users 11–16
 * with B's (200–209), each post written by a member of its community. Everyone in A liked
 * A's newest post 109 except user 1; user 17 liked three of B's posts and nothing else; user
 * 30 has no history; 300 is a brand-new candidate nobody engaged with; 50–59 are old A posts
 * (liked, no longer candidates). Likes are spread so that B's posts are, on counts alone, at
 * least as popular as A's: only the community structure can put A first for user 1.
 */
export const A_USERS = [1, 2, 3, 4, 5, 6];
export const B_USERS = [11, 12, 13, 14, 15, 16];
export const A_POSTS = range(10, 100);
export const B_POSTS = range(10, 200);
export const B_LIKE = 17;
export const NEWCOMER = 30;
export const FRESH_POST = 300;
const OLD_A = range(10, 50);

function range(n: number, from: number): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

type Like = readonly [number, number] | readonly [number, number, 0 | 1];

export function communityLikes(): Like[] {
  const likes: Like[] = [];
  const community = (users: number[], posts: number[], old: number[]): void => {
    users.forEach((u, a) => {
      // Each member likes 6 of its community's 9 older posts, shifted per member.
      for (let k = 0; k < 9; k++) if ((k + a) % 9 < 6) likes.push([u, posts[k]!]);
      for (const p of old) if ((p + a) % 2 === 0) likes.push([u, p]);
    });
  };
  community(A_USERS, A_POSTS, OLD_A);
  community(B_USERS, B_POSTS, []);
  // A's newest post: liked by every A member but user 1; B's newest by all of B, once reposted.
  for (const u of A_USERS.slice(1)) likes.push([u, 109]);
  for (const u of B_USERS) likes.push([u, 209]);
  likes.push([12, 209, 1]);
  for (const p of [200, 201, 202]) likes.push([B_LIKE, p]);
  return likes;
}

export function communityPosts(extra: readonly PostView[] = []): PostView[] {
  const likes = communityLikes();
  const count = (p: number): number => likes.filter((l) => l[1] === p && (l[2] ?? 0) === 0).length;
  const reposts = (p: number): number => likes.filter((l) => l[1] === p && l[2] === 1).length;
  const make = (p: number, author: number, step: number): PostView => post(p, author, { likes: count(p), reposts: reposts(p), createdStep: step });
  return [
    ...A_POSTS.map((p, k) => make(p, A_USERS[k % 6]!, k)),
    ...B_POSTS.map((p, k) => make(p, B_USERS[k % 6]!, k)),
    post(FRESH_POST, 11, { createdStep: 10 }),
    ...extra,
  ].sort((a, b) => a.postId - b.postId);
}

export function communitySnapshot(step = 10, extraLikes: readonly Like[] = [], extraPosts: readonly PostView[] = [], extraUsers: readonly number[] = []): ChannelSnapshot {
  return snapshotOf({
    step,
    users: [...A_USERS, ...B_USERS, B_LIKE, NEWCOMER, ...extraUsers].sort((a, b) => a - b),
    posts: communityPosts(extraPosts),
    likes: [...communityLikes(), ...extraLikes],
  });
}

export function expectFeedRules(feeds: Feeds, snap: ChannelSnapshot, feedSize: number): void {
  for (const u of snap.users) {
    const feed = feeds.get(u);
    expect(feed, `feed of ${u}`).toBeDefined();
    expect(feed!.length, `feed of ${u}`).toBe(Math.min(feedSize, snap.posts.filter((p) => p.authorId !== u && !snap.engagedBy(u).has(p.postId)).length));
    expect(new Set(feed).size, `duplicates in feed of ${u}`).toBe(feed!.length);
    for (const id of feed!) {
      const p = snap.postsById.get(id);
      expect(p, `post ${id} in feed of ${u} is not a candidate`).toBeDefined();
      expect(p!.authorId, `own post ${id} in feed of ${u}`).not.toBe(u);
      expect(snap.engagedBy(u).has(id), `engaged post ${id} in feed of ${u}`).toBe(false);
    }
  }
}

/** Where `id` stands in `feed` (Infinity when absent). */
export function rank(feed: readonly number[] | undefined, id: number): number {
  const i = feed?.indexOf(id) ?? -1;
  return i < 0 ? Infinity : i;
}

type Factory = (o: RecommenderOptions) => Recommender;

/**
 * The behaviour every learned recommender shares, given the factory and the parameters under
 * which the small community set is learned within one refresh.
 */
export function describeLearned(kind: RecsysConfig['kind'], create: Factory, params: Partial<RecsysConfig>): void {
  const FEED = 12;
  const make = (seed = 1, feedSize = FEED): Recommender => create(optionsFor(kind, feedSize, params, seed));

  describe(`${kind}: shared behaviour`, () => {
    it('when a member of community A has not seen A\'s newest post then it ranks above every post of B, the fresh one too', () => {
      const feeds = make().refresh(communitySnapshot());
      const feed = feeds.get(1)!;
      for (const b of [...B_POSTS, FRESH_POST]) expect(rank(feed, 109), `109 vs ${b} in ${feed.join(',')}`).toBeLessThan(rank(feed, b));
    });

    it('when a user engaged only with B then B\'s posts lead its feed, with B\'s fresh post nobody engaged with yet ranked by its author', () => {
      const feed = make().refresh(communitySnapshot()).get(B_LIKE)!;
      const unseenB = [...B_POSTS.filter((p) => p > 202), FRESH_POST];
      expect(feed.slice(0, unseenB.length).sort()).toEqual(unseenB);
    });

    it('when feeds are built then none holds the user\'s own post, an engaged post or a non-candidate', () => {
      const snap = communitySnapshot();
      expectFeedRules(make().refresh(snap), snap, FEED);
      // With room for every candidate, the rules alone decide the length.
      expectFeedRules(make(1, 50).refresh(snap), snap, 50);
    });

    it('when a user has no history then its feed is the popularity fallback, full', () => {
      const snap = communitySnapshot();
      const feed = make().refresh(snap).get(NEWCOMER)!;
      const popular = popularRanking(snap).filter((p) => p.authorId !== NEWCOMER).map((p) => p.postId);
      expect(feed).toEqual(popular.slice(0, FEED));
    });

    it('when a candidate has no interaction yet then it still reaches feeds that have room', () => {
      const snap = communitySnapshot();
      const feeds = make(1, 50).refresh(snap);
      for (const u of snap.users) if (u !== 11) expect(feeds.get(u), `feed of ${u}`).toContain(FRESH_POST);
    });

    it('when there are no interactions at all then every feed is the popularity fallback', () => {
      const snap = snapshotOf({ step: 0, users: [1, 2], posts: [post(5, 1, { likes: 2 }), post(6, 2), post(7, 3, { likes: 1 })] });
      const feeds = make().refresh(snap);
      expect(feeds.get(1)).toEqual([7, 6]);
      expect(feeds.get(2)).toEqual([5, 7]);
    });

    it('when two recommenders share a seed then their feeds are identical, and another seed learns other weights', () => {
      const snap = communitySnapshot();
      const a = make(1);
      const b = make(1);
      expect(b.refresh(snap)).toEqual(a.refresh(snap));
      const c = make(2);
      c.refresh(snap);
      expect(Buffer.from(c.saveState!()).equals(Buffer.from(a.saveState!()))).toBe(false);
    });

    it('when a run resumes from saveState then the next refresh equals the uninterrupted one', () => {
      const first = communitySnapshot(10);
      // The next step: new likes (one by the newcomer), a new post and a new user.
      const next = communitySnapshot(11, [[NEWCOMER, 205], [1, 109], [31, 103], [31, 104], [4, 301]], [post(301, 2, { createdStep: 11 })], [31]);
      const running = make();
      running.refresh(first);
      const resumed = make();
      resumed.loadState!(running.saveState!());
      const expected = running.refresh(next);
      expect(resumed.refresh(next)).toEqual(expected);
      expect(Buffer.from(resumed.saveState!()).equals(Buffer.from(running.saveState!()))).toBe(true);
    });

    it('when a state of another kind or shape is loaded then it is refused', () => {
      const rec = make();
      rec.refresh(communitySnapshot());
      const other = create(optionsFor(kind, FEED, { ...params, factors: 3 }));
      expect(() => other.loadState!(rec.saveState!())).toThrow(/factors/);
      expect(() => other.loadState!(new Uint8Array(40))).toThrow(/state/);
    });
  });
}
