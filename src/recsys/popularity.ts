import type { PostView } from '../channel/snapshot.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

/** Likes count once, reposts twice: a repost pushes a post to a whole audience. */
export function popularityScore(p: PostView): number {
  return p.likes + 2 * p.reposts;
}

/** Most popular first; ties to the newer post, then to the higher id: a total order. */
const byPopularity = (a: PostView, b: PostView): number => popularityScore(b) - popularityScore(a) || b.createdStep - a.createdStep || b.postId - a.postId;

/**
 * The first `k` of `posts` in popularity order, equal to the head of a full sort (the order is
 * total) without sorting them all: one pass keeping the best k in order, which at a million
 * candidates and a few dozen kept costs about a comparison a post instead of twenty.
 */
export function topByPopularity(posts: readonly PostView[], k: number): PostView[] {
  const top: PostView[] = [];
  if (k <= 0) return top;
  for (const p of posts) {
    if (top.length === k && byPopularity(p, top[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byPopularity(top[mid]!, p) < 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, p);
    if (top.length > k) top.pop();
  }
  return top;
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
      // The head of the order is enough for nearly every user, who skips only the few posts of
      // it they wrote or engaged with; the whole order is sorted only for one who skips more.
      const head = topByPopularity(snapshot.posts, 4 * feedSize);
      let ranked: readonly PostView[] | null = head.length === snapshot.posts.length ? head : null;
      const top = head.slice(0, feedSize);
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
        const feedOf = (order: readonly PostView[]): number[] => {
          const own: number[] = [];
          for (const p of order) {
            if (own.length === feedSize) break;
            if (p.authorId === user || engaged.has(p.postId)) continue;
            own.push(p.postId);
          }
          return own;
        };
        let own = feedOf(head);
        if (own.length < feedSize && ranked !== head) own = feedOf((ranked ??= snapshot.posts.slice().sort(byPopularity)));
        feeds.set(user, own);
      }
      return feeds;
    },
  };
}
