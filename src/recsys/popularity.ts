import type { PostView } from '../channel/snapshot.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

/** Likes count once, reposts twice: a repost pushes a post to a whole audience. */
export function popularityScore(p: PostView): number {
  return p.likes + 2 * p.reposts;
}

/**
 * Everyone sees the most engaged-with recent posts (minus their own): the "trending" feed.
 * Ties go to the newer post, then to the higher id, so the order is total and reproducible.
 */
export function createPopularity({ feedSize }: RecommenderOptions): Recommender {
  return {
    kind: 'popularity',
    refresh(snapshot) {
      const ranked = snapshot.posts
        .slice()
        .sort((a, b) => popularityScore(b) - popularityScore(a) || b.createdStep - a.createdStep || b.postId - a.postId);
      const top = ranked.slice(0, feedSize);
      const topIds = top.map((p) => p.postId);
      const topAuthors = new Set(top.map((p) => p.authorId));
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        // Most users wrote none of the top posts and share one array.
        if (!topAuthors.has(user)) {
          feeds.set(user, topIds);
          continue;
        }
        const own: number[] = [];
        for (const p of ranked) {
          if (p.authorId === user) continue;
          own.push(p.postId);
          if (own.length === feedSize) break;
        }
        feeds.set(user, own);
      }
      return feeds;
    },
  };
}
