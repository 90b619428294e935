import { PairDiff } from './batch.js';

/**
 * Likes and reposts per post and per step, for trends: what the likes and reposts tables
 * hold (each row counted at its created_step), kept in step with every like, unlike and
 * repost, and rebuilt from those tables on load.
 */
export class EngagementIndex {
  /** post → current likes. */
  private readonly likeCounts = new Map<number, number>();
  /** (user, post) pair key → step of its likes row. */
  private readonly likeSteps = new Map<number, number>();
  /** step → post → likes + reposts whose row carries that step. */
  private readonly byStep = new Map<number, Map<number, number>>();
  /** Likes removed during `removedIn`: an unlike-then-like in one step keeps the old row and step. */
  private removed = new Map<number, number>();
  private removedIn = -1;

  likes(post: number): number {
    return this.likeCounts.get(post) ?? 0;
  }

  /** A like by `user` applied at `step`; `restored` when it cancels an unlike of the same step. */
  like(user: number, post: number, step: number, restored = false): void {
    const key = PairDiff.key(user, post);
    const at = restored && this.removedIn === step ? (this.removed.get(key) ?? step) : step;
    this.likeSteps.set(key, at);
    this.likeCounts.set(post, this.likes(post) + 1);
    this.bump(at, post, 1);
  }

  unlike(user: number, post: number, step: number): void {
    const key = PairDiff.key(user, post);
    const at = this.likeSteps.get(key);
    if (at === undefined) return;
    this.likeSteps.delete(key);
    this.likeCounts.set(post, this.likes(post) - 1);
    this.bump(at, post, -1);
    if (this.removedIn !== step) {
      this.removed = new Map();
      this.removedIn = step;
    }
    this.removed.set(key, at);
  }

  repost(post: number, step: number): void {
    this.bump(step, post, 1);
  }

  /** post → likes + reposts with a step in [from, to]. */
  between(from: number, to: number): Map<number, number> {
    const out = new Map<number, number>();
    for (let s = from; s <= to; s++) {
      for (const [post, n] of this.byStep.get(s) ?? []) out.set(post, (out.get(post) ?? 0) + n);
    }
    return out;
  }

  private bump(step: number, post: number, by: number): void {
    let m = this.byStep.get(step);
    if (!m) this.byStep.set(step, (m = new Map()));
    const n = (m.get(post) ?? 0) + by;
    if (n === 0) m.delete(post);
    else m.set(post, n);
  }
}
