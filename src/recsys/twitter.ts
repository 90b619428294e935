import type { ChannelSnapshot, PostView } from '../channel/snapshot.js';
import { interleave } from '../common/interleave.js';
import { TopK } from '../common/top-k.js';
import { candidatesByAuthor, candidatesOf, FeedFiller, recency, type Candidates } from './candidates.js';
import { ContentIndex } from './content-index.js';
import { embeddingRankings } from './embedding-interest.js';
import { DEFAULT_RECENCY_HALF_LIFE, QUERY_HISTORY, userInterests } from './interest.js';
import { exclusionRule } from './learn/feeds.js';
import type { Excluded } from './learn/rank.js';
import { Vocabulary } from './tfidf.js';
import type { Feeds, Recommender, RecommenderOptions } from './types.js';

export const DEFAULT_IN_NETWORK_SHARE = 0.5;
export const DEFAULT_ENGAGEMENT_WEIGHT = 1;

/**
 * The "For you" timeline, simplified: ⌈in_network_share × feed_size⌉ slots go to followees'
 * posts, the rest to other accounts' posts ranked by TF-IDF similarity to the user's
 * interests (as the interest recommender reads them; by embedding cosine with
 * `embedding_model`, see `embeddingRankings`). A post's score is similarity (1 for
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
      const weightOf = (p: PostView): number => recency(snapshot, p, halfLife) * (1 + engagementWeight * Math.log1p(p.likes + p.reposts));
      const base = Float64Array.from(cands.posts, weightOf);
      const byAuthor = candidatesByAuthor(cands);
      const network = new AuthorLists(byAuthor, cands, base);
      // Out of network = not by a followee: each user marks its followees' slots, so the
      // index's filter is two typed-array reads per candidate.
      const followed = new Uint8Array(network.authors);
      const notFollowed = (doc: number): boolean => followed[network.slotOfCandidate[doc]!] === 0;

      // The best `wanted` posts not by a followee (marked in `followed` meanwhile), as post ids.
      let outOfNetwork: (user: number, engaged: ReadonlySet<number>, wanted: number) => number[];
      if (config.embedding_model !== undefined) {
        // The engine embeds before it refreshes; a snapshot without vectors is a wiring bug.
        if (!snapshot.embeddings) throw new Error(`twitter: embedding_model "${config.embedding_model}" is set but the snapshot carries no embeddings`);
        const ranked = embeddingRankings(snapshot, snapshot.embeddings, feedSize, weightOf, QUERY_HISTORY, outOfNetworkRule(snapshot));
        outOfNetwork = (user, _engaged, wanted) => (ranked.get(user) ?? []).slice(0, wanted);
      } else {
        const index = new ContentIndex(vocab, vocab.bagsOf(cands.posts), base);
        // By the out-of-network slots left once followees' posts are placed: the index rescores
        // a multiple of what it is asked for, so a user with a full in-network half costs half.
        const outBest: TopK[] = [];
        outOfNetwork = (user, engaged, wanted) => {
          const best = (outBest[wanted] ??= new TopK(wanted));
          if (wanted > 0) {
            const { query, blocked } = userInterests(snapshot, vocab, index, cands, byAuthor, user, engaged);
            index.match(query, blocked, notFollowed, best, cands.newer);
          }
          return best.drain().map((doc) => cands.posts[doc]!.postId);
        };
      }

      const filler = new FeedFiller(snapshot, feedSize);
      const inBest = new TopK(feedSize);
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

        const others = outOfNetwork(user, engaged, feedSize - Math.min(inSlots, inNetwork.length));
        for (let i = 0; i < count; i++) followed[slots[i]!] = 0;
        feeds.set(user, filler.feed(user, interleave(inNetwork.slice(0, feedSize - others.length), others)));
      }
      return feeds;
    },
  };
}

/** What `twitter`'s out-of-network half leaves out: the user's own posts, its followees' and those it engaged with. */
function outOfNetworkRule(snapshot: ChannelSnapshot): Excluded {
  const own = exclusionRule(snapshot);
  // Users are ranked a block of four at a time: keep the followee sets of the last few.
  const recent = new Map<number, ReadonlySet<number>>();
  return (user, postId, authorId) => {
    let followees = recent.get(user);
    if (!followees) {
      if (recent.size >= 8) recent.clear();
      recent.set(user, (followees = snapshot.followeesOf(user)));
    }
    return followees.has(authorId) || own(user, postId, authorId);
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
