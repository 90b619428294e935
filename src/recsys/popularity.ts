import type { PostView } from '../channel/snapshot.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

/** Likes count once, reposts twice: a repost pushes a post to a whole audience. */
export function popularityScore(p: PostView): number {
  return p.likes + 2 * p.reposts;
}

/**
 * Everyone sees the most engaged-with recent posts, minus their own and those they already
 * liked or reposted: the "trending" feed. Ties go to the newer post, then to the higher id, so
 * the order is total and reproducible.
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
        const engaged = snapshot.engagedBy(user);
        // Most users wrote none of the top posts and engaged with none of them: they share one array.
        if (!topAuthors.has(user) && (engaged.size === 0 || !topIds.some((id) => engaged.has(id)))) {
          feeds.set(user, topIds);
          continue;
        }
        const own: number[] = [];
        for (const p of ranked) {
          if (own.length === feedSize) break;
          if (p.authorId === user || engaged.has(p.postId)) continue;
          own.push(p.postId);
        }
        feeds.set(user, own);
      }
      return feeds;
    },
  };
}
