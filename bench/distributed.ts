/**
 * Distributed agent workers: LLM requests/s of a run (`runExperiment … redis`, this process the
 * coordinator, started with the V8 flags `socialsim run --redis` starts itself with) with 1, 2
 * and 4 `socialsim worker` processes, against loopback fake OpenAI-compatible servers (fixed
 * 200 ms latency; all of a case's servers in one process apart from the coordinator's and the
 * workers', bench/fake-server-group.ts) and a throwaway redis-server on 127.0.0.1 that the
 * bench starts and stops.
 *   npm run bench:distributed                    320 LLM agents × 5 steps, both cases
 *   npm run bench:distributed -- 640 4 own       agents, steps (at least 2), case (own | shared | both)
 *
 * Two cases, each worker with 16 request slots (80 requests/s at 200 ms):
 * - own (issue #17's target): each worker process has its own endpoint pool, OWN_SERVERS fake
 *   servers of its own given with `--endpoint fake=<url>,<url>`, max_concurrency 8 each; the run's
 *   experiment names a closed port, so a request that went there would fail.
 * - shared: every worker calls the run's SERVERS servers; `max_concurrency` holds across all
 *   workers there (leases in Redis), so it is 4 per worker of the run (4 servers × 4 × workers:
 *   16 slots a worker in all, taken by whichever worker asks); the servers have no limit of
 *   their own. Each attempt then also takes and gives back a lease in Redis.
 * Prints agents, steps, requests, wall time, and twice, over every step and over steps 1.. (without
 * step 0, each run's first contact with workers started for it: their JIT cold, the run's
 * personas sent, their first connections opened; workers are long-lived, so steps 1.. are what a
 * long run sees), requests/s, the speed-up against one worker and the request path's CPU; the
 * coordinator's CPU time per request three ways (process.cpuUsage(): this process only; workers,
 * servers and Redis are other processes): around the whole run (setup, DuckDB writes included),
 * from step 0's commit on (the steps' own work included), and its request path alone (while the
 * run's calls to workers were in flight: events.jsonl's coordinator_cpu_ms), and the part of
 * the last on its main thread (coordinator_main_cpu_ms: the event loop that queues and reads, the
 * one a coordinator cannot spread over cores) — and the load average before and after each run
 * (the machine is shared). Figures, not assertions:
 * compare them with issue #17's targets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateRun } from '../src/config/capacity.js';
import { configHash, parseExperiment } from '../src/config/load.js';
import { allowHeapRelaunch, relaunchedWithFlags } from '../src/cli/heap.js';
import { runExperiment } from '../src/engine/run.js';
import { freePort } from '../test/helpers/ports.js';
import { end as stop, startRedis } from '../test/helpers/redis.js';

// The coordinator's process as `socialsim run --redis` makes it: started again without V8's
// memory reducer (src/config/capacity.ts, processFlagsFor).
allowHeapRelaunch(process.argv);
if (await relaunchedWithFlags(estimateRun({ models: { fake: { provider: 'openai-compatible' } } }, 'redis://127.0.0.1'), true)) process.exit();

const agents = Number(process.argv[2] ?? 320);
const steps = Number(process.argv[3] ?? 5);
if (!(steps >= 2)) throw new Error(`steps must be at least 2 (steps 1.. are reported apart from step 0), got ${process.argv[3]}`);
const which = process.argv[4] ?? 'both';
if (!['own', 'shared', 'both'].includes(which)) throw new Error(`case must be own, shared or both, got ${which}`);
const WORKER_COUNTS = [1, 2, 4];
const LATENCY_MS = 200;
/** Shared case: the run's servers, each with max_concurrency 4 per worker (shared by all workers). */
const SERVERS = 4;
const SHARED_MAX_CONCURRENCY_PER_WORKER = 4;
/** Own case: each worker's own servers, each with max_concurrency 8. */
const OWN_SERVERS = 2;
const OWN_MAX_CONCURRENCY = 8;
/** Requests in flight per worker, in both cases. */
const SLOTS_PER_WORKER = 16;
/**
 * Jobs each worker holds at once (`--concurrency`): of 8 agents or more, twice its slots or more, so
 * the limiter is what binds. The run sizes its jobs from the workers' roster (src/distributed/roster.ts):
 * a step's requests over 4 jobs a worker, between 8 and 32 (320 agents: 32 with one or two workers, 20 with four).
 */
