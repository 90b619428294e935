/**
 * Per-endpoint concurrency limits and health shared by every thread that holds the same
 * `SharedArrayBuffer`: create one limiter per model in the main thread, post `.shared` to
 * worker threads and `EndpointLimiter.attach` it there; the maxima then hold across all of them.
 *
 * Layout of the buffer: Int32 [generation, (outstanding, consecutive failures) × n], padded
 * to 8 bytes, then BigInt64 [probe-due time in epoch ms] × n. `generation` is bumped and
 * notified whenever a slot frees or an endpoint comes back, so waiters re-check.
 *
 * Health: `unhealthyAfter` consecutive failures take an endpoint out of rotation. Once
 * `probeAfterMs` has passed, exactly one request (the probe) may go to it — the probe time is
 * a lease taken by compare-and-swap, re-armed for another `probeAfterMs` — and a success brings
 * it back. Probes go first, so an endpoint is re-tried even when the others have spare slots.
 */

import type { AcquireOptions, HealthOptions, LimiterSnapshot, SharedLimiter } from './types.js';

export type { AcquireOptions, HealthOptions, LimiterSnapshot, SharedLimiter };

/** What a model client needs of a limiter: this one, or one that adds slots shared elsewhere (src/distributed/slots.ts). */
export type ClientLimiter = Pick<EndpointLimiter, 'size' | 'acquire' | 'release' | 'reportSuccess' | 'reportFailure'>;

interface Waiter {
  readonly avoid: number | undefined;
  readonly since: number;
  readonly deadline: number;
  readonly unavailableTimeoutMs: number;
  readonly resolve: (i: number | null) => void;
}

type WaitAsyncResult =
  | { async: false; value: 'not-equal' | 'timed-out' }
  | { async: true; value: Promise<'ok' | 'timed-out'> };
type WaitAsync = (ta: Int32Array, index: number, value: number, timeout?: number) => WaitAsyncResult;
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

const GEN = 0;
/** Bytes of the Int32 part, rounded up so the BigInt64 part is 8-aligned. */
const intBytes = (n: number): number => Math.ceil(((1 + 2 * n) * 4) / 8) * 8;
/** Longest sleep between re-checks, in case a notification is missed. */
const RECHECK_MS = 250;

export class EndpointLimiter {
  readonly shared: SharedLimiter;
  private readonly ints: Int32Array;
  private readonly probeAt: BigInt64Array;
  private readonly max: readonly number[];
  private waiters: Waiter[] = [];
  /** Rotating scan start, so ties between equally loaded endpoints alternate. */
  private turn = 0;
  private pumping = false;
  private unavailableSince: number | null = null;
  /** Local waiters with a finite `deadline`. */
  private deadlines = 0;

  static create(maxPerEndpoint: readonly number[], health: HealthOptions = {}): EndpointLimiter {
    const n = maxPerEndpoint.length;
    if (n === 0) throw new Error('EndpointLimiter needs at least one endpoint');
    for (const m of maxPerEndpoint) {
      if (!Number.isInteger(m) || m < 1) throw new Error(`bad max concurrency ${m}: must be an integer ≥ 1`);
    }
    const sab = new SharedArrayBuffer(intBytes(n) + 8 * n);
    return new EndpointLimiter({
      sab,
      max: [...maxPerEndpoint],
      unhealthyAfter: Math.max(1, health.unhealthyAfter ?? 5),
      probeAfterMs: Math.max(0, health.probeAfterMs ?? 30_000),
    });
  }

  static attach(shared: SharedLimiter): EndpointLimiter {
    return new EndpointLimiter(shared);
  }

  private constructor(shared: SharedLimiter) {
    this.shared = shared;
    this.max = shared.max;
    const n = shared.max.length;
    this.ints = new Int32Array(shared.sab, 0, 1 + 2 * n);
    this.probeAt = new BigInt64Array(shared.sab, intBytes(n), n);
  }

  get size(): number {
    return this.max.length;
  }

  /** Resolves to the index of an endpoint whose slot the caller now holds, or `null` on timeout. */
  acquire(opts: AcquireOptions = {}): Promise<number | null> {
    if (this.waiters.length === 0) {
      const i = this.tryAcquire(opts.avoid);
      if (i !== null) return Promise.resolve(i);
    }
    const now = Date.now();
    const deadline = now + (opts.timeoutMs ?? Infinity);
    if (deadline !== Infinity) this.deadlines++;
    return new Promise((resolve) => {
      this.waiters.push({
        avoid: opts.avoid,
        since: now,
        deadline,
        unavailableTimeoutMs: opts.unavailableTimeoutMs ?? Infinity,
        resolve,
      });
      void this.pump();
    });
  }

  /** Takes a slot now if one is free (probes of due unhealthy endpoints first), else `null`. */
  tryAcquire(avoid?: number): number | null {
    for (let round = 0; round < 16; round++) {
      const now = Date.now();
      let best = -1;
      let bestScore = Infinity;
      const n = this.max.length;
      const first = this.turn++ % n;
      for (let k = 0; k < n; k++) {
        const i = (first + k) % n;
        const out = Atomics.load(this.ints, this.outIdx(i));
        const max = this.max[i]!;
        if (out >= max) continue;
        if (Atomics.load(this.ints, this.failIdx(i)) >= this.shared.unhealthyAfter) {
          if (this.takeProbe(i, now)) return i;
          continue;
        }
        const score = out / max + (i === avoid ? 2 : 0);
        if (score < bestScore) {
          bestScore = score;
          best = i;
        }
      }
      if (best < 0) return null;
      if (this.takeSlot(best)) return best;
    }
    return null;
  }

