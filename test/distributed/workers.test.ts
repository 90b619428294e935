/**
 * Distributed agent workers end to end: a real redis-server, two `socialsim worker` processes
 * (the CLI, as a user starts it) and a loopback fake LLM server whose answers depend only on the
 * request. The run coordinates in this process. Each worker has its own API key (canaries): the
 * server tells the workers apart by it, and no key may ever go through Redis.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLostError } from '../../src/distributed/pool.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeReply, type FakeServer } from '../../src/llm/fake-server.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';
import { startRedis, watchRedis, type RedisServer } from '../helpers/redis.js';
import { checksums, exited, expectNoKeyStored, expectWorkerAccounts, ready, spawnWorker, stopWorkers, type WorkerProcess } from '../helpers/workers.js';

const KEY_VAR = 'SOCIALSIM_TEST_WORKER_KEY';
const KEY_A = 'canary-key-alpha-7f3e9c21d4';
const KEY_B = 'canary-key-bravo-51d0aa94e8';
const KEY_C = 'canary-key-charlie-0b6c33f1a2';
/** The coordinator's own environment holds a key too: it must not travel either. */
const KEY_MAIN = 'canary-key-coordinator-93ab17';

const workers: WorkerProcess[] = [];
const dirs: string[] = [];
let redis: RedisServer | undefined;
let server: FakeServer | undefined;
/** Called with each chat request's key (which worker sent it). */
let onRequest: (key: string) => void = () => undefined;
const keysSeen = new Set<string>();

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'socialsim-dist-'));
  dirs.push(d);
  return d;
}

/** `socialsim worker` with its own key; resolves once it says it is ready. */
function startWorker(key: string, extra: readonly string[] = []): Promise<WorkerProcess> {
  const w = spawnWorker(redis!.url, { [KEY_VAR]: key }, ['--concurrency', '1', '--lock-ms', '1000', ...extra]);
  workers.push(w);
  return ready(w);
}

const exp = (extra: string[] = []): ReturnType<typeof experiment> => experiment(localModel([server!.url], `api_key_env: ${KEY_VAR}`), extra);

let single: Record<string, unknown>;

beforeAll(async () => {
  redis = await startRedis();
  server = await startFakeOpenAI({
    handler: (body, req) => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      keysSeen.add(key);
      onRequest(key);
      // A little latency, so both workers have jobs in flight at once.
      return { delayMs: 20, then: likeTop(body, req) as FakeReply };
    },
  });
  process.env[KEY_VAR] = KEY_MAIN;
  // The single-process run every distributed run must equal.
  const { dir: runDir, info } = await runExperiment(exp(), { resultsRoot: dir(), quiet: true });
  expect(info.status).toBe('completed');
  single = await checksums(runDir);
  expect((single.trace as { rows: number }).rows).toBeGreaterThan(20);
  expect((single.llm_responses as { rows: number }).rows).toBe(60);
  await Promise.all([startWorker(KEY_A), startWorker(KEY_B)]);
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await server?.close();
  await redis?.close();
  delete process.env[KEY_VAR];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('socialsim worker + run --redis', () => {
  it('when two worker processes answer a run through Redis then its tables equal the single-process run, and no key goes through Redis', async () => {
    const monitor = watchRedis(redis!.port);
    const client = new Redis(redis!.url);
    await monitor.started;
    try {
      keysSeen.clear();

      const { dir: runDir, info } = await runExperiment(exp(), { resultsRoot: dir(), quiet: true, redis: redis!.url });

      expect(info.status).toBe('completed');
      expect(await checksums(runDir)).toEqual(single);
      // Both workers took jobs, each with its own key; the coordinator's key reached no endpoint.
      expect(keysSeen).toEqual(new Set([KEY_A, KEY_B]));
      await expectWorkerAccounts(runDir, info.workers, [workers[0]!, workers[1]!]);
      // What went through Redis: the jobs and the run's settings, never a key.
      const traffic = monitor.text();
      expect(traffic).toContain('socialsim:init:');
      expect(traffic).toContain(KEY_VAR);
      for (const key of [KEY_A, KEY_B, KEY_MAIN]) expect(traffic).not.toContain(key);
      await expectNoKeyStored(client, [KEY_A, KEY_B, KEY_MAIN]);
    } finally {
      client.disconnect();
      await monitor.stop();
    }
  });

  it('when no worker has the model\'s key then the run stops with the workers\' error naming the variable', async () => {
    const missing = 'SOCIALSIM_TEST_NO_WORKER_HAS_THIS';
    const noKey = experiment(localModel([server!.url], `api_key_env: ${missing}`));

    // The job fails on a worker (never reaching the run's results list): the run sees it in the queue's failed set.
    await expect(runExperiment(noKey, { resultsRoot: dir(), quiet: true, redis: redis!.url })).rejects.toThrow(
      new RegExp(`a worker failed job \\S+: model "local": environment variable ${missing} is not set .* on worker \\S+:\\d+`),
    );
  });

  it('when a worker is SIGKILLed holding a job then the other finishes it and the tables are the same', async () => {
    const [a] = workers;
    let killed = false;
    onRequest = (key) => {
      if (!killed && key === KEY_A) {
        killed = true;
        a!.child.kill('SIGKILL');
      }
    };
    try {
      const { dir: runDir, info } = await runExperiment(exp(), { resultsRoot: dir(), quiet: true, redis: redis!.url });
      expect(killed).toBe(true);
      expect(await exited(a!)).toBe('SIGKILL');
      expect(info.status).toBe('completed');
      expect(await checksums(runDir)).toEqual(single);
    } finally {
      onRequest = () => undefined;
    }
  });

  it('when Redis stops mid-run then the run stops interrupted with a clear error, and resume finishes it with the same tables', async () => {
    const c = await startWorker(KEY_C, ['--models', 'local']);
    let requests = 0;
    let stopping: Promise<void> | null = null;
    // Past step 0's requests (20 agents), Redis goes away.
    onRequest = () => {
      if (++requests === 25 && stopping === null) stopping = redis!.stop();
    };
    const root = dir();
    let failure: unknown = null;
    try {
      await runExperiment(exp(['distributed.redis=' + redis!.url, 'distributed.lost_after_s=1']), { resultsRoot: root, quiet: true });
    } catch (err) {
      failure = err;
    } finally {
      onRequest = () => undefined;
    }
    expect(failure).toBeInstanceOf(RedisLostError);
    const lost = failure as RedisLostError;
    expect(lost.message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+ has not answered for 1 s/);
    expect(lost.message).toMatch(/the run stopped during step \d+ and is kept up to step \d+/);
    expect(lost.runDir).toBeDefined();
    const runDir = lost.runDir!;
    expect((JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string }).status).toBe('interrupted');

    await stopping;
    await redis!.restart();
    const { info } = await resumeRun(runDir, { quiet: true });
    expect(info.status).toBe('completed');
    expect(await checksums(runDir)).toEqual(single);
    expect(c.output()).toMatch(/answers again/);
    // The steps before the stop and those after the resume are all in run.json's tally.
    await expectWorkerAccounts(runDir, info.workers, [workers[1]!, c], true);
  });
});
