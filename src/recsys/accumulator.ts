/**
 * Sums per integer key (≥ 0) for one row of a sparse product at a time: an open-addressing
 * hash table sized to the row. A dense array over a million candidates would do the same
 * with a cache miss per addition; a row touches a few thousand keys, whose table stays in
 * cache. `end` hands back the keys in the order first added, which is deterministic.
 */
export class SparseAccumulator {
  /** key + 1 per table slot; 0 = empty. */
  private table = new Int32Array(64);
  private sums = new Float64Array(64);
  /** Table slots in the order filled. */
  private filled = new Int32Array(64);
  private count = 0;
  private mask = 63;
  private shift = 26;
  /** After `end`: the row's keys and sums, in order first added. */
  keys = new Int32Array(64);
  values = new Float64Array(64);

  /**
   * Starts a row that will add at most `distinct` different keys. The table starts at most
   * MAX_START slots and doubles as it fills: a row's distinct keys are often far fewer than
   * its additions, and a table twice their number is the one that stays in cache.
   */
  begin(distinct: number): void {
    this.count = 0;
    this.resize(Math.min(2 * distinct, MAX_START));
  }

  add(key: number, value: number): void {
    const table = this.table;
    // Fibonacci hashing: the top bits of key · 2^32/φ, then linear probing.
    let at = Math.imul(key + 1, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = table[at]!;
      if (k === key + 1) {
        this.sums[at]! += value;
        return;
      }
      if (k === 0) {
        table[at] = key + 1;
        this.sums[at] = value;
        this.filled[this.count++] = at;
        if (2 * this.count > this.mask) this.rehash();
        return;
      }
      at = (at + 1) & this.mask;
    }
  }

  /** Ends the row: its keys and sums into `keys` and `values`; returns how many. */
  end(): number {
    for (let j = 0; j < this.count; j++) {
      const at = this.filled[j]!;
      this.keys[j] = this.table[at]! - 1;
      this.values[j] = this.sums[at]!;
      this.table[at] = 0;
    }
    return this.count;
  }

  /** Sets the table to the power of two ≥ `size` (at least 64), growing the arrays if needed. */
  private resize(size: number): void {
    let bits = 6;
    while (1 << bits < size) bits++;
    const length = 1 << bits;
    if (length > this.table.length) {
      this.table = new Int32Array(length);
      this.sums = new Float64Array(length);
      this.filled = Int32Array.from({ length: length >> 1 }, (_, j) => this.filled[j] ?? 0);
      this.keys = new Int32Array(length >> 1);
      this.values = new Float64Array(length >> 1);
    }
    this.mask = length - 1;
    this.shift = 32 - bits;
  }

  /** Doubles the table, reinserting the row so far in the order it was filled. */
  private rehash(): void {
    const count = this.count;
    const keys = new Int32Array(count);
    const sums = new Float64Array(count);
    for (let j = 0; j < count; j++) {
      const at = this.filled[j]!;
      keys[j] = this.table[at]! - 1;
      sums[j] = this.sums[at]!;
      this.table[at] = 0;
    }
    this.resize(2 * (this.mask + 1));
    this.count = 0;
    for (let j = 0; j < count; j++) this.add(keys[j]!, sums[j]!);
  }
}

/** Largest starting table (slots): 64k, 768 KiB. */
const MAX_START = 1 << 16;
