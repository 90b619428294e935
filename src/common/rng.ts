/**
 * Seeded randomness. Every random choice in a run flows from the experiment seed through
 * `Rng.derive(...)`, keyed by what the choice is about (purpose, step, agent), so a draw
 * never depends on the order in which agents happen to be processed: the same seed gives
 * the same run whatever the batching or worker count.
 */

/** A 32-bit avalanche mix (murmur3 finalizer). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

export type SeedPart = number | string;

const SEED_START = 0x9e3779b9;

export function combineSeed(parts: readonly SeedPart[]): number {
  let h = SEED_START;
  for (const p of parts) h = absorbPart(h, p);
  return h;
}

/** combineSeed's state after one more part. A plain function, not a closure made per call: millions of derivations a step. */
function absorbPart(h: number, p: SeedPart): number {
  if (typeof p === 'string') return absorb(h, hashString(p));
  // Low and high 32-bit halves absorbed separately, so distinct integers (negative ones and
  // those past 2^32 included) never collapse to one value; a marker keeps 1 ≠ "1".
  const n = Math.trunc(p);
  return absorb(absorb(absorb(h, 0x6e756d62), n >>> 0), Math.floor(n / 0x100000000) | 0);
}

function absorb(h: number, v: number): number {
  return mix32(h ^ (v + 0x9e3779b9 + (h << 6) + (h >>> 2)));
}

/** sfc32-style small fast generator; statistically good enough for simulation draws. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  static derive(...parts: SeedPart[]): Rng {
    return new Rng(combineSeed(parts));
  }

  /**
   * `(last) => Rng.derive(...prefix, last)`, the same generators, with the prefix absorbed once:
   * a step's draws for each of a million agents share all of their key but the agent.
   */
  static deriver(...prefix: SeedPart[]): (last: SeedPart) => Rng {
    const h = combineSeed(prefix);
    return (last) => new Rng(absorbPart(h, last));
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** k distinct items, order random (partial Fisher–Yates on a copy). */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + this.int(copy.length - i);
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, n);
  }

  /** Beta(α, β) via two gamma draws (Marsaglia–Tsang); used for per-agent rates. */
  beta(alpha: number, beta: number): number {
    const x = this.gamma(alpha);
    const y = this.gamma(beta);
    return x / (x + y);
  }

  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.next() || Number.MIN_VALUE, 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u || Number.MIN_VALUE) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  normal(): number {
    const u = this.next() || Number.MIN_VALUE;
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
