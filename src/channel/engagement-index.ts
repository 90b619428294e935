import { PairDiff } from './batch.js';
import { PostCounts } from './post-counts.js';
import type { PostKind } from './state.js';
import { TopK } from '../common/top-k.js';
import { grownInt32, resizedInt32 } from '../common/typed-arrays.js';

/** A post's creation step, for posts that are not feed candidates. */
const NOT_CANDIDATE = -0x80000000;

/** What the index keeps per creation step about the feed candidates (originals and quotes) created then. */
interface CreatedAt {
  /** Candidate ids, in the order they came (ascending). */
  ids: Uint32Array;
  size: number;
  maxId: number;
  /** At least the likes of every candidate here: raised by likes, left by unlikes. */
  likeBound: number;
  /** #tag → live candidates (not deleted, flagged or hidden) carrying it. */
  readonly tags: Map<string, number>;
}

/**
 * What trends and the step's snapshot read, kept in step with every post, like, unlike,
 * dislike, repost and removal as the steps go, and rebuilt from the tables on load, so that a
 * trends call sums a window's per-step aggregates instead of walking every post of the window
 * and no snapshot asks DuckDB for counts:
 * - likes + reposts per post and step, each row counted at its created_step (velocity);
 * - current likes, reposts and dislikes per post (the counts shown with each feed candidate),
 *   and per creation step its candidates with a bound of their likes (most_liked: only steps
 *   whose bound can still enter the top k are walked);
 * - per creation step, the live candidates carrying each #tag (hashtags).
 * Post ids are the channel's dense ids: per-post data sits in typed arrays indexed by id.
 */
export class EngagementIndex {
  /**
   * Posts below `base` have left the memory window (ChannelState.evictBefore): engagement on
   * them is not counted, and the per-post arrays start at `offset` (≤ base), moved up once
   * half of them lies below the base.
   */
  private base = 0;
  private offset = 0;
  /** post - offset → current likes. */
  private likeCounts = new Int32Array(1024);
  /** post - offset → reposts (never taken back) and current dislikes: the feed's counts besides likes. */
  private repostCounts = new Int32Array(1024);
  private dislikeCounts = new Int32Array(1024);
  /** post - offset → creation step, NOT_CANDIDATE for comments and reposts. */
  private createdSteps = new Int32Array(1024).fill(NOT_CANDIDATE);
  /** (user, post) pair key → step of its likes row. */
  private readonly likeSteps = new Map<number, number>();
  /** step → post → likes + reposts whose row carries that step. */
  private readonly byStep = new Map<number, PostCounts>();
  private readonly created = new Map<number, CreatedAt>();
  /** Likes removed during `removedIn`: an unlike-then-like in one step keeps the old row and step. */
  private removed = new Map<number, number>();
  private removedIn = -1;
  /** Scratch for `rising`: post → growth (zero between calls), and the posts it touched. */
  private growth: Int32Array = new Int32Array(0);
  private grown: Int32Array = new Int32Array(0);

  likes(post: number): number {
    return post < this.base ? 0 : (this.likeCounts[post - this.offset] ?? 0);
  }

  /** Rows of the reposts table naming `post` (0 for a post that left the memory window). */
  reposts(post: number): number {
    return post < this.base ? 0 : (this.repostCounts[post - this.offset] ?? 0);
  }

  /** Rows of the dislikes table naming `post` (0 for a post that left the memory window). */
  dislikes(post: number): number {
    return post < this.base ? 0 : (this.dislikeCounts[post - this.offset] ?? 0);
  }

