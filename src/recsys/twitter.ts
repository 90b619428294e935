import { candidatesByAuthor, candidatesOf, FeedFiller, recency } from './candidates.js';
import { DEFAULT_RECENCY_HALF_LIFE, userInterests } from './interest.js';
import { ContentIndex } from './content-index.js';
import { Vocabulary } from './tfidf.js';
import { TopK } from './top-k.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

export const DEFAULT_IN_NETWORK_SHARE = 0.5;
export const DEFAULT_ENGAGEMENT_WEIGHT = 1;

/**
 * Merges two ranked lists so that every prefix holds about their overall proportions of
 * each (the first list wins a tie): the engine shows an agent only the head of its feed, so
 * concatenating would give a reader of half a feed nothing but followees.
 */
export function interleave(a: readonly number[], b: readonly number[]): number[] {
  const total = a.length + b.length;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i + j < total) {
    // Take from `a` while it is at or behind its share a/total of the items placed so far.
    const takeA = j >= b.length || (i < a.length && i * total < a.length * (i + j + 1));
    out.push(takeA ? a[i++]! : b[j++]!);
  }
  return out;
}

/**
 * The "For you" timeline, simplified: ⌈in_network_share × feed_size⌉ slots go to followees'
 * posts, the rest to other accounts' posts ranked by TF-IDF similarity to the user's
 * interests (as the interest recommender reads them). A post's score is similarity (1 for
 * in-network) × 0.5^(age / recency_half_life) × (1 + engagement_weight · log1p(likes + reposts)).
 * When followees posted too little the out-of-network half takes the free slots, and the
 * other way round; the two are interleaved (see `interleave`), then popular posts fill up.
 */
export function createTwitter({ feedSize, config }: RecommenderOptions): Recommender {
  const share = config.in_network_share ?? DEFAULT_IN_NETWORK_SHARE;
  const halfLife = config.recency_half_life ?? DEFAULT_RECENCY_HALF_LIFE;
  const engagementWeight = config.engagement_weight ?? DEFAULT_ENGAGEMENT_WEIGHT;
  const inSlots = Math.ceil(share * feedSize);
  const vocab = new Vocabulary();
  return {
    kind: 'twitter',
    refresh(snapshot) {
      const cands = candidatesOf(snapshot);
      const base = Float64Array.from(cands.posts, (p) => recency(snapshot, p, halfLife) * (1 + engagementWeight * Math.log1p(p.likes + p.reposts)));
      const bags = vocab.bagsOf(cands.posts);
      const index = new ContentIndex(vocab, bags, base);

      // Each author's candidates, best first, so a followee's list is read only while its
      // posts could still enter the user's top feed_size.
      const byAuthor = candidatesByAuthor(cands);
      const bestOfAuthor = new Map<number, number[]>();
      for (const [author, list] of byAuthor) bestOfAuthor.set(author, list.slice().sort((a, b) => base[b]! - base[a]! || cands.newer[b]! - cands.newer[a]!));

      const filler = new FeedFiller(snapshot, feedSize);
      const inBest = new TopK(feedSize);
      const outBest = new TopK(feedSize);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const followees = snapshot.followeesOf(user);
        const engaged = snapshot.engagedBy(user);
        for (const f of followees) {
          if (f === user) continue;
          for (const i of bestOfAuthor.get(f) ?? []) {
            if (inBest.rejects(base[i]!, cands.newer[i]!)) break;
            const id = cands.posts[i]!.postId;
            if (!engaged.has(id)) inBest.offer(id, base[i]!, cands.newer[i]!);
          }
        }
        const inNetwork = inBest.drain();

        const { query, blocked } = userInterests(snapshot, vocab, index, cands, byAuthor, user);
        index.match(query, blocked, (doc) => !followees.has(cands.posts[doc]!.authorId), outBest, cands.newer);
        const outOfNetwork = outBest.drain().map((doc) => cands.posts[doc]!.postId).slice(0, feedSize - Math.min(inSlots, inNetwork.length));
        feeds.set(user, filler.feed(user, interleave(inNetwork.slice(0, feedSize - outOfNetwork.length), outOfNetwork)));
      }
      return feeds;
    },
  };
}
