/**
 * `max_concurrency` across worker processes. Workers that send a model's requests to the run's
 * own endpoints (no `--endpoint` of their own) share each endpoint's slots through Redis: before
 * an attempt, besides its process's own limiter (which still picks the endpoint and keeps its
 * health), a worker takes a lease in the endpoint's sorted set, admitted only while fewer than
 * `max_concurrency` unexpired leases are there (one Lua script, atomic in Redis). Leases are
 * given back when the attempt ends; one a killed worker held expires after the model's attempt
 * timeout plus a margin, so its slots come back. A freed slot is announced on the model's
 * channel, so waiting workers try again at once rather than at their next poll.
 *
 * Workers with their own endpoints keep their process's limiter alone: those URLs are theirs.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { AcquireOptions, ClientLimiter, EndpointLimiter } from '../llm/limiter.js';
import { PREFIX } from './protocol.js';

/** A lease outlives the attempt's timeout by this much before it counts as a dead worker's. */
const LEASE_MARGIN_MS = 10_000;
/** Longest wait between tries when no release was heard (a dead worker's leases expire silently). */
const POLL_MS = 100;

/** ARGV: max, lease ms, lease id. Drops expired leases, then takes one if fewer than max remain. */
const TAKE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** KEYS: the set, the channel. ARGV: the lease id. */
const GIVE = `if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('PUBLISH', KEYS[2], '1') end
return 1`;

interface SlotCommands {
  socialsimSlotTake(key: string, max: number, leaseMs: number, lease: string): Promise<number>;
  socialsimSlotGive(key: string, channel: string, lease: string): Promise<number>;
}

/** The sorted set of an endpoint's leases, and the channel its model's releases are announced on. */
export function slotKeys(scope: string, model: string): { set: (i: number) => string; channel: string } {
  const base = `${PREFIX}:slots:${scope}:${model}`;
  return { set: (i) => `${base}:${i}`, channel: base };
}

/** One worker process's connections for slots: commands, and a subscriber for releases. */
export class SlotHub {
  private readonly client: Redis & SlotCommands;
  private readonly sub: Redis;
  private readonly waiting = new Map<string, Set<() => void>>();
  private leases = 0;

  /** `connection`: options whose commands wait while Redis is away (a lease is not refused for it). */
  constructor(connection: RedisOptions, onError: (err: Error) => void) {
    this.client = new Redis(connection) as Redis & SlotCommands;
    this.client.defineCommand('socialsimSlotTake', { numberOfKeys: 1, lua: TAKE });
    this.client.defineCommand('socialsimSlotGive', { numberOfKeys: 2, lua: GIVE });
    this.client.on('error', onError);
    this.sub = new Redis(connection);
    this.sub.on('error', onError);
    this.sub.on('message', (channel: string) => {
      const wakers = this.waiting.get(channel);
      if (!wakers) return;
      this.waiting.delete(channel);
      for (const w of wakers) w();
    });
  }

  /** A model's process limiter with the run's endpoint slots shared through Redis. */
  limiter(local: EndpointLimiter, scope: string, model: string, max: readonly number[], attemptMs: number, worker: string): ClientLimiter {
    const keys = slotKeys(scope, model);
    void this.listen(keys.channel);
    return new SlotLimiter(local, this, keys, max, attemptMs + LEASE_MARGIN_MS, () => `${worker}:${++this.leases}`);
  }

  /** Hears `channel`'s releases from now on (`next` waits for them). */
  listen(channel: string): Promise<void> {
    return this.sub.subscribe(channel).then(
      () => undefined,
      () => undefined,
    );
  }

  take(key: string, max: number, leaseMs: number, lease: string): Promise<boolean> {
    return this.client.socialsimSlotTake(key, max, leaseMs, lease).then((r) => r === 1);
  }

  give(key: string, channel: string, lease: string): void {
    // A lease not given back (Redis away) expires by itself.
    void this.client.socialsimSlotGive(key, channel, lease).catch(() => undefined);
  }

  /** Resolves true at the next release announced on `channel`, false after `ms` without one. */
  next(channel: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiting.get(channel);
      if (!set) this.waiting.set(channel, (set = new Set()));
      const heard = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set!.delete(heard);
        resolve(false);
      }, ms);
      set.add(heard);
    });
  }

  close(): void {
    this.client.disconnect();
    this.sub.disconnect();
  }
}

class SlotLimiter implements ClientLimiter {
  /** Leases held, per endpoint (any one of them is given back when a slot there is released). */
  private readonly held: string[][];
  /** Acquisitions take turns, so a worker's waiting requests do not all ask Redis at each release. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly local: EndpointLimiter,
    private readonly hub: SlotHub,
    private readonly keys: ReturnType<typeof slotKeys>,
    private readonly max: readonly number[],
    private readonly leaseMs: number,
    private readonly leaseId: () => string,
  ) {
    this.held = max.map(() => []);
  }

  get size(): number {
    return this.local.size;
  }

  acquire(opts: AcquireOptions = {}): Promise<number | null> {
    const mine = this.turn.then(() => this.acquireNow(opts));
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  release(i: number): void {
    const lease = this.held[i]!.pop();
    this.local.release(i);
    if (lease !== undefined) this.hub.give(this.keys.set(i), this.keys.channel, lease);
  }

  reportSuccess(i: number): void {
    this.local.reportSuccess(i);
  }

  reportFailure(i: number, down?: boolean): void {
    this.local.reportFailure(i, down);
  }

  /** A local slot the process limiter picks, kept only with a lease on the same endpoint in Redis. */
  private async acquireNow(opts: AcquireOptions): Promise<number | null> {
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    let avoid = opts.avoid;
    let tries = 0;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      const i = await this.local.acquire({ ...opts, avoid, ...(deadline !== Infinity ? { timeoutMs: left } : {}) });
      if (i === null) return null;
      const lease = this.leaseId();
      let ok: boolean;
      try {
        ok = await this.hub.take(this.keys.set(i), this.max[i]!, this.leaseMs, lease);
      } catch (err) {
        this.local.release(i);
        throw err;
      }
      if (ok) {
        this.held[i]!.push(lease);
        return i;
      }
      this.local.release(i);
      // Full across workers: try the other endpoints once each, then wait for a release.
      avoid = i;
      if (++tries < this.max.length) continue;
      tries = 0;
      await this.hub.next(this.keys.channel, Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
  }
}
