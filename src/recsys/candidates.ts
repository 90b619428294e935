import type { ChannelSnapshot, PostView } from '../channel/snapshot.js';
import { fillFeed, popularRanking } from './fallback.js';

/**
 * What the scoring recommenders need about a refresh's candidates, computed once: the post
 * behind each dense index (the index into `snapshot.posts`), its author, the way back from
 * a post id, and the tie-breaking rank.
 */
export interface Candidates {
  readonly posts: readonly PostView[];
  /** Author of each candidate (a dense copy, cheaper to read per candidate than `posts`). */
  readonly authors: Int32Array;
  /** Post id → index into `posts`, or -1 when the post is not a candidate. */
  readonly indexOf: (postId: number) => number;
  /**
   * Per candidate, its place in (createdStep, postId) order: ties in score go to the higher
   * rank, i.e. the newer post, then the higher id (the rule `popularRanking` follows).
   */
  readonly newer: Int32Array;
}

export function candidatesOf(snapshot: ChannelSnapshot): Candidates {
  const posts = snapshot.posts;
  const newer = new Int32Array(posts.length);
  // The channel hands posts in id order and ids grow with time, so the rank is usually the
  // index itself; hand-made snapshots need not be, hence the check and the sort.
  let inOrder = true;
  for (let i = 1; i < posts.length && inOrder; i++) inOrder = compareAge(posts[i - 1]!, posts[i]!) < 0;
  if (inOrder) {
    for (let i = 0; i < posts.length; i++) newer[i] = i;
  } else {
    const order = Array.from({ length: posts.length }, (_, i) => i).sort((a, b) => compareAge(posts[a]!, posts[b]!));
    order.forEach((at, rank) => (newer[at] = rank));
  }
  return { posts, authors: Int32Array.from(posts, (p) => p.authorId), indexOf: indexLookup(posts), newer };
}

/**
 * Candidates' ids span the window's posts (replies and reposts fill the gaps), so a table
 * over that span is a few bytes per post and several times faster than a Map, which stays
 * the answer for ids spread too thinly.
 */
function indexLookup(posts: readonly PostView[]): (postId: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of posts) {
    lo = Math.min(lo, p.postId);
    hi = Math.max(hi, p.postId);
  }
  if (posts.length > 0 && hi - lo < 16 * posts.length + 1024) {
    const table = new Int32Array(hi - lo + 1).fill(-1);
    posts.forEach((p, i) => (table[p.postId - lo] = i));
    return (id) => (id >= lo && id <= hi ? table[id - lo]! : -1);
  }
  const map = new Map(posts.map((p, i) => [p.postId, i]));
  return (id) => map.get(id) ?? -1;
}

function compareAge(a: PostView, b: PostView): number {
  return a.createdStep - b.createdStep || a.postId - b.postId;
}

/** Each author's candidates (indices), in candidate order. */
export function candidatesByAuthor(cands: Candidates): Map<number, number[]> {
  const byAuthor = new Map<number, number[]>();
  cands.posts.forEach((p, i) => {
    const list = byAuthor.get(p.authorId);
    if (list) list.push(i);
    else byAuthor.set(p.authorId, [i]);
  });
  return byAuthor;
}

/** 0.5^(age / halfLife): a post loses half its score every `halfLife` steps. */
export function recency(snapshot: ChannelSnapshot, post: PostView, halfLife: number): number {
  return Math.pow(0.5, Math.max(0, snapshot.step - post.createdStep) / halfLife);
}

/**
 * Turns a recommender's own ranking (post ids, best first) into the user's feed with
 * `fillFeed`, which drops the user's own and engaged posts. The popular ranking (a sort of
 * every candidate, a third of a second at a million) is made once per refresh, and only if
 * some user's own ranking falls short of a full feed.
 */
export class FeedFiller {
  private popular: readonly PostView[] | null = null;

  constructor(
    private readonly snapshot: ChannelSnapshot,
    private readonly feedSize: number,
  ) {}

  feed(user: number, ranked: readonly number[]): number[] {
    const feed = fillFeed(ranked, [], this.snapshot, user, this.feedSize);
    if (feed.length >= this.feedSize) return feed;
    this.popular ??= popularRanking(this.snapshot);
    return fillFeed(ranked, this.popular, this.snapshot, user, this.feedSize);
  }
}
