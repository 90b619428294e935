/**
 * Which workers serve a model, and how many jobs each takes at once (`--concurrency`): a sorted
 * set per model (`rosterKey`), each member `<concurrency> <host:pid>` scored by its last
 * heartbeat on Redis's clock, so workers on machines whose clocks disagree are judged alike. A
 * worker beats every `BEAT_MS` and leaves when it closes; one killed drops out `STALE_MS` after its
 * last beat. The coordinator reads it to size a call's jobs (`agentsPerJob`).
 */
import type { Redis } from 'ioredis';
import { rosterKey } from './protocol.js';

/** How often a worker says it is there. */
export const BEAT_MS = 1000;
/** A worker not heard from for this long is gone (five missed beats). */
export const STALE_MS = 5000;
/** Requests per job, at least and at most (see `agentsPerJob`). */
const MIN_AGENTS_PER_JOB = 8;
const MAX_AGENTS_PER_JOB = 32;

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] the roster, ARGV: the member, STALE_MS. Adds or renews the member, drops the stale. */
const BEAT = `${NOW_MS}
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** KEYS[1] the roster, ARGV[1] STALE_MS: the members heard from within it. */
const LIVE = `${NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf')`;

function member(worker: string, concurrency: number): string {
  return `${concurrency} ${worker}`;
}

/** The worker `worker` serves `model` with `concurrency` jobs at once, as of now. */
export async function beat(client: Redis, model: string, worker: string, concurrency: number): Promise<void> {
  await client.eval(BEAT, 1, rosterKey(model), member(worker, concurrency), STALE_MS);
}

/** The worker no longer serves `model`. */
export async function leave(client: Redis, model: string, worker: string, concurrency: number): Promise<void> {
  await client.zrem(rosterKey(model), member(worker, concurrency));
}

/** The jobs of `model` its live workers take at once, all together (0: none heard from). */
export async function liveJobSlots(client: Redis, model: string): Promise<number> {
  const members = (await client.eval(LIVE, 1, rosterKey(model), STALE_MS)) as string[];
  return members.reduce((n, m) => n + (Number.parseInt(m, 10) || 0), 0);
}

/**
 * Requests per job for a call of `requests` when the model's workers take `jobSlots` jobs at once:
 * as many as keep every worker's first take within its share (`requests / jobSlots`, so no worker
 * holds the step's requests while another waits), between 8 and 32. Each job costs the
 * coordinator and the worker a fixed amount (queueing, taking, completing, reading its result),
 * so fewer, larger jobs cut that; 8 when no worker is known yet.
 */
export function agentsPerJob(requests: number, jobSlots: number): number {
  if (jobSlots <= 0) return MIN_AGENTS_PER_JOB;
  return Math.max(MIN_AGENTS_PER_JOB, Math.min(MAX_AGENTS_PER_JOB, Math.floor(requests / jobSlots)));
}
