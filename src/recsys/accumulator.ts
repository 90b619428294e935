/**
 * Sums per integer key in [0, keySpace) for one row of a sparse product at a time, handing
 * back the keys in the order first added (deterministic). Over a small key space, a dense
 * array; over a large one (a million candidates, where every addition to a dense array is a
 * cache miss), an open-addressing hash table sized to the row, which stays in cache.
 */
export class SparseAccumulator {
  /** Dense mode: the sums by key, and the row that last touched each key. */
  private readonly dense: Float64Array | null;
  private readonly touchedIn: Int32Array | null;
  private row = 0;
  /** Hash mode: key + 1 per table slot (0 = empty), and its sum. */
  private table = new Int32Array(64);
  private sums = new Float64Array(64);
  /** Keys (dense) or table slots (hash) in the order first added. */
  private filled = new Int32Array(64);
  private count = 0;
  private mask = 63;
  private shift = 26;
  /** After `end`: the row's keys and sums, in order first added. */
  keys = new Int32Array(64);
  values = new Float64Array(64);

  constructor(keySpace: number) {
    const dense = keySpace <= DENSE_KEYS;
    this.dense = dense ? new Float64Array(keySpace) : null;
    this.touchedIn = dense ? new Int32Array(keySpace) : null;
    if (dense) this.grow(keySpace);
  }

  /**
   * Starts a row that will add at most `distinct` different keys. A hash table starts at
   * most MAX_START slots and doubles as it fills: a row's distinct keys are often far fewer
   * than its additions, and a table twice their number is the one that stays in cache.
   */
  begin(distinct: number): void {
    this.count = 0;
    this.row++;
    if (this.dense === null) this.resize(Math.min(2 * distinct, MAX_START));
  }

  add(key: number, value: number): void {
    if (this.dense !== null) {
      if (this.touchedIn![key] !== this.row) {
        this.touchedIn![key] = this.row;
        this.dense[key] = value;
        this.filled[this.count++] = key;
      } else this.dense[key]! += value;
      return;
    }
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
    if (this.dense !== null) {
      for (let j = 0; j < this.count; j++) {
        const key = this.filled[j]!;
        this.keys[j] = key;
        this.values[j] = this.dense[key]!;
      }
      return this.count;
    }
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
      this.grow(length >> 1);
    }
    this.mask = length - 1;
    this.shift = 32 - bits;
  }

  /** Room for `entries` keys in a row. */
  private grow(entries: number): void {
    if (entries <= this.filled.length) return;
    const filled = new Int32Array(entries);
    filled.set(this.filled);
    this.filled = filled;
    this.keys = new Int32Array(entries);
    this.values = new Float64Array(entries);
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

/** Key spaces up to this use a dense array (2 MiB of sums, in cache on the bench machine). */
const DENSE_KEYS = 1 << 18;

/** Largest starting hash table (slots): 64k, 768 KiB. */
const MAX_START = 1 << 16;
