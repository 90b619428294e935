import { candidatesByAuthor, candidatesOf, FeedFiller, recency, type Candidates } from './candidates.js';
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

      const byAuthor = candidatesByAuthor(cands);
      const network = new AuthorLists(byAuthor, cands, base);

      const filler = new FeedFiller(snapshot, feedSize);
      const inBest = new TopK(feedSize);
      const outBest = new TopK(feedSize);
      const feeds: Feeds = new Map();
      for (const user of snapshot.users) {
        const followees = snapshot.followeesOf(user);
        const engaged = snapshot.engagedBy(user);
        for (const f of followees) if (f !== user) network.offer(f, engaged, inBest);
        const inNetwork = inBest.drain().map((c) => cands.posts[c]!.postId);

        const { query, blocked } = userInterests(snapshot, vocab, index, cands, byAuthor, user, engaged);
        index.match(query, blocked, (doc) => !followees.has(cands.authors[doc]!), outBest, cands.newer);
        const outOfNetwork = outBest.drain().map((doc) => cands.posts[doc]!.postId).slice(0, feedSize - Math.min(inSlots, inNetwork.length));
        feeds.set(user, filler.feed(user, interleave(inNetwork.slice(0, feedSize - outOfNetwork.length), outOfNetwork)));
      }
      return feeds;
    },
  };
}

/**
 * Each author's candidates, best in-network score first, in flat arrays holding what the
 * loop over a user's followees reads (score, tie, post id), so a followee costs a lookup and
 * a short sequential read: its list is read only while its posts could still enter the feed.
 */
class AuthorLists {
  private readonly slotOf = new Map<number, number>();
  private readonly start: Int32Array;
  private readonly cand: Int32Array;
  private readonly score: Float64Array;
  private readonly tie: Int32Array;
  private readonly postId: Int32Array;

  constructor(byAuthor: ReadonlyMap<number, readonly number[]>, cands: Candidates, base: Float64Array) {
    this.start = new Int32Array(byAuthor.size + 1);
    this.cand = new Int32Array(cands.posts.length);
    let at = 0;
    for (const [author, list] of byAuthor) {
      const slot = this.slotOf.size;
      this.slotOf.set(author, slot);
      const sorted = list.slice().sort((a, b) => base[b]! - base[a]! || cands.newer[b]! - cands.newer[a]!);
      this.cand.set(sorted, at);
      at += sorted.length;
      this.start[slot + 1] = at;
    }
    this.score = Float64Array.from(this.cand, (c) => base[c]!);
    this.tie = Int32Array.from(this.cand, (c) => cands.newer[c]!);
    this.postId = Int32Array.from(this.cand, (c) => cands.posts[c]!.postId);
  }

  /** Offers `best` the author's candidates (as candidate indices) that could enter it, skipping `engaged` posts. */
  offer(author: number, engaged: ReadonlySet<number>, best: TopK): void {
    const slot = this.slotOf.get(author);
    if (slot === undefined) return;
    for (let k = this.start[slot]!; k < this.start[slot + 1]!; k++) {
      if (best.rejects(this.score[k]!, this.tie[k]!)) return;
      if (!engaged.has(this.postId[k]!)) best.offer(this.cand[k]!, this.score[k]!, this.tie[k]!);
    }
  }
}
