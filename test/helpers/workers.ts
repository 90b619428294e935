/**
 * `socialsim worker` processes for the distributed tests (the CLI, as a user starts it), and the
 * checksums a distributed run is compared by. Each test file keeps its own list of workers and
 * kills what is left in afterAll (`stopWorkers`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
}

/** Spawns `socialsim worker --redis <url> …` with `env` added to this process's environment. */
export function spawnWorker(redis: string, env: Readonly<Record<string, string>>, args: readonly string[]): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** Resolves once the worker says it is ready; rejects when it exits first or takes over 30 s. */
export function ready(w: WorkerProcess): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (w.output().includes(' ready ')) {
        clearTimeout(timer);
        w.child.stdout!.off('data', check);
        resolve(w);
      }
    };
    const timer = setTimeout(() => reject(new Error(`worker not ready in 30 s:\n${w.output()}`)), 30_000);
    w.child.stdout!.on('data', check);
    w.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${w.output()}`));
    });
    check();
  });
}

export function exited(w: WorkerProcess): Promise<NodeJS.Signals | number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return Promise.resolve(w.child.signalCode ?? w.child.exitCode);
  return new Promise((resolve) => w.child.once('exit', (code, signal) => resolve(signal ?? code)));
}

/** What a distributed test file started, ended in afterAll: workers killed, servers closed, Redis stopped, folders removed. */
export async function tearDown(parts: {
  readonly workers: readonly WorkerProcess[];
  readonly servers: readonly { close(): Promise<void> }[];
  readonly redis: { close(): Promise<void> } | undefined;
  readonly dirs: readonly string[];
}): Promise<void> {
  await stopWorkers(parts.workers);
  await Promise.all(parts.servers.map((s) => s.close()));
  await parts.redis?.close();
  for (const d of parts.dirs) rmSync(d, { recursive: true, force: true });
}

/** SIGKILLs every worker still running and waits for all of them to exit. */
export async function stopWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map(exited));
}

/** The `host:pid` a worker's ready line names (`worker host:pid ready …`). */
export function workerId(w: WorkerProcess): string {
  const m = /worker (\S+:\d+) ready/.exec(w.output());
  expect(m, w.output()).not.toBeNull();
  return m![1]!;
}

/**
 * Every outcome table's checksum. The fake server numbers its tool calls' ids in arrival order
 * (`call_<n>_<k>`), which differs between any two runs, in threads or on workers: llm_responses
 * is compared with those ids blanked out, everything else as is.
 */
export async function checksums(runDir: string): Promise<Record<string, unknown>> {
  const db = join(runDir, 'sim.duckdb');
  const { llm_responses: _ids, ...rest } = await tableChecksums(db);
  const responses = await withSimDb(db, (d) =>
    d.one<{ rows: number; md5: string }>(
      `SELECT count(*)::INTEGER AS rows, md5(string_agg(request_hash || model || regexp_replace(response::VARCHAR, '"call_[0-9_]+"', '"call"', 'g'), chr(10) ORDER BY request_hash, model)) AS md5 FROM llm_responses`,
    ),
  );
  return { ...rest, llm_responses: responses };
}

type Tally = Record<string, { jobs: number; requests: number }>;

/**
 * run.json's `workers` names exactly `expected` (`some`: only workers among them), each with
 * jobs and requests, and sums to the run's llm_calls attempts; each step line's `workers` sums
 * to that step's attempts, and the step lines add up to run.json's.
 */
export async function expectWorkerAccounts(runDir: string, runWorkers: Tally | undefined, expected: readonly WorkerProcess[], some = false): Promise<void> {
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
    .map((l) => JSON.parse(l) as { type: string; step: number; llm_requests: number; workers?: Tally; coordinator_cpu_ms?: number; coordinator_main_cpu_ms?: number })
    .filter((e) => e.type === 'step');
  expect(steps.map((e) => e.step)).toEqual([0, 1, 2]);
  const summed: Tally = {};
  for (const e of steps) {
    expect(e.workers, `step ${e.step}`).toBeDefined();
    // The request path's CPU: all the run's threads, and its main thread's part of it (Linux).
    expect(e.coordinator_cpu_ms, `step ${e.step}`).toBeGreaterThan(0);
    if (process.platform === 'linux') {
      expect(e.coordinator_main_cpu_ms, `step ${e.step}`).toBeGreaterThan(0);
      expect(e.coordinator_main_cpu_ms!, `step ${e.step}`).toBeLessThanOrEqual(e.coordinator_cpu_ms! + 1);
    }
    expect(sum(e.workers)).toBe(byStep.find((r) => r.step === e.step)?.attempts ?? 0);
    for (const [w, c] of Object.entries(e.workers!)) {
      const o = (summed[w] ??= { jobs: 0, requests: 0 });
      o.jobs += c.jobs;
      o.requests += c.requests;
    }
  }
  expect(summed).toEqual(onDisk);
}

/** Redis stored none of `keys` (API keys), in any value it holds: each key's DUMP is searched. */
export async function expectNoKeyStored(client: Redis, keys: readonly string[]): Promise<void> {
  for (const k of await client.keys('*')) {
    const dump = await client.dumpBuffer(k);
    for (const key of keys) expect(dump?.includes(key) ?? false, `${k} holds a key`).toBe(false);
  }
}