  release(i: number): void {
    this.check(i);
    if (Atomics.sub(this.ints, this.outIdx(i), 1) <= 0) {
      Atomics.add(this.ints, this.outIdx(i), 1);
      throw new Error(`EndpointLimiter.release(${i}) without a matching acquire`);
    }
    this.wake();
    if (this.waiters.length > 0) this.serve();
  }

  reportSuccess(i: number): void {
    this.check(i);
    const prev = Atomics.exchange(this.ints, this.failIdx(i), 0);
    if (prev >= this.shared.unhealthyAfter) {
      this.wake();
      if (this.waiters.length > 0) this.serve();
    }
  }

  /** One more consecutive failure; `down`: out of rotation now (nothing listens there), whatever the count. */
  reportFailure(i: number, down = false): void {
    this.check(i);
    let f = Atomics.add(this.ints, this.failIdx(i), 1) + 1;
    if (down && f < this.shared.unhealthyAfter) {
      Atomics.store(this.ints, this.failIdx(i), this.shared.unhealthyAfter);
      f = this.shared.unhealthyAfter;
    }
    if (f >= this.shared.unhealthyAfter) {
      Atomics.store(this.probeAt, i, BigInt(Date.now() + this.shared.probeAfterMs));
    }
  }

  isHealthy(i: number): boolean {
    this.check(i);
    return Atomics.load(this.ints, this.failIdx(i)) < this.shared.unhealthyAfter;
  }

  snapshot(): LimiterSnapshot {
    const idx = [...this.max.keys()];
    return {
      outstanding: idx.map((i) => Atomics.load(this.ints, this.outIdx(i))),
      failures: idx.map((i) => Atomics.load(this.ints, this.failIdx(i))),
      healthy: idx.map((i) => this.isHealthy(i)),
    };
  }

  /** Callers waiting in this thread. */
  get waiting(): number {
    return this.waiters.length;
  }

  private outIdx = (i: number): number => 1 + 2 * i;
  private failIdx = (i: number): number => 2 + 2 * i;

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.max.length) throw new Error(`no endpoint ${i}`);
  }

  private takeSlot(i: number): boolean {
    const idx = this.outIdx(i);
    for (;;) {
      const v = Atomics.load(this.ints, idx);
      if (v >= this.max[i]!) return false;
      if (Atomics.compareExchange(this.ints, idx, v, v + 1) === v) return true;
    }
  }

  /** The probe lease: whoever swaps a due probe time for the next one sends the probe. */
  private takeProbe(i: number, now: number): boolean {
    const due = Atomics.load(this.probeAt, i);
    if (Number(due) > now) return false;
    const next = BigInt(now + this.shared.probeAfterMs);
    if (Atomics.compareExchange(this.probeAt, i, due, next) !== due) return false;
    if (this.takeSlot(i)) return true;
    Atomics.compareExchange(this.probeAt, i, next, due);
    return false;
  }

  private wake(): void {
    Atomics.add(this.ints, GEN, 1);
    Atomics.notify(this.ints, GEN);
  }

  private anyHealthy(): boolean {
    for (let i = 0; i < this.max.length; i++) if (this.isHealthy(i)) return true;
    return false;
  }

  /** Hands free slots to local waiters in arrival order; expires those past their deadline. */
  private serve(): void {
    let served = 0;
    while (served < this.waiters.length) {
      const w = this.waiters[served]!;
      const i = this.tryAcquire(w.avoid);
      if (i === null) break;
      this.settle(w, i);
      served++;
    }
    if (served > 0) this.waiters.splice(0, served);
    if (this.waiters.length === 0) return;
    const now = Date.now();
    if (this.anyHealthy()) {
      this.unavailableSince = null;
      // The common case under load: nobody can expire, so skip the O(waiters) scan.
      if (this.deadlines === 0) return;
    } else this.unavailableSince ??= now;
    const since = this.unavailableSince;
    const keep = this.waiters.filter((w) => {
      const unavailableFor = since === null ? 0 : now - Math.max(since, w.since);
      const expired = now >= w.deadline || unavailableFor >= w.unavailableTimeoutMs;
      if (expired) this.settle(w, null);
      return !expired;
    });
    this.waiters = keep;
  }

  private settle(w: Waiter, i: number | null): void {
    if (w.deadline !== Infinity) this.deadlines--;
    w.resolve(i);
  }

  /** How long to sleep before the next re-check: next probe due, next deadline, or RECHECK_MS. */
  private sleepMs(): number {
    const now = Date.now();
    let until = now + RECHECK_MS;
    for (let i = 0; i < this.max.length; i++) {
      // A probe already due but blocked by full slots waits for a release, not a timer.
      const due = Number(Atomics.load(this.probeAt, i));
      if (!this.isHealthy(i) && due > now) until = Math.min(until, due);
    }
    const since = this.unavailableSince;
    if (this.deadlines === 0 && since === null) return Math.max(1, until - now);
    for (const w of this.waiters) {
      until = Math.min(until, w.deadline);
      if (since !== null) until = Math.min(until, Math.max(since, w.since) + w.unavailableTimeoutMs);
    }
    return Math.max(1, until - now);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const gen = Atomics.load(this.ints, GEN);
        this.serve();
        if (this.waiters.length === 0) break;
        const ms = this.sleepMs();
        const r = waitAsync(this.ints, GEN, gen, ms);
        if (!r.async) continue;
        // Atomics.waitAsync does not keep the event loop alive; a timer does.
        const keepAlive = setTimeout(() => {}, ms + 10);
        await r.value;
        clearTimeout(keepAlive);
      }
    } finally {
      this.pumping = false;
    }
  }
}
