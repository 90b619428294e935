/**
 * The workers' roster (src/distributed/roster.ts): each `socialsim worker` says in Redis which
 * models it serves and how many jobs it takes at once; the coordinator sizes each call's jobs from
 * it. A real redis-server on 127.0.0.1, and real worker processes for the CLI's part.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { WireRequest } from '../../src/agents/llm/wire.js';
import { connectionOf } from '../../src/distributed/connection.js';
import { RedisPool } from '../../src/distributed/pool.js';
import type { JobData } from '../../src/distributed/protocol.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName, rosterKey } from '../../src/distributed/protocol.js';
import { agentsPerJob, beat, leave, liveJobSlots, STALE_MS } from '../../src/distributed/roster.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { exited, ready, spawnWorker, stopWorkers, workerId, type WorkerProcess } from '../helpers/workers.js';

let redis: RedisServer | undefined;
let client: Redis | undefined;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  await stopWorkers(workers);
  client?.disconnect();
  await redis?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `read()` once it equals `want`, or its last value after some 10 s of looking (a worker's beat is sent as it starts, not awaited). */
async function settled<T>(read: () => Promise<T>, want: T): Promise<T> {
  let v = await read();
  for (let i = 0; i < 200 && JSON.stringify(v) !== JSON.stringify(want); i++) {
    await sleep(50);
    v = await read();
  }
  return v;
}

describe('agentsPerJob', () => {
  it('when workers are known then each job is the call\'s requests over their jobs at once, kept between 8 and 32', () => {
    // 4 workers × 4 jobs: 320 / 16 = 20 a job, 16 jobs, so each worker's first take is its share (80).
    expect(agentsPerJob(320, 16)).toBe(20);
    // 90 / 10 = 9.
    expect(agentsPerJob(90, 10)).toBe(9);
    // One worker of 4: 320 / 4 = 80, held to 32.
    expect(agentsPerJob(320, 4)).toBe(32);
    // 4 workers × 16 (the default --concurrency): 320 / 64 = 5, raised to 8.
    expect(agentsPerJob(320, 64)).toBe(8);
    // 50 / 6 = 8.33: 8.
    expect(agentsPerJob(50, 6)).toBe(8);
  });

  it('when no worker is known then jobs are of 8', () => {
    expect(agentsPerJob(320, 0)).toBe(8);
    expect(agentsPerJob(3, 0)).toBe(8);
  });
});

describe('roster in Redis', () => {
  it('when workers beat then their jobs at once add up per model, and one that leaves or stops beating no longer counts', async () => {
    const c = client!;
    await beat(c, 'm1', 'host-a:1', 4);
    await beat(c, 'm1', 'host-b:2', 2);
    await beat(c, 'm2', 'host-a:1', 4);
    expect(await liveJobSlots(c, 'm1')).toBe(6);
    expect(await liveJobSlots(c, 'm2')).toBe(4);
    expect(await liveJobSlots(c, 'nobody')).toBe(0);
    // A second beat renews the place; it does not count twice.
    await beat(c, 'm1', 'host-a:1', 4);
    expect(await liveJobSlots(c, 'm1')).toBe(6);

    await leave(c, 'm1', 'host-b:2', 2);
    expect(await liveJobSlots(c, 'm1')).toBe(4);

    // A worker last heard from longer ago than STALE_MS (on Redis's clock) is not counted, and
    // the next beat of any worker removes it.
    const [sec, micros] = (await c.time()) as [string | number, string | number];
    const nowMs = Number(sec) * 1000 + Math.floor(Number(micros) / 1000);
    await c.zadd(rosterKey('m1'), nowMs - STALE_MS - 1000, '3 host-c:3');
    expect(await liveJobSlots(c, 'm1')).toBe(4);
    await beat(c, 'm1', 'host-a:1', 4);
    expect(await c.zrange(rosterKey('m1'), 0, -1)).toEqual(['4 host-a:1']);
    // The key goes with its last worker: each beat sets it to expire STALE_MS later.
    expect(await c.pttl(rosterKey('m1'))).toBeGreaterThan(0);
    expect(await c.pttl(rosterKey('m1'))).toBeLessThanOrEqual(STALE_MS);
  });

  it('when socialsim worker serves a model then it is on that model\'s roster with its --concurrency, renewed each second, and off it once stopped', async () => {
    const w = spawnWorker(redis!.url, {}, ['--models', 'roster-a,roster-b', '--concurrency', '3']);
    workers.push(w);
    await ready(w);
    const member = `3 ${workerId(w)}`;
    expect(await settled(() => client!.zrange(rosterKey('roster-a'), 0, -1), [member])).toEqual([member]);
    expect(await settled(() => client!.zrange(rosterKey('roster-b'), 0, -1), [member])).toEqual([member]);
    expect(await liveJobSlots(client!, 'roster-a')).toBe(3);
    // Renewed: a later beat moves its score (Redis's clock) on; looked for over up to 10 s, not timed.
    const first = Number(await client!.zscore(rosterKey('roster-a'), member));
    let later = first;
    for (let i = 0; i < 100 && later === first; i++) {
      await sleep(100);
      later = Number(await client!.zscore(rosterKey('roster-a'), member));
    }
    expect(later).toBeGreaterThan(first);

    w.child.kill('SIGTERM');
    await exited(w);
    expect(await client!.zrange(rosterKey('roster-a'), 0, -1)).toEqual([]);
    expect(await liveJobSlots(client!, 'roster-b')).toBe(0);
  });

  it('when a call is queued then its jobs are sized from the roster of its model: 40 requests for one worker taking 1 job at once are 32 + 8, with no worker known 5 × 8', async () => {
    const run = 'roster-run';
    const pool = new RedisPool({ url: redis!.url, run, init: { models: {}, results: `socialsim:results:${run}`, personas: `socialsim:personas:${run}` }, lostAfterMs: 10_000 });
    const requests: WireRequest[] = Array.from({ length: 40 }, (_, i) => ({ agentId: i, name: `A${i}`, username: `a_${i}`, bio: '', interests: [], simTime: '2024-01-01T00:00:00.000Z', feed: [], notifications: [], memory: [] }));
    await beat(client!, 'sized', 'host-z:9', 1);
    const queues = ['sized', 'unknown'].map((m) => new Queue<JobData>(queueName(m), { connection: connectionOf(redis!.url) }));
    const calls = [pool.decide('sized', requests, 0), pool.decide('unknown', requests, 0)];
    calls.forEach((c) => c.catch(() => undefined));
    try {
      const sizes = async (q: Queue<JobData>): Promise<number[]> => (await q.getJobs(['wait'])).map((j) => j.data.task.requests.length).sort((a, b) => a - b);
      expect(await settled(() => sizes(queues[0]!), [8, 32])).toEqual([8, 32]);
      expect(await settled(() => sizes(queues[1]!), [8, 8, 8, 8, 8])).toEqual([8, 8, 8, 8, 8]);
    } finally {
      await pool.close();
      await Promise.all(queues.map(async (q) => {
        await q.obliterate({ force: true });
        await q.close();
      }));
    }
    for (const c of calls) await expect(c).rejects.toThrow(/closed its connection/);
  });
});
