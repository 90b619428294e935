/**
 * One term's posting list for the search index: (doc, term frequency) pairs in one typed
 * array, doc ascending. A removed doc keeps its slot with frequency 0 (a tombstone) until the
 * list is compacted, which happens once tombstones outnumber live postings, so a removal
 * costs a binary search instead of a shift. Docs added out of order (a reloaded users table,
 * a re-added doc) mark the list unsorted; it is compacted and sorted before its next read.
 */
export class Postings {
  /** doc, tf, doc, tf, … for `size` postings (tombstones included). */
  data = new Uint32Array(4);
  size = 0;
  /** Postings with tf > 0: the term's document frequency. */
  live = 0;
  /** Upper bound of the live tfs and lower bound of the live docs' lengths (exact after a compaction). */
  maxTf = 0;
  minLen = 0xffffffff;
  private sorted = true;

  push(doc: number, tf: number, length: number): void {
    if (this.size * 2 === this.data.length) this.resize(this.size * 2);
    const at = this.size * 2;
    if (this.size > 0 && this.data[at - 2]! >= doc) this.sorted = false;
    this.data[at] = doc;
    this.data[at + 1] = tf;
    this.size++;
    this.live++;
    if (tf > this.maxTf) this.maxTf = tf;
    if (length < this.minLen) this.minLen = length;
  }

  /** Tombstones `doc`'s posting; false when it has none. */
  remove(doc: number, lengths: Uint32Array, offset = 0): boolean {
    this.prepare(lengths, offset);
    const i = this.find(doc);
    if (i < 0 || this.data[i * 2 + 1] === 0) return false;
    this.data[i * 2 + 1] = 0;
    this.live--;
    if (this.size - this.live > this.live && this.size > 8) this.compact(lengths, offset);
    return true;
  }

  /** Sorted by doc, for reading (a no-op unless docs came out of order). `lengths[doc - offset]` is a doc's length. */
  prepare(lengths: Uint32Array, offset = 0): void {
    if (this.sorted) return;
    this.compact(lengths, offset);
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.data[a * 2]! - this.data[b * 2]!);
    const out = new Uint32Array(this.data.length);
    order.forEach((from, i) => {
      out[i * 2] = this.data[from * 2]!;
      out[i * 2 + 1] = this.data[from * 2 + 1]!;
    });
    this.data = out;
    this.sorted = true;
  }

  /** Index of `doc`'s posting, or -1; the list must be sorted. */
  find(doc: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.data[mid * 2]!;
      if (d === doc) return mid;
      if (d < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The largest index ≤ `from` whose doc is ≤ `doc`, or -1: galloping back, then binary search. */
  seekAtMost(from: number, doc: number): number {
    const data = this.data;
    if (from < 0 || data[from * 2]! <= doc) return from;
    let step = 1;
    let hi = from;
    let lo = from - 1;
    while (lo >= 0 && data[lo * 2]! > doc) {
      hi = lo;
      step *= 2;
      lo = from - step;
    }
    if (lo < 0) lo = -1;
    // data[lo] ≤ doc (or lo = -1) and data[hi] > doc: find the last index in [lo, hi) with doc ≤ `doc`.
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (data[mid * 2]! <= doc) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Drops tombstones and recomputes the bounds. */
  private compact(lengths: Uint32Array, offset: number): void {
    const data = this.data;
    let n = 0;
    let maxTf = 0;
    let minLen = 0xffffffff;
    for (let i = 0; i < this.size; i++) {
      const tf = data[i * 2 + 1]!;
      if (tf === 0) continue;
      const doc = data[i * 2]!;
      data[n * 2] = doc;
      data[n * 2 + 1] = tf;
      n++;
      if (tf > maxTf) maxTf = tf;
      const len = lengths[doc - offset]!;
      if (len < minLen) minLen = len;
    }
    this.size = n;
    this.maxTf = maxTf;
    this.minLen = minLen;
    if (data.length > 16 && n * 8 < data.length) this.resize(n * 2);
  }

  private resize(postings: number): void {
    const next = new Uint32Array(Math.max(4, postings * 2));
    next.set(this.data.subarray(0, this.size * 2));
    this.data = next;
  }
}
