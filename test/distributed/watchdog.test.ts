/**
 * The coordinator's Redis watchdog pings only when Redis has been quiet: while a call waits for
 * its jobs, the inbox's blocking reads answer at least once a second, and each wake-up of the
 * coordinator costs CPU that its request path counts (issue #17's figure). A real redis-server
 * on 127.0.0.1; MONITOR (redis-cli) shows which commands the pool sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireRequest } from '../../src/agents/llm/wire.js';
import { RedisPool } from '../../src/distributed/pool.js';
import { startRedis, watchRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer | undefined;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.close();
});

const request: WireRequest = { agentId: 7, name: 'Ada', username: 'ada_7', bio: '', interests: [], simTime: '2024-01-01T00:00:00.000Z', feed: [], notifications: [], memory: [] };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const count = (text: string, command: string): number => text.split('\n').filter((l) => new RegExp(`\\] "${command}"`, 'i').test(l)).length;

describe('RedisPool watchdog', () => {
  it('when nothing is pending then it pings Redis, and while a call waits on the inbox\'s blocking reads then it does not', async () => {
    const run = 'watchdog-run';
    const pool = new RedisPool({ url: redis!.url, run, init: { models: {}, results: `socialsim:results:${run}`, personas: `socialsim:personas:${run}` }, lostAfterMs: 5000 });
    const monitor = watchRedis(redis!.port);
    await monitor.started;
    try {
      // Idle: the only way the pool hears from Redis is its own ping (after 1.25 s of silence;
      // with lost_after 5 s the watchdog looks every 625 ms).
      await sleep(2400);
      const idle = monitor.text();
      expect(count(idle, 'ping')).toBeGreaterThanOrEqual(1);

      // A call no worker takes: the inbox blocks on BLMPOP, answered (empty) once a second.
      const call = pool.decide('nobody-serves-this', [request], 0);
      call.catch(() => undefined);
      await sleep(2500);
      const waiting = monitor.text().slice(idle.length);
      expect(count(waiting, 'BLMPOP')).toBeGreaterThanOrEqual(2);
      // At most one, should the event loop stall past the quiet time once on a loaded machine;
      // a ping at each look would be four, at every 250 ms ten.
      expect(count(waiting, 'ping')).toBeLessThanOrEqual(1);
      await pool.close();
      await expect(call).rejects.toThrow(/closed its connection/);
    } finally {
      await pool.close();
      await monitor.stop();
    }
  });
});
