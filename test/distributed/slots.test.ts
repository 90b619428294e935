/**
 * `max_concurrency` across worker processes: two `socialsim worker`s sending to the run's own
 * endpoints share each endpoint's slots through Redis, so a server never has more requests in
 * flight than the model's `max_concurrency`, whichever worker sent them. Each worker alone could
 * fill it (its process limiter allows max_concurrency per endpoint), so two without shared slots
 * would reach twice that. The lease script itself: a full set refuses, a lease given back or
 * expired (a killed worker's) frees its slot.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOf } from '../../src/distributed/connection.js';
import { SlotHub, slotKeys } from '../../src/distributed/slots.js';
import { runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeReply, type FakeServer } from '../../src/llm/fake-server.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { ready, spawnWorker, tearDown, type WorkerProcess } from '../helpers/workers.js';

const KEY_VAR = 'SOCIALSIM_TEST_SLOTS_KEY';
const KEY_A = 'canary-slots-alpha-40d1';
const KEY_B = 'canary-slots-bravo-9e27';
const MAX = 2;

const workers: WorkerProcess[] = [];
const dirs: string[] = [];
let redis: RedisServer | undefined;
const servers: FakeServer[] = [];
/** Chat requests by the key that sent them (which worker), all servers together. */
const byKey = new Map<string, number>();

beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) {
    servers.push(
      await startFakeOpenAI({
        handler: (body, req) => {
          const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
          byKey.set(key, (byKey.get(key) ?? 0) + 1);
          // Long enough that requests overlap: each worker alone keeps MAX in flight here.
          return { delayMs: 30, then: likeTop(body, req) as FakeReply };
        },
      }),
    );
  }
  // Each worker holds 4 jobs of 8 agents at once: far more requests than slots.
  const a = spawnWorker(redis.url, { [KEY_VAR]: KEY_A }, ['--concurrency', '4']);
  const b = spawnWorker(redis.url, { [KEY_VAR]: KEY_B }, ['--concurrency', '4']);
  workers.push(a, b);
  await Promise.all([ready(a), ready(b)]);
}, 120_000);

afterAll(async () => {
  await tearDown({ workers, servers, redis, dirs });
});

describe('endpoint slots across workers', () => {
  it('when two workers send to the run\'s endpoints then no endpoint ever has more than max_concurrency requests in flight', async () => {
    const exp = experiment(localModel(servers.map((s) => s.url), `api_key_env: ${KEY_VAR}, max_concurrency: ${MAX}`), ['cohorts[1].count=64']);
    const root = mkdtempSync(join(tmpdir(), 'socialsim-slots-'));
    dirs.push(root);

    const { info } = await runExperiment(exp, { resultsRoot: root, quiet: true, redis: redis!.url });

    expect(info.status).toBe('completed');
    // Both workers sent, 64 agents × 3 steps in all, none failed.
    expect([...byKey.keys()].sort()).toEqual([KEY_A, KEY_B]);
    expect((byKey.get(KEY_A) ?? 0) + (byKey.get(KEY_B) ?? 0)).toBe(192);
    expect(Object.values(info.workers ?? {}).reduce((n, w) => n + w.requests, 0)).toBe(192);
    // The limit held across the two processes, and was reached (so it was what bound them).
    for (const s of servers) expect(s.maxInFlight).toBe(MAX);
  });

  it('when a slot set is full then a lease is refused until one is given back or expires', async () => {
    const errors: Error[] = [];
    const hub = new SlotHub(connectionOf(redis!.url, { maxRetriesPerRequest: null }), (e) => errors.push(e));
    try {
      const keys = slotKeys('test-scope', 'm');
      await hub.listen(keys.channel);
      expect(await hub.take(keys.set(0), 2, 60_000, 'a')).toBe(true);
      expect(await hub.take(keys.set(0), 2, 300, 'b')).toBe(true);
      expect(await hub.take(keys.set(0), 2, 60_000, 'c')).toBe(false);
      // Another endpoint's slots are its own.
      expect(await hub.take(keys.set(1), 2, 60_000, 'c')).toBe(true);
      // Given back: announced, and free at once.
      const heard = hub.next(keys.channel, 30_000);
      hub.give(keys.set(0), keys.channel, 'a');
      expect(await heard).toBe(true);
      expect(await hub.take(keys.set(0), 2, 60_000, 'd')).toBe(true);
      expect(await hub.take(keys.set(0), 2, 60_000, 'e')).toBe(false);
      // 'b' (a worker that died holding it) expires after its 300 ms lease.
      await new Promise((r) => setTimeout(r, 400));
      expect(await hub.take(keys.set(0), 2, 60_000, 'e')).toBe(true);
      expect(await hub.take(keys.set(0), 2, 60_000, 'f')).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      hub.close();
    }
  });
});
