import { Rng } from '../common/rng.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

/**
 * The null model: each user gets recent posts drawn uniformly at random, never its own post nor
 * one it already liked or reposted.
 */
export function createRandom({ seed, feedSize }: RecommenderOptions): Recommender {
  return {
    kind: 'random',
    refresh(snapshot) {
      const posts = snapshot.posts;
      const ownCount = new Map<number, number>();
      for (const p of posts) ownCount.set(p.authorId, (ownCount.get(p.authorId) ?? 0) + 1);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const rng = Rng.derive(seed, 'recsys-random', snapshot.step, user);
        const engaged = snapshot.engagedBy(user);
        const notOwn = posts.length - (ownCount.get(user) ?? 0);
        // Engaged posts among the candidates (history outside the window does not count); only
        // counted when they could bring the eligible posts below twice the feed.
        let engagedHere = 0;
        if (notOwn - engaged.size < feedSize * 2) {
          for (const id of engaged) {
            const p = snapshot.postsById.get(id);
            if (p && p.authorId !== user) engagedHere++;
          }
        }
        const eligibleCount = notOwn - engagedHere;
        const want = Math.min(feedSize, eligibleCount);
        // Rejection sampling: O(feedSize) per user instead of shuffling every candidate; it
        // only pays while most candidates are eligible, so heavy posters and likers take the exact path.
        const chosen = new Set<number>();
        if (eligibleCount >= feedSize * 2) {
          for (let tries = 0; chosen.size < want && tries < feedSize * 20; tries++) {
            const p = posts[rng.int(posts.length)]!;
            if (p.authorId !== user && !engaged.has(p.postId)) chosen.add(p.postId);
          }
        }
        if (chosen.size < want) {
          const rest = posts.filter((p) => p.authorId !== user && !engaged.has(p.postId) && !chosen.has(p.postId)).map((p) => p.postId);
          for (const id of rng.sample(rest, want - chosen.size)) chosen.add(id);
        }
        feeds.set(user, [...chosen]);
      }
      return feeds;
    },
  };
}