  /**
   * Forgets posts below `post` and what was created before `step`: their per-step candidates
   * and #tags, and the likes and reposts rows of those steps. The memory window keeps at least
   * twice the trends window, so no trend reads what is dropped.
   */
  evictBefore(post: number, step: number): void {
    if (post <= this.base) return;
    this.base = post;
    for (const s of this.created.keys()) if (s < step) this.created.delete(s);
    for (const s of this.byStep.keys()) if (s < step) this.byStep.delete(s);
    const cut = post - this.offset;
    if (cut * 2 < this.likeCounts.length) return;
    this.likeCounts = this.likeCounts.slice(Math.min(cut, this.likeCounts.length));
    this.repostCounts = this.repostCounts.slice(Math.min(cut, this.repostCounts.length));
    this.dislikeCounts = this.dislikeCounts.slice(Math.min(cut, this.dislikeCounts.length));
    this.createdSteps = this.createdSteps.slice(Math.min(cut, this.createdSteps.length));
    this.growth = new Int32Array(0);
    this.offset = post;
  }

  /** Drops the step of a like on a post that left the window (its (user, post) key). */
  forgetLike(user: number, post: number): void {
    if (post < this.base) this.likeSteps.delete(PairDiff.key(user, post));
  }

  /** A new post; `tags` are its #tags when it is live (null or none otherwise). */
  addPost(id: number, post: { readonly kind: PostKind; readonly createdStep: number }, tags: readonly string[] | null): void {
    if ((post.kind !== 'original' && post.kind !== 'quote') || id < this.base) return;
    let at = this.created.get(post.createdStep);
    if (!at) this.created.set(post.createdStep, (at = { ids: new Uint32Array(16), size: 0, maxId: -1, likeBound: 0, tags: new Map() }));
    if (at.size === at.ids.length) {
      const ids = new Uint32Array(at.size * 2);
      ids.set(at.ids);
      at.ids = ids;
    }
    at.ids[at.size++] = id;
    at.maxId = Math.max(at.maxId, id);
    at.likeBound = Math.max(at.likeBound, this.likes(id));
    this.reserve(id);
    this.createdSteps[id - this.offset] = post.createdStep;
    for (const tag of tags ?? []) at.tags.set(tag, (at.tags.get(tag) ?? 0) + 1);
  }

  /** A live post's #tags leave hashtag trends: it was deleted, flagged or hidden. */
  removeTags(post: { readonly kind: PostKind; readonly createdStep: number }, tags: readonly string[] | null): void {
    if (post.kind !== 'original' && post.kind !== 'quote') return;
    const at = this.created.get(post.createdStep);
    for (const tag of tags ?? []) {
      const n = (at?.tags.get(tag) ?? 0) - 1;
      if (n > 0) at?.tags.set(tag, n);
      else at?.tags.delete(tag);
    }
  }

  /** A like by `user` applied at `step`; `restored` when it cancels an unlike of the same step. */
  like(user: number, post: number, step: number, restored = false): void {
    if (post < this.base) return;
    const key = PairDiff.key(user, post);
    const at = restored && this.removedIn === step ? (this.removed.get(key) ?? step) : step;
    this.likeSteps.set(key, at);
    this.reserve(post);
    const n = ++this.likeCounts[post - this.offset]!;
    const created = this.created.get(this.createdSteps[post - this.offset]!);
    if (created && n > created.likeBound) created.likeBound = n;
    this.bump(at, post, 1);
  }

  unlike(user: number, post: number, step: number): void {
    if (post < this.base) return;
    const key = PairDiff.key(user, post);
    const at = this.likeSteps.get(key);
    if (at === undefined) return;
    this.likeSteps.delete(key);
    this.likeCounts[post - this.offset]!--;
    this.bump(at, post, -1);
    if (this.removedIn !== step) {
      this.removed = new Map();
      this.removedIn = step;
    }
    this.removed.set(key, at);
  }

  repost(post: number, step: number): void {
    if (post < this.base) return;
    this.reserve(post);
    this.repostCounts[post - this.offset]!++;
    this.bump(step, post, 1);
  }

  /** A dislike of `post` set (+1) or taken back (−1). */
  dislike(post: number, by: 1 | -1): void {
    if (post < this.base) return;
    this.reserve(post);
    this.dislikeCounts[post - this.offset]! += by;
  }