const JOBS_PER_WORKER = 4;
const BIN = new URL('../bin/socialsim.js', import.meta.url).pathname;

const children: ChildProcess[] = [];

/** `count` fake servers in one child process (bench/fake-server-group.ts): their URLs. */
function startServers(count: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fake-server-group.ts', String(count), String(LATENCY_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const urls = [...out.matchAll(/listening (\S+)/g)].map((m) => m[1]!);
      if (urls.length === count) resolve(urls);
    });
    child.once('exit', (code) => reject(new Error(`fake servers exited with ${code}`)));
  });
}

function startWorker(redis: string, own: readonly string[] | null): Promise<ChildProcess> {
  const endpoint = own ? ['--endpoint', `fake=${own.join(',')}`] : [];
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, '--models', 'fake', '--concurrency', String(JOBS_PER_WORKER), ...endpoint], {
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

const load = (): string => loadavg()[0]!.toFixed(2);

/** What the steps recorded (events.jsonl), over some of them. */
interface StepFigures {
  readonly requests: number;
  /** The steps' wall time: the coordinator's own work each step included. */
  readonly ms: number;
  /** The coordinator's CPU while its calls to workers were in flight (coordinator_cpu_ms). */
  readonly pathCpuMs: number;
  /** Its main thread's part (coordinator_main_cpu_ms); NaN where the run could not tell. */
  readonly pathMainMs: number;
}

interface Figures {
  readonly workers: number;
  /** 1-minute load average before and after the run. */
  readonly load: string;
  readonly failed: number;
  readonly wallMs: number;
  /** The coordinator's CPU over the whole run, setup included. */
  readonly cpuMs: number;
  /** CPU and requests from the first step's commit on: no setup, warm. */
  readonly steadyCpuMs: number;
  /** Every step, and the steps from 1 on: step 0 is the first contact of a run with workers just started (their JIT cold, the run's personas and each worker's first connections made). */
  readonly all: StepFigures;
  readonly steady: StepFigures;
  readonly perWorker: Record<string, { jobs: number; requests: number }>;
}

interface StepLine {
  readonly type: string;
  readonly wall_ms: number;
  readonly llm_failures: number;
  readonly coordinator_cpu_ms?: number;
  readonly coordinator_main_cpu_ms?: number;
  readonly workers?: Record<string, { requests: number }>;
}

function stepFigures(lines: readonly StepLine[]): StepFigures {
  const requestsOf = (e: StepLine): number => Object.values(e.workers ?? {}).reduce((n, w) => n + w.requests, 0);
  return {
    requests: lines.reduce((n, e) => n + requestsOf(e), 0),
    ms: lines.reduce((n, e) => n + e.wall_ms, 0),
    pathCpuMs: lines.reduce((n, e) => n + (e.coordinator_cpu_ms ?? 0), 0),
    pathMainMs: lines.reduce((n, e) => n + (e.coordinator_main_cpu_ms ?? NaN), 0),
  };
}

const shared = await startServers(SERVERS);
/** Each worker's own servers (own case), started once for the largest worker count. */
const maxWorkers = Math.max(...WORKER_COUNTS);
const ownUrls = which === 'shared' ? [] : await startServers(maxWorkers * OWN_SERVERS);
const own = Array.from({ length: which === 'shared' ? 0 : maxWorkers }, (_, w) => ownUrls.slice(w * OWN_SERVERS, (w + 1) * OWN_SERVERS));
const redis = await startRedis();
const root = mkdtempSync(join(tmpdir(), 'socialsim-bench-dist-'));
/** Nothing listens there: the own case's run names it, so a request that reached it would fail. */
const closedPort = `http://127.0.0.1:${await freePort()}/v1`;

function experiment(count: number, timesteps: number, ownPools: boolean, workers: number): ReturnType<typeof parseExperiment> {
  const endpoints = ownPools ? [closedPort] : shared;
  const maxConcurrency = ownPools ? OWN_MAX_CONCURRENCY : SHARED_MAX_CONCURRENCY_PER_WORKER * workers;
  return parseExperiment(
    `name: bench-distributed
seed: 1
clock: { timesteps: ${timesteps}, step: 1h }
dataset: { generate: { follows_per_agent: 10 } }
models:
  fake: { provider: openai-compatible, model: fake-model, endpoints: [${endpoints.map((u) => `"${u}"`).join(', ')}], max_concurrency: ${maxConcurrency}, timeout_s: 30 }
cohorts: [{ name: llm, count: ${count}, model: fake, activity: 1.0 }]
recsys: { kind: random, feed_size: 10 }
`,
    'bench-distributed.yaml',
  );
}

async function measure(workerCount: number, count: number, timesteps: number, ownPools: boolean): Promise<Figures> {
  const workers = await Promise.all(Array.from({ length: workerCount }, (_, i) => startWorker(redis.url, ownPools ? own[i]! : null)));
  try {
    const exp = experiment(count, timesteps, ownPools, workerCount);
    const loadBefore = load();
    // The coordinator's CPU from step 0's line in events.jsonl on. Each wake-up of this process
    // counts in the request path being measured (on this VM one costs 0.15–0.25 ms of CPU), so the
    // file is looked for every 20 ms only until it exists, during setup, and then watched
    // (inotify): read when it changed, which is a few times a step.
    const runDir = join(root, exp.name, configHash(exp).slice(0, 12));
    const events = join(runDir, 'events.jsonl');
    rmSync(runDir, { recursive: true, force: true });
    let cpuAtStep0: NodeJS.CpuUsage | null = null;
    let watcher: FSWatcher | null = null;
    const look = (): void => {
      if (cpuAtStep0 || !readFileSync(events, 'utf8').includes('"type":"step"')) return;
      cpuAtStep0 = process.cpuUsage();
      watcher?.close();
    };
    const poll = setInterval(() => {
      if (!existsSync(events)) return;
      clearInterval(poll);
      watcher = watch(events, look);
      look();
    }, 20);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { dir, info } = await runExperiment(exp, { resultsRoot: root, quiet: true, force: true, redis: redis.url });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(poll);
    (watcher as FSWatcher | null)?.close();
    const steady = cpuAtStep0 ? process.cpuUsage(cpuAtStep0) : cpu;
    if (info.status !== 'completed') throw new Error(`run ${info.status}: ${info.error ?? ''}`);
    const stepLines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StepLine)
      .filter((e) => e.type === 'step');
    return {
      workers: workerCount,
      load: `${loadBefore}→${load()}`,
      failed: stepLines.reduce((n, e) => n + e.llm_failures, 0),
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      steadyCpuMs: (steady.user + steady.system) / 1000,
      all: stepFigures(stepLines),
      steady: stepFigures(stepLines.slice(1)),
      perWorker: info.workers ?? {},
    };
  } finally {
    await Promise.all(workers.map(stop));
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** One case's table: over every step and over steps 1.., requests/s, the speed-up against one worker and the request path's CPU; the coordinator's CPU; the load. */
function report(title: string, results: readonly Figures[]): void {
  const rateOf = (f: StepFigures): number => (f.requests / f.ms) * 1000;
  const cells = (f: StepFigures, base: StepFigures): string =>
    `${fmt(rateOf(f)).padStart(5)}  ${fmt(rateOf(f) / rateOf(base), 2).padStart(7)}×  ${`${fmt(f.pathCpuMs / f.requests, 3)} / ${fmt(f.pathMainMs / f.requests, 3)}`.padStart(22)}`;
  console.log(`\n${title}`);
  const head = 'req/s  speed-up  path ms/req all / main';
  console.log(`  workers  requests  wall s │ every step: ${head} │ steps 1..: ${head} │ coord. CPU ms/req (run | steps 1..)  load 1 min  per worker (jobs/requests)`);
  for (const r of results) {
    const per = Object.values(r.perWorker).map((w) => `${w.jobs}/${w.requests}`).join(' ');
    console.log(
      `  ${String(r.workers).padStart(7)}  ${fmt(r.all.requests).padStart(8)}  ${fmt(r.wallMs / 1000, 2).padStart(6)} │ ${' '.repeat(12)}${cells(r.all, results[0]!.all)} │ ${' '.repeat(11)}${cells(r.steady, results[0]!.steady)} │ ${fmt(r.cpuMs / r.all.requests, 3).padStart(14)} | ${fmt(r.steadyCpuMs / Math.max(r.steady.requests, 1), 3).padEnd(19)}  ${r.load.padEnd(10)}  ${per}${r.failed > 0 ? `  (${r.failed} failed)` : ''}`,
    );
  }
}

try {
  // Warm-up (not reported): the coordinator's first run pays module loading and JIT.
  await measure(1, 40, 1, which !== 'shared');
  const cases: { title: string; results: Figures[] }[] = [];
  for (const ownPools of which === 'both' ? [true, false] : [which === 'own']) {
    const results: Figures[] = [];
    for (const n of WORKER_COUNTS) results.push(await measure(n, agents, steps, ownPools));
    cases.push({
      title: ownPools
        ? `own endpoint pools: each worker --endpoint to ${OWN_SERVERS} fake servers of its own, max_concurrency ${OWN_MAX_CONCURRENCY} (the run's endpoint a closed port)`
        : `shared endpoints: every worker on the run's ${SERVERS} fake servers (no limit of their own), max_concurrency ${SHARED_MAX_CONCURRENCY_PER_WORKER} × workers, held across the workers (Redis leases)`,
      results,
    });
  }
  console.log(`\n${fmt(agents)} LLM agents × ${steps} steps (activity 1.0: one decision a step each), ${LATENCY_MS} ms latency; each worker ${SLOTS_PER_WORKER} request slots, --concurrency ${JOBS_PER_WORKER} jobs (of 8–32 agents: the run sizes them from its workers' roster)`);
  console.log(`  ceiling ${fmt((SLOTS_PER_WORKER / LATENCY_MS) * 1000)} requests/s per worker; this machine has ${availableParallelism()} cores, shared by the coordinator, the workers, the fake servers, Redis and other users' processes (load: 1-minute load average before→after each run)`);
  for (const c of cases) report(c.title, c.results);
  console.log('\n  targets (#17): ≥ 1.80× at 2 workers, ≥ 3.20× at 4 with its own endpoint pool per worker; coordinator CPU < 0.2 ms per request');
  console.log("  req/s: requests over the steps' wall time (events.jsonl; the coordinator's own work each step included); speed-up: against one worker, in the same columns");
  console.log("  request path: the coordinator's CPU while the run's calls to workers were in flight (queueing jobs, waiting, reading results), the part the target is about;");
  console.log('  all threads / main: this process (not workers, servers or Redis) / the part on its event loop, without V8\'s collector and compiler threads');
  console.log("  steps 1..: without step 0, each run's first contact with workers just started (their JIT cold, its personas sent, their first connections opened)");
  console.log("  coord. CPU: this process over the whole run (setup, DuckDB writes) | from step 0's commit on (the steps' own work: feeds, prompts' data, DuckDB writes)");
} finally {
  await Promise.all(children.map(stop));
  await redis.close();
  rmSync(root, { recursive: true, force: true });
}
