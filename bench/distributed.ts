/**
 * Distributed agent workers: LLM requests/s of a run (`runExperiment … redis`, this process the
 * coordinator) with 1, 2 and 4 `socialsim worker` processes, against loopback fake
 * OpenAI-compatible servers (separate processes, fixed 200 ms latency) and a throwaway
 * redis-server on 127.0.0.1 that the bench starts and stops.
 *   npm run bench:distributed                 320 LLM agents × 3 steps
 *   npm run bench:distributed -- 640 4        agents, steps
 *
 * Each worker's endpoint capacity is its own: `max_concurrency` (per endpoint) holds per worker
 * process (each has its own limiter), so every worker may have SERVERS × MAX_CONCURRENCY = 16
 * requests in flight over the model's four endpoints (80 requests/s at 200 ms). A worker cannot be given its own endpoint URLs in this version (the
 * run's settings, endpoints included, come from Redis), so the fake servers are shared, and
 * have no limit of their own: what scales is the number of request slots, as with one endpoint
 * pool per worker. Prints agents, steps, requests, wall time, requests/s, the speed-up against
 * one worker, and the coordinator's CPU time per request (process.cpuUsage() around the run:
 * this process only, DuckDB writes and run setup included; workers, servers and Redis are other
 * processes). Figures, not assertions: compare them with issue #17's targets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configHash, parseExperiment } from '../src/config/load.js';
import { runExperiment } from '../src/engine/run.js';
import { end as stop, startRedis } from '../test/helpers/redis.js';

const agents = Number(process.argv[2] ?? 320);
const steps = Number(process.argv[3] ?? 3);
const WORKER_COUNTS = [1, 2, 4];
const LATENCY_MS = 200;
const SERVERS = 4;
/** The model's max_concurrency (per endpoint, and per worker process: each has its own limiter). */
const MAX_CONCURRENCY = 4;
/** Requests in flight per worker: its own "endpoint pool" of SERVERS × MAX_CONCURRENCY slots. */
const SLOTS_PER_WORKER = SERVERS * MAX_CONCURRENCY;
/** Jobs (of 8 agents) each worker holds at once: twice its slots, so the limiter is what binds. */
const JOBS_PER_WORKER = (2 * SLOTS_PER_WORKER) / 8;
const BIN = new URL('../bin/socialsim.js', import.meta.url).pathname;

const children: ChildProcess[] = [];

function startServer(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/llm/fake-server.ts', '--port', '0', '--latency', String(LATENCY_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
  });
}

