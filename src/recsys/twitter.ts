import { candidatesByAuthor, candidatesOf, FeedFiller, recency, type Candidates } from './candidates.js';
import { DEFAULT_RECENCY_HALF_LIFE, userInterests } from './interest.js';
import { ContentIndex } from './content-index.js';
import { Vocabulary } from './tfidf.js';
import { TopK } from '../common/top-k.js';
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
      // Out of network = not by a followee: each user marks its followees' slots, so the
      // index's filter is two typed-array reads per candidate.
      const followed = new Uint8Array(network.authors);
      const notFollowed = (doc: number): boolean => followed[network.slotOfCandidate[doc]!] === 0;

      const filler = new FeedFiller(snapshot, feedSize);
      const inBest = new TopK(feedSize);
      // By the out-of-network slots left once followees' posts are placed: the index rescores
      // a multiple of what it is asked for, so a user with a full in-network half costs half.
      const outBest: TopK[] = [];
      const feeds: Feeds = new Map();
      let slots = new Int32Array(64);
      for (const user of snapshot.users) {
        const followees = snapshot.followeesOf(user);
        if (slots.length < followees.size) slots = new Int32Array(2 * followees.size);
        let count = 0;
        for (const f of followees) {
          const slot = f === user ? -1 : network.slotOfAuthor(f);
          if (slot >= 0) slots[count++] = slot;
        }
        const engaged = snapshot.engagedBy(user);
        for (let i = 0; i < count; i++) {
          followed[slots[i]!] = 1;
          network.offer(slots[i]!, engaged, inBest);
        }
        const inNetwork = inBest.drain().map((c) => cands.posts[c]!.postId);

        const wanted = feedSize - Math.min(inSlots, inNetwork.length);
        const best = (outBest[wanted] ??= new TopK(wanted));
        if (wanted > 0) {
          const { query, blocked } = userInterests(snapshot, vocab, index, cands, byAuthor, user, engaged);
          index.match(query, blocked, count > 0 ? notFollowed : null, best, cands.newer);
        }
        for (let i = 0; i < count; i++) followed[slots[i]!] = 0;
        const outOfNetwork = best.drain().map((doc) => cands.posts[doc]!.postId);
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
  /** Per candidate, its author's slot. */
  readonly slotOfCandidate: Int32Array;
  private readonly start: Int32Array;
  private readonly cand: Int32Array;
  private readonly score: Float64Array;
  private readonly tie: Int32Array;
  private readonly postId: Int32Array;

  constructor(byAuthor: ReadonlyMap<number, readonly number[]>, cands: Candidates, base: Float64Array) {
    this.start = new Int32Array(byAuthor.size + 1);
    this.cand = new Int32Array(cands.posts.length);
    this.slotOfCandidate = new Int32Array(cands.posts.length);
    let at = 0;
    for (const [author, list] of byAuthor) {
      const slot = this.slotOf.size;
      this.slotOf.set(author, slot);
      for (const c of list) this.slotOfCandidate[c] = slot;
      const sorted = list.slice().sort((a, b) => base[b]! - base[a]! || cands.newer[b]! - cands.newer[a]!);
      this.cand.set(sorted, at);
      at += sorted.length;
      this.start[slot + 1] = at;
    }
    this.score = Float64Array.from(this.cand, (c) => base[c]!);
    this.tie = Int32Array.from(this.cand, (c) => cands.newer[c]!);
    this.postId = Int32Array.from(this.cand, (c) => cands.posts[c]!.postId);
  }

  /** Authors with a candidate. */
  get authors(): number {
    return this.slotOf.size;
  }

  /** The author's slot, or -1 when it has no candidate. */
  slotOfAuthor(author: number): number {
    return this.slotOf.get(author) ?? -1;
  }

  /** Offers `best` the candidates of the author in `slot` (as candidate indices) that could enter it, skipping `engaged` posts. */
  offer(slot: number, engaged: ReadonlySet<number>, best: TopK): void {
    for (let k = this.start[slot]!; k < this.start[slot + 1]!; k++) {
      if (best.rejects(this.score[k]!, this.tie[k]!)) return;
      if (!engaged.has(this.postId[k]!)) best.offer(this.cand[k]!, this.score[k]!, this.tie[k]!);
    }
  }
}
