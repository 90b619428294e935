/**
 * Budgets on `socialsim worker`s: two workers, each with its own loopback fake server (counted
 * there), share the run's caps through Redis. The servers together never see more requests than
 * a cap; `stop` and `fallback` take effect at the same step and with the same reasons as in one
 * process; a resumed run continues the count; no key goes through Redis, budgets included.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeReply, type FakeServer } from '../../src/llm/fake-server.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';
import { startRedis, watchRedis, type RedisServer } from '../helpers/redis.js';
import { checksums, expectNoKeyStored, ready, spawnWorker, tearDown, type WorkerProcess } from '../helpers/workers.js';

const KEY_VAR = 'SOCIALSIM_TEST_BUDGET_KEY';
const KEY_A = 'canary-budget-alpha-4e1d77';
const KEY_B = 'canary-budget-bravo-c09a3b';
const KEY_MAIN = 'canary-budget-main-5f62d0';

const workers: WorkerProcess[] = [];
const dirs: string[] = [];
let redis: RedisServer | undefined;
const servers: FakeServer[] = [];
/** Chat requests that reached the servers: the run's own (index 0) and each worker's. */
const sent = [0, 0, 0];

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'socialsim-dist-budget-'));
  dirs.push(d);
  return d;
}

const exp = (overrides: string[]): ReturnType<typeof experiment> => experiment(localModel([servers[0]!.url], `api_key_env: ${KEY_VAR}, max_concurrency: 8`), overrides);

/** What the servers got since the last call: the run's endpoint, and the workers' together. */
function take(): { run: number; workers: number } {
  const out = { run: sent[0]!, workers: sent[1]! + sent[2]! };
  sent.fill(0);
  return out;
}

async function sql<T extends object>(runDir: string, q: string): Promise<T[]> {
  return withSimDb(join(runDir, 'sim.duckdb'), (d) => d.query<T>(q));
}

/** Each step's LLM calls by outcome, and the attempts they made. */
const byOutcome = (runDir: string): Promise<{ step: number; outcome: string; calls: number; attempts: number }[]> =>
  sql(runDir, 'SELECT step, outcome, count(*)::INTEGER AS calls, sum(attempts)::INTEGER AS attempts FROM llm_calls GROUP BY ALL ORDER BY ALL');

beforeAll(async () => {
  redis = await startRedis();
  for (let i = 0; i < 3; i++) {
    servers.push(
      await startFakeOpenAI({
        handler: (body, req) => {
          sent[i]!++;
          return { delayMs: 10, then: likeTop(body, req) as FakeReply };
        },
      }),
    );
  }
  process.env[KEY_VAR] = KEY_MAIN;
  const a = spawnWorker(redis.url, { [KEY_VAR]: KEY_A }, ['--concurrency', '2', '--endpoint', `local=${servers[1]!.url}`]);
  const b = spawnWorker(redis.url, { [KEY_VAR]: KEY_B }, ['--concurrency', '2', '--endpoint', `local=${servers[2]!.url}`]);
  workers.push(a, b);
  await Promise.all([ready(a), ready(b)]);
}, 120_000);

afterAll(async () => {
  await tearDown({ workers, servers, redis, dirs });
  delete process.env[KEY_VAR];
});