function startWorker(redis: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, '--models', 'fake', '--concurrency', String(JOBS_PER_WORKER)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(' ready ')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before it was ready:\n${out}`)));
  });
}


interface Figures {
  readonly workers: number;
  readonly requests: number;
  readonly failed: number;
  readonly wallMs: number;
  readonly stepsMs: number;
  readonly cpuMs: number;
  /** CPU and requests from the first step's commit on: no setup, warm. */
  readonly steadyCpuMs: number;
  readonly steadyRequests: number;
  readonly perWorker: Record<string, { jobs: number; requests: number }>;
}

const servers = await Promise.all(Array.from({ length: SERVERS }, () => startServer()));
const redis = await startRedis();
const root = mkdtempSync(join(tmpdir(), 'socialsim-bench-dist-'));

function experiment(count: number, timesteps: number): ReturnType<typeof parseExperiment> {
  return parseExperiment(
    `name: bench-distributed
seed: 1
clock: { timesteps: ${timesteps}, step: 1h }
dataset: { generate: { follows_per_agent: 10 } }
models:
  fake: { provider: openai-compatible, model: fake-model, endpoints: [${servers.map((u) => `"${u}"`).join(', ')}], max_concurrency: ${MAX_CONCURRENCY}, timeout_s: 30 }
cohorts: [{ name: llm, count: ${count}, model: fake, activity: 1.0 }]
recsys: { kind: random, feed_size: 10 }
`,
    'bench-distributed.yaml',
  );
}

async function measure(workerCount: number, count: number, timesteps: number): Promise<Figures> {
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorker(redis.url)));
  try {
    const exp = experiment(count, timesteps);
    // The coordinator's CPU from step 0's line in events.jsonl on (looked for every 20 ms).
    const events = join(root, exp.name, configHash(exp).slice(0, 12), 'events.jsonl');
    let cpuAtStep0: NodeJS.CpuUsage | null = null;
    const watch = setInterval(() => {
      if (cpuAtStep0 === null && existsSync(events) && readFileSync(events, 'utf8').includes('"type":"step"')) cpuAtStep0 = process.cpuUsage();
    }, 20);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { dir, info } = await runExperiment(exp, { resultsRoot: root, quiet: true, force: true, redis: redis.url });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(watch);
    const steady = cpuAtStep0 ? process.cpuUsage(cpuAtStep0) : cpu;
    if (info.status !== 'completed') throw new Error(`run ${info.status}: ${info.error ?? ''}`);
    const stepLines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; wall_ms: number; llm_failures: number; workers?: Record<string, { requests: number }> })
      .filter((e) => e.type === 'step');
    const perWorker = info.workers ?? {};
    const requestsOf = (e: (typeof stepLines)[number]): number => Object.values(e.workers ?? {}).reduce((n, w) => n + w.requests, 0);
    return {
      steadyCpuMs: (steady.user + steady.system) / 1000,
      steadyRequests: stepLines.slice(1).reduce((n, e) => n + requestsOf(e), 0),
      workers: workerCount,
      requests: Object.values(perWorker).reduce((n, w) => n + w.requests, 0),
      failed: stepLines.reduce((n, e) => n + e.llm_failures, 0),
      wallMs,
      stepsMs: stepLines.reduce((n, e) => n + e.wall_ms, 0),
      cpuMs: (cpu.user + cpu.system) / 1000,
      perWorker,
    };
  } finally {
    await Promise.all(workers.map(stop));
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
try {
  // Warm-up (not reported): the coordinator's first run pays module loading and JIT.
  await measure(1, 40, 1);
  const results: Figures[] = [];
  for (const n of WORKER_COUNTS) results.push(await measure(n, agents, steps));

  const base = results[0]!;
  console.log(`\n${fmt(agents)} LLM agents × ${steps} steps (activity 1.0: one decision a step each), ${LATENCY_MS} ms latency`);
  console.log(`  endpoints: ${SERVERS} fake servers shared by all workers (no limit of their own); each worker its own max_concurrency ${MAX_CONCURRENCY}, --concurrency ${JOBS_PER_WORKER} jobs of 8 agents`);
  console.log(`  ceiling ${fmt((SLOTS_PER_WORKER / LATENCY_MS) * 1000)} requests/s per worker; this machine has ${availableParallelism()} cores, shared by the coordinator, the workers, ${SERVERS} servers and Redis (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end, other processes included)`);
  console.log('  workers  requests  wall s  steps s  req/s (steps)  req/s (wall)  speed-up  coord. CPU ms/req (run | steps 1..)  per worker (jobs/requests)');
  for (const r of results) {
    const rate = (r.requests / r.stepsMs) * 1000;
    const speedUp = rate / ((base.requests / base.stepsMs) * 1000);
    const per = Object.values(r.perWorker).map((w) => `${w.jobs}/${w.requests}`).join(' ');
    console.log(
      `  ${String(r.workers).padStart(7)}  ${fmt(r.requests).padStart(8)}  ${fmt(r.wallMs / 1000, 2).padStart(6)}  ${fmt(r.stepsMs / 1000, 2).padStart(7)}  ${fmt(rate).padStart(13)}  ${fmt((r.requests / r.wallMs) * 1000).padStart(12)}  ${fmt(speedUp, 2).padStart(7)}×  ${fmt(r.cpuMs / r.requests, 3).padStart(17)} | ${fmt(r.steadyCpuMs / Math.max(r.steadyRequests, 1), 3).padEnd(16)}  ${per}${r.failed > 0 ? `  (${r.failed} failed)` : ''}`,
    );
  }
  console.log('  targets (#17): ≥ 1.80× at 2 workers, ≥ 3.20× at 4; coordinator CPU < 0.2 ms per request');
  console.log('  req/s (steps): over the steps\' wall time (events.jsonl; the coordinator\'s own work each step included); req/s (wall) and CPU (run): the whole run, setup included;');
  console.log('  CPU (steps 1..): from step 0\'s commit on; all: this process only (the coordinator: prompts\' data, BullMQ, DuckDB writes), not workers, servers or Redis');
} finally {
  await Promise.all(children.map(stop));
  await redis.close();
  rmSync(root, { recursive: true, force: true });
}
