/**
 * The best `k` of a stream of (item, score, tie) triples, in O(log k) per offer: a binary
 * min-heap whose root is the worst item kept, so most offers cost one comparison. The one
 * bounded selection of the code base: feeds (recommenders, learned rankings), search results
 * and trends. Reused across users via `clear` to avoid allocating per user.
 *
 * Order: higher score first; equal scores go to the higher `tie` (callers pass a recency
 * rank or the id itself, so ties go to the newer post), which makes the result a total order.
 * Items are any integers a double holds exactly (post ids, candidate indices, term ids).
 */
export class TopK {
  private readonly items: Float64Array;
  private readonly scores: Float64Array;
  private readonly ties: Float64Array;
  private count = 0;

  constructor(readonly k: number) {
    this.items = new Float64Array(Math.max(k, 0));
    this.scores = new Float64Array(Math.max(k, 0));
    this.ties = new Float64Array(Math.max(k, 0));
  }

  get size(): number {
    return this.count;
  }

  /** The k-th best score once k items are kept, −∞ before, +∞ when k is 0 (nothing can enter). */
  get floor(): number {
    if (this.k <= 0) return Infinity;
    return this.count === this.k ? this.scores[0]! : -Infinity;
  }

  clear(): void {
    this.count = 0;
  }

  /** True when (score, tie) would not be kept: lets callers skip costly checks on losers. */
  rejects(score: number, tie: number): boolean {
    return this.count >= this.k && (this.k <= 0 || !this.beats(score, tie, 0));
  }

  offer(item: number, score: number, tie: number): void {
    if (this.k === 0) return;
    if (this.count < this.k) {
      let i = this.count++;
      // Sift up: the new entry climbs while it is worse than its parent.
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worseThan(score, tie, parent)) break;
        this.move(parent, i);
        i = parent;
      }
      this.set(i, item, score, tie);
      return;
    }
    // Replace the worst (the root) and sift the new entry down to its place.
    if (this.beats(score, tie, 0)) this.siftDown(item, score, tie);
  }

  /** The kept items, best first; empties the heap. */
  drain(): number[] {
    const out = new Array<number>(this.count);
    while (this.count > 0) {
      out[this.count - 1] = this.items[0]!;
      this.popWorst();
    }
    return out;
  }

  /** Writes the kept items and their scores, best first, into the two arrays; empties the heap. */
  drainInto(items: Int32Array | Float64Array, scores: Float64Array): void {
    while (this.count > 0) {
      items[this.count - 1] = this.items[0]!;
      scores[this.count - 1] = this.scores[0]!;
      this.popWorst();
    }
  }

  private popWorst(): void {
    const last = --this.count;
    if (last > 0) this.siftDown(this.items[last]!, this.scores[last]!, this.ties[last]!);
  }

  /** Puts (item, score, tie) at the root and lets it sink below every better entry. */
  private siftDown(item: number, score: number, tie: number): void {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.count) break;
      const r = l + 1;
      const worst = r < this.count && this.lessAt(r, l) ? r : l;
      if (!this.beats(score, tie, worst)) break;
      this.move(worst, i);
      i = worst;
    }
    this.set(i, item, score, tie);
  }

  private beats(score: number, tie: number, at: number): boolean {
    const s = this.scores[at]!;
    return score > s || (score === s && tie > this.ties[at]!);
  }

  private worseThan(score: number, tie: number, at: number): boolean {
    const s = this.scores[at]!;
    return score < s || (score === s && tie < this.ties[at]!);
  }

  private lessAt(a: number, b: number): boolean {
    return this.worseThan(this.scores[a]!, this.ties[a]!, b);
  }

  private move(from: number, to: number): void {
    this.set(to, this.items[from]!, this.scores[from]!, this.ties[from]!);
  }

  private set(at: number, item: number, score: number, tie: number): void {
    this.items[at] = item;
    this.scores[at] = score;
    this.ties[at] = tie;
  }
}

/**
 * The k-th largest of values[0 .. n) (1 ≤ k ≤ n), reordering them: Hoare's selection with a
 * median-of-three pivot, O(n) on average and free of the per-item heap work of `TopK`, for
 * rows where most of many items are kept or dropped by one comparison to a threshold.
 */
export function kthLargest(values: Float64Array, n: number, k: number): number {
  // The k-th largest is the (n − k)-th smallest, 0-based.
  const target = n - k;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}

/**
 * Offers `best` every items[j] (j < n) that `accept` lets through, with scores[j] and tie
 * ties[items[j]]: the same result as offering them one by one, but `accept` (a few set
 * lookups) and the heap see only the items down to a cut on scores that starts at the 2k-th
 * largest and deepens fourfold while fewer than k of those above it were accepted. Items
 * scored −∞ are never offered. `scratch` holds at least n values.
 */
export function offerAccepted(
  best: TopK,
  items: Int32Array,
  scores: Float64Array,
  n: number,
  ties: Int32Array,
  accept: (item: number) => boolean,
  scratch: Float64Array,
): void {
  if (best.k === 0) return;
  // Each round offers the items scored in [cut, previous cut).
  let previous = Infinity;
  for (let take = 2 * best.k; ; take *= 4) {
    let cut = -Infinity;
    if (n > take) {
      scratch.set(scores.subarray(0, n));
      cut = kthLargest(scratch, n, take);
    }
    for (let j = 0; j < n; j++) {
      const s = scores[j]!;
      if (s < cut || s >= previous || s === -Infinity) continue;
      const item = items[j]!;
      if (!best.rejects(s, ties[item]!) && accept(item)) best.offer(item, s, ties[item]!);
    }
    // k kept, all scored at least `cut`: nothing below it can enter.
    if (best.size === best.k || cut === -Infinity) return;
    previous = cut;
  }
}
