import type { PostView } from '../channel/snapshot.js';
import { FeedFiller } from './candidates.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

/** Reddit's epoch (2005-12-08T07:46:43Z) in seconds, as in its `hot` function. */
export const REDDIT_EPOCH_S = 1134028003;

/**
 * Reddit's hot score: sign(s)·log10(max(|s|, 1)) + (t − epoch) / 45000, with s = likes −
 * dislikes and t the post's simulated creation time in seconds. Every 12.5 hours of age
 * costs as much as a tenfold drop in net likes, and net-negative posts sink below new ones.
 */
export function hotScore(post: Pick<PostView, 'likes' | 'dislikes' | 'createdStep'>, clock: RecommenderOptions['clock']): number {
  const s = post.likes - post.dislikes;
  const createdS = (clock.startMs + post.createdStep * clock.stepMs) / 1000;
  return Math.sign(s) * Math.log10(Math.max(Math.abs(s), 1)) + (createdS - REDDIT_EPOCH_S) / 45000;
}

/** One hot ranking for everyone, minus each user's own and already engaged posts. */
export function createRedditHot({ feedSize, clock }: RecommenderOptions): Recommender {
  return {
    kind: 'reddit-hot',
    refresh(snapshot) {
      const scored = snapshot.posts.map((p) => ({ p, score: hotScore(p, clock) }));
      scored.sort((a, b) => b.score - a.score || b.p.createdStep - a.p.createdStep || b.p.postId - a.p.postId);
      const ranked = scored.map((s) => s.p.postId);
      const filler = new FeedFiller(snapshot, feedSize);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) feeds.set(user, filler.feed(user, ranked));
      return feeds;
    },
  };
}
