import type { ChannelSnapshot } from '../channel/snapshot.js';
import { candidatesByAuthor, candidatesOf, FeedFiller, recency, type Candidates } from './candidates.js';
import { ContentIndex, type Query } from './content-index.js';
import { embeddingInterestFeeds } from './embedding-interest.js';
import { Vocabulary } from './tfidf.js';
import { TopK } from '../common/top-k.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

export const DEFAULT_RECENCY_HALF_LIFE = 6;

/**
 * Engaged posts read into a user's query at most, its most recent: a heavy liker's
 * thousands of posts would cost more than all other users' queries together and say little
 * more about its interests than its last few hundred.
 */
export const QUERY_HISTORY = 200;

/**
 * What the content-based recommenders know of a user, from its own posts (`byAuthor`) and
 * its likes and reposts: the candidates it may not be shown (its own and engaged posts) and
 * its interests as a TF-IDF query, its profile (name and bio) and the texts of the engaged
 * candidates (the QUERY_HISTORY most recent) read as one document.
 */
export function userInterests(
  snapshot: ChannelSnapshot,
  vocab: Vocabulary,
  index: ContentIndex,
  cands: Candidates,
  byAuthor: ReadonlyMap<number, readonly number[]>,
  user: number,
  engagedPosts: ReadonlySet<number> = snapshot.engagedBy(user),
): { readonly query: Query; readonly blocked: readonly number[] } {
  const engaged: number[] = [];
  for (const id of engagedPosts) {
    const at = cands.indexOf(id);
    if (at >= 0) engaged.push(at);
  }
  // Counts add up exactly in any order, so below the cap the set's order does not matter.
  const read = engaged.length > QUERY_HISTORY ? engaged.slice().sort((a, b) => cands.newer[b]! - cands.newer[a]!).slice(0, QUERY_HISTORY) : engaged;
  const query = index.queryOf(vocab.profileBag(user, snapshot.profileOf(user)), read);
  const own = byAuthor.get(user);
  return { query, blocked: own ? [...engaged, ...own] : engaged };
}

/**
 * Content-based: each user's feed is the candidates most similar to its interests, by TF-IDF
 * cosine of the post's text and `userInterests`, times 0.5^(age / recency_half_life).
 * Users whose interests match nothing (no bio words in any post, no history) get popular posts.
 * With `embedding_model`, embeddings replace TF-IDF (see `embeddingInterestFeeds`).
 */
export function createInterest({ feedSize, config }: RecommenderOptions): Recommender {
  const halfLife = config.recency_half_life ?? DEFAULT_RECENCY_HALF_LIFE;
  const vocab = new Vocabulary();
  return {
    kind: 'interest',
    refresh(snapshot) {
      if (config.embedding_model !== undefined) {
        // The engine embeds before it refreshes; a snapshot without vectors is a wiring bug.
        if (!snapshot.embeddings) throw new Error(`interest: embedding_model "${config.embedding_model}" is set but the snapshot carries no embeddings`);
        return embeddingInterestFeeds(snapshot, snapshot.embeddings, feedSize, halfLife, QUERY_HISTORY);
      }
      const cands = candidatesOf(snapshot);
      const bags = vocab.bagsOf(cands.posts);
      const prior = Float64Array.from(cands.posts, (p) => recency(snapshot, p, halfLife));
      const index = new ContentIndex(vocab, bags, prior);
      const filler = new FeedFiller(snapshot, feedSize);
      const byAuthor = candidatesByAuthor(cands);
      const best = new TopK(feedSize);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const { query, blocked } = userInterests(snapshot, vocab, index, cands, byAuthor, user);
        index.match(query, blocked, null, best, cands.newer);
        feeds.set(user, filler.feed(user, best.drain().map((doc) => cands.posts[doc]!.postId)));
      }
      return feeds;
    },
  };
}
