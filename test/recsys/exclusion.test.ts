/**
 * The feed rule every recommender shares, checked over the registry so a new kind cannot
 * forget it: never the user's own post, nor one it already liked or reposted; otherwise full.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, PostView } from '../../src/channel/snapshot.js';
import { createRecommender, RECOMMENDER_KINDS } from '../../src/recsys/registry.js';
import { post, snapshotOf } from '../helpers/recsys.js';

const CLOCK = { startMs: Date.parse('2024-01-01T00:00:00Z'), stepMs: 3_600_000 };
const TOPICS = ['climate', 'tech', 'music', 'sports', 'health'];
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

type Engagement = readonly [number, number, 0 | 1];

/**
 * `users` agents (ids 0..users-1) and `posts` candidates (ids 1000..), written in turn by the
 * agents and by ten accounts that get no feed; each agent follows five authors, likes `likes`
 * posts (the most popular ones first, which every ranking favours) and reposts `reposts`, and
 * also liked a post that left the window.
 */
function channel(users: number, posts: number, likes: number, reposts: number): { snapshot: ChannelSnapshot; engagements: Engagement[] } {
  const authors = users + 10;
  const candidates: PostView[] = range(posts).map((i) =>
    post(1000 + i, i % authors, { createdStep: i % 6, likes: (i * 37) % 23, reposts: i % 4, text: `post ${i} about #${TOPICS[i % TOPICS.length]} and more` }),
  );
  const byPopularity = candidates.slice().sort((a, b) => b.likes + 2 * b.reposts - (a.likes + 2 * a.reposts) || b.postId - a.postId);
  const engagements: Engagement[] = [];
  for (const u of range(users)) {
    const others = byPopularity.filter((p) => p.authorId !== u);
    const liked = new Set([...others.slice(0, Math.ceil(likes / 2)), ...range(likes).map((k) => others[(u * 7 + k * 13) % others.length]!)].map((p) => p.postId));
    for (const p of liked) engagements.push([u, p, 0]);
    for (const k of range(reposts)) engagements.push([u, others[(u * 11 + k * 17 + 3) % others.length]!.postId, 1]);
    engagements.push([u, 1, 0]); // post 1 is not a candidate any more
  }
  const snapshot = snapshotOf({
    step: 6,
    users: range(users),
    posts: candidates,
    follows: Object.fromEntries(range(users).map((u) => [u, range(5).map((k) => (u + 1 + k * 3) % authors)])),
    profiles: Object.fromEntries(range(users).map((u) => [u, `user ${u} likes ${TOPICS[u % TOPICS.length]}`])),
    likes: engagements,
  });
  return { snapshot, engagements };
}

function excludedFor(snapshot: ChannelSnapshot, user: number): Set<number> {
  return new Set([...snapshot.posts.filter((p) => p.authorId === user).map((p) => p.postId), ...snapshot.engagedBy(user)]);
}

describe('every recommender in the registry', () => {
  it('when listing the kinds then there are some to check', () => {
    expect(RECOMMENDER_KINDS.length).toBeGreaterThanOrEqual(9);
  });

  for (const kind of RECOMMENDER_KINDS) {
    it(`when ${kind} ranks many candidates then no feed holds the user's own, liked or reposted posts, and every feed is full`, () => {
      const { snapshot } = channel(40, 200, 30, 10);
      const feedSize = 10;
      const feeds = createRecommender({ kind, refresh_every: 1, feed_size: feedSize, window: 24 }, 7, CLOCK).refresh(snapshot);
      for (const user of snapshot.users) {
        const feed = feeds.get(user) ?? [];
        const excluded = excludedFor(snapshot, user);
        const shown = feed.filter((id) => excluded.has(id));
        expect(shown, `${kind}: user ${user} was shown excluded posts`).toEqual([]);
        expect(new Set(feed).size, `${kind}: duplicates in user ${user}'s feed`).toBe(feed.length);
        expect(feed, `${kind}: user ${user}'s feed`).toHaveLength(feedSize);
      }
    });

    it(`when ${kind} has fewer eligible candidates than the feed size then each feed is exactly the eligible posts`, () => {
      // 24 candidates, each agent wrote some, liked 6 (the most popular first) and reposted 2.
      const { snapshot } = channel(6, 24, 6, 2);
      const feeds = createRecommender({ kind, refresh_every: 1, feed_size: 30, window: 24 }, 7, CLOCK).refresh(snapshot);
      for (const user of snapshot.users) {
        const excluded = excludedFor(snapshot, user);
        const eligible = snapshot.posts.map((p) => p.postId).filter((id) => !excluded.has(id));
        expect(eligible.length, 'the scenario leaves something to show').toBeGreaterThan(5);
        expect([...(feeds.get(user) ?? [])].sort((a, b) => a - b), `${kind}: user ${user}`).toEqual(eligible);
      }
    });
  }
});
