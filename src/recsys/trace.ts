import { candidatesOf, FeedFiller } from './candidates.js';
import { ItemNeighbours } from './item-knn.js';
import { TopK } from '../common/top-k.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

export const DEFAULT_NEIGHBORS = 50;

/**
 * Item-based collaborative filtering: "people who engaged with what you engaged with also
 * engaged with this". A candidate's score for a user is the sum, over the posts in the
 * user's (capped, see HISTORY_CAP) like and repost history, of the cosine similarity between
 * that post and the candidate, counting only each post's `neighbors` most similar candidates.
 * Recomputed from all interactions at every refresh; users without history, or whose history
 * shares no engaging user with any candidate, get popular posts.
 */
export function createTrace({ feedSize, config }: RecommenderOptions): Recommender {
  const neighbors = config.neighbors ?? DEFAULT_NEIGHBORS;
  return {
    kind: 'trace',
    refresh(snapshot) {
      const cands = candidatesOf(snapshot);
      const model = new ItemNeighbours(snapshot.interactions(), cands, neighbors);
      const filler = new FeedFiller(snapshot, feedSize);
      const best = new TopK(feedSize);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const engaged = snapshot.engagedBy(user);
        model.match(user, (c) => cands.authors[c] !== user && !engaged.has(cands.posts[c]!.postId), best);
        feeds.set(user, filler.feed(user, best.drain().map((item) => cands.posts[model.candidate(item)]!.postId)));
      }
      return feeds;
    },
  };
}