describe('budgets with socialsim workers', () => {
  it('when a run budget of 25 requests stops a run on two workers then the servers get exactly 25, as in one process, and no key goes through Redis', async () => {
    const overrides = ['budget={ max_requests: 25 }'];
    const single = await runExperiment(exp(overrides), { resultsRoot: dir(), quiet: true });
    expect(take()).toEqual({ run: 25, workers: 0 });

    const monitor = watchRedis(redis!.port);
    const client = new Redis(redis!.url);
    await monitor.started;
    try {
      const { dir: runDir, info } = await runExperiment(exp(overrides), { resultsRoot: dir(), quiet: true, redis: redis!.url });

      expect(take()).toEqual({ run: 0, workers: 25 });
      expect(info.status).toBe('budget_exhausted');
      expect(info.status).toBe(single.info.status);
      expect(info.budget_events).toEqual(single.info.budget_events);
      expect(info.budget_events).toEqual([{ step: 1, scope: 'run', action: 'stop', cohorts: ['llm'], reason: '25 requests of 25 allowed' }]);
      // Step 1: 5 requests sent, 15 turned away without reaching a server, each naming the budget.
      expect(await byOutcome(runDir)).toEqual([
        { step: 0, outcome: 'ok', calls: 20, attempts: 20 },
        { step: 1, outcome: 'budget_exhausted', calls: 15, attempts: 0 },
        { step: 1, outcome: 'ok', calls: 5, attempts: 5 },
      ]);
      const errors = await sql<{ error: string }>(runDir, "SELECT DISTINCT error FROM llm_calls WHERE outcome = 'budget_exhausted'");
      expect(errors).toEqual([{ error: 'budget run exhausted (25 requests of 25 allowed): request not sent' }]);
      expect(Object.values(info.workers ?? {}).reduce((n, w) => n + w.requests, 0)).toBe(25);
      // The budgets went through Redis as counts; no key did, in a command or a stored value.
      const all = monitor.text();
      expect(all).toContain('socialsim:budget:');
      for (const key of [KEY_A, KEY_B, KEY_MAIN]) expect(all).not.toContain(key);
      await expectNoKeyStored(client, [KEY_A, KEY_B, KEY_MAIN]);
    } finally {
      client.disconnect();
      await monitor.stop();
    }
  });

  it('when a model budget with on_exhausted: fallback runs out on workers then the agents turned away and the later steps act on the statistical policy', async () => {
    const { dir: runDir, info } = await runExperiment(exp(['models.local.budget={ max_requests: 30, on_exhausted: fallback }']), { resultsRoot: dir(), quiet: true, redis: redis!.url });

    expect(take()).toEqual({ run: 0, workers: 30 });
    expect(info.status).toBe('completed');
    expect(info.budget_events).toEqual([{ step: 1, scope: 'local', action: 'fallback', cohorts: ['llm'], reason: '30 requests of 30 allowed' }]);
    expect(await byOutcome(runDir)).toEqual([
      { step: 0, outcome: 'ok', calls: 20, attempts: 20 },
      { step: 1, outcome: 'budget_exhausted', calls: 10, attempts: 0 },
      { step: 1, outcome: 'ok', calls: 10, attempts: 10 },
    ]);
    // Every LLM agent acted in each step, the 10 turned away and all of step 2 on the statistical policy.
    expect(await sql(runDir, "SELECT step, count(DISTINCT agent_id)::INTEGER AS agents FROM trace WHERE agent_id >= 40 AND action = 'refresh' GROUP BY step ORDER BY step")).toEqual([
      { step: 0, agents: 20 },
      { step: 1, agents: 20 },
      { step: 2, agents: 20 },
    ]);
    expect(await sql(runDir, "SELECT count(*)::INTEGER AS n FROM trace WHERE action = 'decide' AND NOT ok")).toEqual([{ n: 0 }]);
  });

  it('when a budgeted run stopped after step 0 is resumed on workers then the count goes on from the 20 requests it had sent', async () => {
    const overrides = ['budget={ max_requests: 45 }'];
    const first = await runExperiment(exp(overrides), { resultsRoot: dir(), quiet: true, redis: redis!.url, maxSteps: 1 });
    expect(first.info.status).toBe('interrupted');
    expect(take()).toEqual({ run: 0, workers: 20 });
    // The first part took its budget counts (and results list) with it: the resumed run, a new
    // invocation with keys of its own, can only count from the run's records.
    const client = new Redis(redis!.url);
    try {
      expect(await client.keys('socialsim:budget:*')).toEqual([]);
      expect(await client.keys('socialsim:results:*')).toEqual([]);
    } finally {
      client.disconnect();
    }

    const { info } = await resumeRun(first.dir, { quiet: true, redis: redis!.url });

    // Steps 1 and 2 may send 25 more: 20, then 5 before the cap (not 45 more, from a fresh count).
    expect(take()).toEqual({ run: 0, workers: 25 });
    // The cap is reached in the last step, so the run completes all three.
    expect(info.status).toBe('completed');
    expect(info.budget_events).toEqual([{ step: 2, scope: 'run', action: 'stop', cohorts: ['llm'], reason: '45 requests of 45 allowed' }]);
    expect(await byOutcome(first.dir)).toEqual([
      { step: 0, outcome: 'ok', calls: 20, attempts: 20 },
      { step: 1, outcome: 'ok', calls: 20, attempts: 20 },
      { step: 2, outcome: 'budget_exhausted', calls: 15, attempts: 0 },
      { step: 2, outcome: 'ok', calls: 5, attempts: 5 },
    ]);
  });

  it('when two runs of one budgeted experiment go at once through one Redis then each sends its own 40 and both equal the single-process run', async () => {
    // 40: steps 0 and 1 whole, step 2 refused whole, so which agents got through is not down to timing.
    const overrides = ['budget={ max_requests: 40, on_exhausted: fallback }'];
    const single = await runExperiment(exp(overrides), { resultsRoot: dir(), quiet: true });
    expect(take()).toEqual({ run: 40, workers: 0 });
    const expected = await checksums(single.dir);

    // Same experiment, same config hash, two results folders: two invocations, two sets of keys.
    const both = await Promise.all([dir(), dir()].map((root) => runExperiment(exp(overrides), { resultsRoot: root, quiet: true, redis: redis!.url })));

    // Sharing the budget count, they would have sent 40 together.
    expect(take()).toEqual({ run: 0, workers: 80 });
    for (const { dir: runDir, info } of both) {
      expect(info.status).toBe(single.info.status);
      expect(info.budget_events).toEqual(single.info.budget_events);
      expect(await byOutcome(runDir)).toEqual(await byOutcome(single.dir));
      expect(await checksums(runDir)).toEqual(expected);
    }
  });
});
