/**
 * Distributed agent workers end to end: a real redis-server, two `socialsim worker` processes
 * (the CLI, as a user starts it) and a loopback fake LLM server whose answers depend only on the
 * request. The run coordinates in this process. Each worker has its own API key (canaries): the
 * server tells the workers apart by it, and no key may ever go through Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { PolicyUnavailableError } from '../../src/agents/policies.js';
import { RedisLostError } from '../../src/distributed/pool.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeReply, type FakeServer } from '../../src/llm/fake-server.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;
const KEY_VAR = 'SOCIALSIM_TEST_WORKER_KEY';
const KEY_A = 'canary-key-alpha-7f3e9c21d4';
const KEY_B = 'canary-key-bravo-51d0aa94e8';
const KEY_C = 'canary-key-charlie-0b6c33f1a2';
/** The coordinator's own environment holds a key too: it must not travel either. */
const KEY_MAIN = 'canary-key-coordinator-93ab17';

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

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
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis!.url, '--concurrency', '1', '--lock-ms', '1000', ...extra], {
    cwd: ROOT,
    env: { ...process.env, [KEY_VAR]: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const w = { child, output: () => out };
  workers.push(w);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready in 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(' ready ')) {
        clearTimeout(timer);
        resolve(w);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

function exited(w: WorkerProcess): Promise<NodeJS.Signals | number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return Promise.resolve(w.child.signalCode ?? w.child.exitCode);
  return new Promise((resolve) => w.child.once('exit', (code, signal) => resolve(signal ?? code)));
}

const exp = (extra: string[] = []): ReturnType<typeof experiment> => experiment(localModel([server!.url], `api_key_env: ${KEY_VAR}`), extra);

/**
 * Every outcome table's checksum. The fake server numbers its tool calls' ids in arrival order
 * (`call_<n>_<k>`), which differs between any two runs, in threads or on workers: llm_responses
 * is compared with those ids blanked out, everything else as is.
 */
async function checksums(runDir: string): Promise<Record<string, unknown>> {
  const db = join(runDir, 'sim.duckdb');
  const { llm_responses: _ids, ...rest } = await tableChecksums(db);
  const responses = await withSimDb(db, (d) =>
    d.one<{ rows: number; md5: string }>(
      `SELECT count(*)::INTEGER AS rows, md5(string_agg(request_hash || model || regexp_replace(response::VARCHAR, '"call_[0-9_]+"', '"call"', 'g'), chr(10) ORDER BY request_hash, model)) AS md5 FROM llm_responses`,
    ),
  );
  return { ...rest, llm_responses: responses };
}

let single: Record<string, unknown>;

/** The pid a worker's ready line names (`worker host:pid ready …`). */
function workerId(w: WorkerProcess): string {
  const m = /worker (\S+:\d+) ready/.exec(w.output());
  expect(m, w.output()).not.toBeNull();
  return m![1]!;
}

type Tally = Record<string, { jobs: number; requests: number }>;

/**
 * run.json's `workers` names exactly `expected` (`some`: only workers among them), each with
 * jobs and requests, and sums to the run's llm_calls attempts; each step line's `workers` sums
 * to that step's attempts, and the step lines add up to run.json's.
 */
async function expectWorkerAccounts(runDir: string, runWorkers: Tally | undefined, expected: readonly WorkerProcess[], some = false): Promise<void> {
  const db = join(runDir, 'sim.duckdb');
  const byStep = await withSimDb(db, (d) => d.query<{ step: number; attempts: number }>('SELECT step, sum(attempts)::INTEGER AS attempts FROM llm_calls GROUP BY step ORDER BY step'));
  const total = byStep.reduce((s, r) => s + r.attempts, 0);
  expect(total).toBeGreaterThanOrEqual(60);
  const onDisk = (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { workers?: Tally }).workers;
  expect(onDisk).toEqual(runWorkers);
  const names = Object.keys(onDisk ?? {}).sort();
  if (some) for (const n of names) expect(expected.map(workerId)).toContain(n);
  else expect(names).toEqual(expected.map(workerId).sort());
  for (const c of Object.values(onDisk!)) {
    expect(c.jobs).toBeGreaterThan(0);
    expect(c.requests).toBeGreaterThan(0);
  }
  const sum = (t: Tally | undefined): number => Object.values(t ?? {}).reduce((s, c) => s + c.requests, 0);
  expect(sum(onDisk)).toBe(total);
  const steps = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; step: number; llm_requests: number; workers?: Tally })
    .filter((e) => e.type === 'step');
  expect(steps.map((e) => e.step)).toEqual([0, 1, 2]);
  const summed: Tally = {};
  for (const e of steps) {
    expect(e.workers, `step ${e.step}`).toBeDefined();
    expect(sum(e.workers)).toBe(byStep.find((r) => r.step === e.step)?.attempts ?? 0);
    for (const [w, c] of Object.entries(e.workers!)) {
      const o = (summed[w] ??= { jobs: 0, requests: 0 });
      o.jobs += c.jobs;
      o.requests += c.requests;
    }
  }
  expect(summed).toEqual(onDisk);
}

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
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map(exited));
  await server?.close();
  await redis?.close();
  delete process.env[KEY_VAR];
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('socialsim worker + run --redis', () => {
  it('when two worker processes answer a run through Redis then its tables equal the single-process run, and no key goes through Redis', async () => {
    const monitor = new Redis(redis!.url);
    const client = new Redis(redis!.url);
    const mon = await monitor.monitor();
    try {
      const seen: string[] = [];
      mon.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
      keysSeen.clear();

      const { dir: runDir, info } = await runExperiment(exp(), { resultsRoot: dir(), quiet: true, redis: redis!.url });

      expect(info.status).toBe('completed');
      expect(await checksums(runDir)).toEqual(single);
      // Both workers took jobs, each with its own key; the coordinator's key reached no endpoint.
      expect(keysSeen).toEqual(new Set([KEY_A, KEY_B]));
      await expectWorkerAccounts(runDir, info.workers, [workers[0]!, workers[1]!]);
      // What went through Redis: the jobs and the run's settings, never a key.
      const traffic = seen.join('\n');
      expect(traffic).toContain('socialsim:init:');
      expect(traffic).toContain(KEY_VAR);
      for (const key of [KEY_A, KEY_B, KEY_MAIN]) expect(traffic).not.toContain(key);
      for (const k of await client.keys('*')) {
        const dump = await client.dumpBuffer(k);
        for (const key of [KEY_A, KEY_B, KEY_MAIN]) expect(dump?.includes(key) ?? false, `${k} holds a key`).toBe(false);
      }
    } finally {
      client.disconnect();
      mon.disconnect();
      monitor.disconnect();
    }
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

  it('when the experiment sets a budget then a run with --redis is refused before it starts, saying why', async () => {
    const root = dir();
    const run = runExperiment(exp(['budget.max_requests=1000']), { resultsRoot: root, quiet: true, redis: redis!.url });
    await expect(run).rejects.toThrow(PolicyUnavailableError);
    await expect(run).rejects.toThrow(/budgets need a single process in this version: the experiment sets budget and runs its requests on workers/);
  });
});