  /**
   * Candidates created at `from` or later with the most likes (at least one) that `keep`
   * passes, most first; ties to the newer post. Steps go by their like bound, and a step
   * whose bound cannot enter the top k is skipped without reading its posts.
   */
  mostLiked(from: number, limit: number, keep: (post: number) => boolean): number[] {
    const top = new TopK(limit);
    const steps = [...this.created].filter(([step]) => step >= from).map(([, at]) => at);
    steps.sort((a, b) => b.likeBound - a.likeBound || b.maxId - a.maxId);
    const likes = this.likeCounts;
    const offset = this.offset;
    for (const at of steps) {
      if (at.likeBound <= 0 || top.rejects(at.likeBound, at.maxId)) continue;
      for (let i = at.size - 1; i >= 0; i--) {
        const id = at.ids[i]!;
        const n = likes[id - offset]!;
        if (n > 0 && !top.rejects(n, id) && keep(id)) top.offer(id, n, id);
      }
    }
    return top.drain();
  }

  /**
   * Posts whose likes + reposts with a step in [from, to] exceed those in the `window` steps
   * before `from`, by that growth, most first, that `keep` passes; ties to the newer post.
   * Per-step counts are never negative, so only posts engaged in [from, to] can grow.
   */
  rising(from: number, to: number, window: number, limit: number, keep: (post: number) => boolean): number[] {
    if (this.growth.length < this.likeCounts.length) this.growth = new Int32Array(this.likeCounts.length);
    const growth = this.growth;
    const { base, offset } = this;
    const now: [number, PostCounts][] = [];
    const before: PostCounts[] = [];
    for (const [step, counts] of this.byStep) {
      if (step >= from && step <= to) now.push([step, counts]);
      else if (step >= from - window && step < from) before.push(counts);
    }
    // Newest step first, latest engaged first: newer posts tend to come before older ones, so
    // on equal growth the older ones are turned away by `admits` without asking `keep`.
    now.sort((a, b) => b[0] - a[0]);
    let grown = this.grown;
    let size = 0;
    for (const [, { posts, counts, size: n }] of now) {
      if (grown.length < size + n) grown = this.grown = grownInt32(grown, size + n);
      for (let i = n - 1; i >= 0; i--) {
        const post = posts[i]!;
        if (post < base) continue;
        if (growth[post - offset] === 0 && counts[i] !== 0) grown[size++] = post;
        growth[post - offset]! += counts[i]!;
      }
    }
    for (const { posts, counts, size: n } of before) {
      for (let i = 0; i < n; i++) if (posts[i]! >= base && growth[posts[i]! - offset] !== 0) growth[posts[i]! - offset]! -= counts[i]!;
    }
    const top = new TopK(limit);
    for (let i = 0; i < size; i++) {
      const post = grown[i]!;
      const g = growth[post - offset]!;
      growth[post - offset] = 0;
      if (g > 0 && !top.rejects(g, post) && keep(post)) top.offer(post, g, post);
    }
    return top.drain();
  }

  /** #tag → live candidates created at `from` or later carrying it. */
  tagCounts(from: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [step, at] of this.created) {
      if (step < from) continue;
      for (const [tag, n] of at.tags) out.set(tag, (out.get(tag) ?? 0) + n);
    }
    return out;
  }

  private bump(step: number, post: number, by: number): void {
    let counts = this.byStep.get(step);
    if (!counts) this.byStep.set(step, (counts = new PostCounts()));
    counts.add(post, by);
  }

  /** Room for post ids up to `post` in the per-post arrays. */
  private reserve(post: number): void {
    const at = post - this.offset;
    if (at < this.likeCounts.length) return;
    const size = Math.max(at + 1, Math.floor(this.likeCounts.length * 1.5));
    this.likeCounts = resizedInt32(this.likeCounts, size);
    this.repostCounts = resizedInt32(this.repostCounts, size);
    this.dislikeCounts = resizedInt32(this.dislikeCounts, size);
    const steps = new Int32Array(size).fill(NOT_CANDIDATE);
    steps.set(this.createdSteps);
    this.createdSteps = steps;
  }
}

