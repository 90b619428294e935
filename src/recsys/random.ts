import { Rng } from '../common/rng.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

/** The null model: each user gets recent posts (not their own) drawn uniformly at random. */
export function createRandom({ seed, feedSize }: RecommenderOptions): Recommender {
  return {
    kind: 'random',
    refresh(snapshot) {
      const posts = snapshot.posts;
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const rng = Rng.derive(seed, 'recsys-random', snapshot.step, user);
        if (posts.length <= feedSize * 2) {
          const eligible = posts.filter((p) => p.authorId !== user).map((p) => p.postId);
          feeds.set(user, rng.sample(eligible, feedSize));
          continue;
        }
        // Rejection sampling: O(feedSize) per user instead of shuffling every candidate.
        const chosen = new Set<number>();
        for (let tries = 0; chosen.size < feedSize && tries < feedSize * 20; tries++) {
          const p = posts[rng.int(posts.length)]!;
          if (p.authorId !== user) chosen.add(p.postId);
        }
        feeds.set(user, [...chosen]);
      }
      return feeds;
    },
  };
}
