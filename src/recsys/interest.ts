import type { ChannelSnapshot } from '../channel/snapshot.js';
import { candidatesOf, FeedFiller, recency, type Candidates } from './candidates.js';
import { ContentIndex, type Query } from './content-index.js';
import { Vocabulary } from './tfidf.js';
import { TopK } from './top-k.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

export const DEFAULT_RECENCY_HALF_LIFE = 6;

/**
 * Engaged posts read into a user's query at most, its most recent: a heavy liker's
 * thousands of posts would cost more than all other users' queries together and say little
 * more about its interests than its last few hundred.
 */
export const QUERY_HISTORY = 200;

/**
 * The user's interests as a TF-IDF query: its profile (name and bio) and the texts of the
 * posts it liked or reposted that are still candidates (the QUERY_HISTORY most recent), read
 * as one document.
 */
export function interestQuery(snapshot: ChannelSnapshot, vocab: Vocabulary, index: ContentIndex, cands: Candidates, user: number): Query {
  let engaged: number[] = [];
  for (const id of snapshot.engagedBy(user)) {
    const at = cands.indexOf(id);
    if (at >= 0) engaged.push(at);
  }
  // Counts add up exactly in any order, so below the cap the set's order does not matter.
  if (engaged.length > QUERY_HISTORY) engaged = engaged.sort((a, b) => cands.newer[b]! - cands.newer[a]!).slice(0, QUERY_HISTORY);
  return index.queryOf(vocab.profileBag(user, snapshot.profileOf(user)), engaged);
}

/**
 * Content-based: each user's feed is the candidates most similar to its interests, by TF-IDF
 * cosine of the post's text and `interestQuery`, times 0.5^(age / recency_half_life).
 * Users whose interests match nothing (no bio words in any post, no history) get popular posts.
 */
export function createInterest({ feedSize, config }: RecommenderOptions): Recommender {
  const halfLife = config.recency_half_life ?? DEFAULT_RECENCY_HALF_LIFE;
  const vocab = new Vocabulary();
  return {
    kind: 'interest',
    refresh(snapshot) {
      const cands = candidatesOf(snapshot);
      const bags = vocab.bagsOf(cands.posts);
      const prior = Float64Array.from(cands.posts, (p) => recency(snapshot, p, halfLife));
      const index = new ContentIndex(vocab, bags, prior);
      const filler = new FeedFiller(snapshot, feedSize);
      const best = new TopK(feedSize);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const engaged = snapshot.engagedBy(user);
        const eligible = (doc: number): boolean => {
          const p = cands.posts[doc]!;
          return p.authorId !== user && !engaged.has(p.postId);
        };
        index.match(interestQuery(snapshot, vocab, index, cands, user), eligible, best, cands.newer);
        feeds.set(user, filler.feed(user, best.drain().map((doc) => cands.posts[doc]!.postId)));
      }
      return feeds;
    },
  };
}
