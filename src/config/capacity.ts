/**
 * What a run of this size will cost on this machine, from its counts alone, so that
 * `cohorts[0].count: 1e9` is refused at validation instead of dying in a V8 heap abort minutes
 * later, and a run larger than Node's heap gets one that fits (cli/heap.ts). The figures are
 * rough, fitted to bench:scale (the quickstart at midday: 300,000 agents peak at 1.4 GiB of JS
 * heap and 2.2 GiB resident, 1,000,000 at 4.2 and 6.4) and the README's Performance table
 * (1,000 agents × 200 steps take ~80 s): good to a factor of two, which is all a refusal needs.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { parse } from 'yaml';
import { getHeapStatistics } from 'node:v8';
import type { RawIssue } from './messages.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);

/** Resident memory a run needs besides its agents (Node, DuckDB, the modules). */
const BASE_BYTES = 150 * 2 ** 20;
/** Per agent: persona, feed state, indexes; plus per initial follow edge. */
const AGENT_BYTES = 4.5 * 2 ** 10;
const FOLLOW_BYTES = 192;
/** The JS heap's share of those (the rest is DuckDB's and Node's own memory). */
const HEAP_BASE_BYTES = 60 * 2 ** 20;
const HEAP_AGENT_BYTES = 2.75 * 2 ** 10;
const HEAP_FOLLOW_BYTES = 160;
/** Per step whatever the size (commit, recommender refresh, events), and per agent-step. */
const STEP_SECONDS = 0.3;
const AGENT_STEPS_PER_SECOND = 12_000;
/**
 * The default memory window's post budget (engine/memory-window.ts): the mirror's posts may
 * take 2 GiB beside the estimate above, at 512 bytes a post with the likes, dislikes and
 * reposts on it (bench:post-memory: 204 bytes a post, ~66 of text, 136 a like, ~2 likes a
 * post) — 4,194,304 posts; and a step adds 0.075 posts per account, averaged over a day of the
 * quickstart's activity (bench:posts-100m: 75,000 a step at 1,000,000 agents).
 */
const WINDOW_BUDGET_BYTES = 2 * 2 ** 30;
const WINDOW_POST_BYTES = 512;
const POSTS_PER_ACCOUNT_STEP = 0.075;

/** Steps of posts that fit the default window's budget for a run of `accounts` (agents and seeds); Infinity for none. */
export function windowBudgetSteps(accounts: number): number {
  return Math.floor(WINDOW_BUDGET_BYTES / WINDOW_POST_BYTES / (accounts * POSTS_PER_ACCOUNT_STEP));
}

/** A run estimated to take longer than this needs `--yes`. */
export const LONG_RUN_SECONDS = 24 * 3600;

export interface RunEstimate {
  readonly agents: number;
  readonly timesteps: number;
  /** Peak resident memory: the JS heap, DuckDB's buffers, Node itself. */
  readonly bytes: number;
  /** Of that, the peak of the JS heap (what Node's --max-old-space-size must allow). */
  readonly heapBytes: number;
  /** Wall time of the statistical agents' work (LLM calls are not counted: they depend on the endpoints). */
  readonly seconds: number;
  /** Its LLM agents' requests go to `socialsim worker`s through Redis: the process mostly waits on them. */
  readonly coordinator: boolean;
}

/** What this process can use: the machine's memory and V8's heap limit (raised by --max-old-space-size). */
export interface MachineLimits {
  readonly totalBytes: number;
  readonly heapLimitBytes: number;
}

export function machineLimits(): MachineLimits {
  return { totalBytes: totalmem(), heapLimitBytes: getHeapStatistics().heap_size_limit };
}

/**
 * The estimate from the (possibly not yet valid) experiment data; unreadable counts count as 0.
 * `redis`: the CLI's --redis, which replaces the experiment's `distributed.redis`.
 */
export function estimateRun(data: Rec, redis?: string): RunEstimate {
  const cohorts = Array.isArray(data.cohorts) ? data.cohorts.filter(isRec) : [];
  const seeds = Array.isArray(data.seeds) ? data.seeds.length : 0;
  const agents = cohorts.reduce((n, c) => n + Math.max(0, num(c.count, 0)), 0) + seeds;
  const clock = isRec(data.clock) ? data.clock : {};
  const timesteps = Math.max(0, num(clock.timesteps, 24));
  const generate = isRec(data.dataset) && isRec(data.dataset.generate) ? data.dataset.generate : {};
  const follows = Math.max(0, num(generate.follows_per_agent, 10));
  return {
    agents,
    timesteps,
    bytes: BASE_BYTES + agents * (AGENT_BYTES + follows * FOLLOW_BYTES),
    heapBytes: HEAP_BASE_BYTES + agents * (HEAP_AGENT_BYTES + follows * HEAP_FOLLOW_BYTES),
    seconds: timesteps * (STEP_SECONDS + agents / AGENT_STEPS_PER_SECOND),
    coordinator: sendsToWorkers(data, redis),
  };
}

/** Whether the run has a Redis for workers and a model that is not statistical (whose requests would go there). */
function sendsToWorkers(data: Rec, redis: string | undefined): boolean {
  const url = redis ?? (isRec(data.distributed) ? data.distributed.redis : undefined);
  if (typeof url !== 'string' || url === '') return false;
  const models = isRec(data.models) ? Object.values(data.models).filter(isRec) : [];
  return models.some((m) => m.provider !== 'statistical');
}

/** The estimate of a resolved experiment file (a run folder's); an unreadable file estimates as empty, its reader reports it. */
export function estimateRunFile(path: string, redis?: string): RunEstimate {
  try {
    const data: unknown = parse(readFileSync(path, 'utf8'));
    return estimateRun(isRec(data) ? data : {}, redis);
  } catch {
    return estimateRun({}, redis);
  }
}

export const gib = (bytes: number): string => {
  const g = bytes / 2 ** 30;
  return `${g >= 100 ? Math.round(g).toLocaleString('en-US') : g.toFixed(g < 1 ? 2 : 1)} GiB`;
};

/** `3.2 hours`, `41 days`, `2,300 years`. */
export function duration(seconds: number): string {
  const units: [number, string][] = [[365 * 86400, 'years'], [86400, 'days'], [3600, 'hours'], [60, 'minutes']];
  for (const [size, name] of units) {
    if (seconds >= 2 * size) return `${Math.round(seconds / size).toLocaleString('en-US')} ${name}`;
  }
  return `${Math.round(seconds)} s`;
}

/** Past this, steps are a typo or an attack (a million 1-hour steps are 114 years). */
export const MAX_TIMESTEPS = 1_000_000;

/** Config issues when the run cannot fit in this machine's memory at all, or asks for absurdly many steps. */
export function capacityIssues(data: Rec, limits: MachineLimits = machineLimits()): RawIssue[] {
  const e = estimateRun(data);
  const out: RawIssue[] = [];
  if (e.timesteps > MAX_TIMESTEPS) {
    out.push({ segments: ['clock', 'timesteps'], kind: 'value', message: `must be at most ${MAX_TIMESTEPS.toLocaleString('en-US')}, got ${e.timesteps.toLocaleString('en-US')}` });
  }
  if (e.bytes <= limits.totalBytes) return out;
  const counts = Array.isArray(data.cohorts) ? data.cohorts.map((c) => (isRec(c) ? num(c.count, 0) : 0)) : [];
  const biggest = counts.indexOf(Math.max(...counts));
  return [
    ...out,
    {
      segments: biggest >= 0 ? ['cohorts', biggest, 'count'] : ['cohorts'],
      kind: 'value',
      message:
        `${e.agents.toLocaleString('en-US')} agents need about ${gib(e.bytes)} of memory; this machine has ${gib(limits.totalBytes)}. ` +
        'Use fewer agents (or a machine with more memory)',
    },
  ];
}

/**
 * Why a run that fits this machine still needs `--yes`: more JS heap than V8's limit when the
 * process cannot start itself again with a larger one (`heapRaisable`: the CLI can, see
 * cli/heap.ts; a command run in-process cannot), or longer than a day. Null when it does not.
 */
export function confirmationNeeded(e: RunEstimate, limits: MachineLimits = machineLimits(), heapRaisable = false): string | null {
  const why: string[] = [];
  if (e.heapBytes > limits.heapLimitBytes && !heapRaisable) {
    why.push(
      `about ${gib(e.heapBytes)} of JS heap, more than Node's heap limit of ${gib(limits.heapLimitBytes)} ` +
        `(raise it with NODE_OPTIONS=${heapFlagsFor(e, limits)?.[0] ?? '--max-old-space-size'})`,
    );
  }
  if (e.seconds > LONG_RUN_SECONDS) why.push(`about ${duration(e.seconds)} of computing (statistical agents alone)`);
  if (why.length === 0) return null;
  return `${e.agents.toLocaleString('en-US')} agents × ${e.timesteps.toLocaleString('en-US')} steps need ${why.join(' and ')}`;
}

/**
 * V8 flags for a coordinator of workers, which waits on them most of each step with a small heap
 * it needs again as soon as the results are in:
 * - no memory reducer: while a process allocates little, V8 runs full, compacting collections to
 *   give memory back, up to three in a row, again at each long wait. bench:distributed measured
 *   the request path at 0.67 ms of CPU per request with it and 0.33 without (one worker, 600 ms
 *   endpoints), the difference all in those collections.
 * - an old generation of 256 MiB from the start: V8 sets a small heap's limit just above what
 *   lives, so a 30 MiB coordinator ran a full collection every other step for the garbage its
 *   step work left, each on the main thread and V8's helper threads. With the room, a run of a
 *   few hundred agents goes dozens of steps without one (`--trace-gc`); bench:distributed's
 *   request path over all threads went from 0.17–0.23 to 0.16–0.17 ms per request with one
 *   worker and its whole process's CPU from step 1 on from 0.58–0.63 to 0.52–0.57 ms. Its cost is
 *   that much more memory at most, before the first full collection.
 * Command-line flags only: V8 reads them as the heap is set up (`v8.setFlagsFromString` leaves
 * the reducer's collections in place).
 */
export const COORDINATOR_FLAGS: readonly string[] = ['--no-memory-reducer', '--initial-old-space-size=256'];

/** The V8 flags a run's process needs, or null when it needs none: the heap (`heapFlagsFor`) and, for a coordinator of workers, `COORDINATOR_FLAGS`. */
export function processFlagsFor(e: RunEstimate, limits: MachineLimits = machineLimits()): string[] | null {
  const flags = [...(heapFlagsFor(e, limits) ?? []), ...(e.coordinator ? COORDINATOR_FLAGS : [])];
  return flags.length > 0 ? flags : null;
}

/**
 * The heap flags a run of this estimate needs, or null when the current heap will do: an old
 * space a quarter above the estimate (never more than the machine's memory minus what the
 * estimate leaves outside the heap) and a 64 MiB young generation, which halves the scavenges
 * of a setup that keeps nearly everything it allocates.
 */
export function heapFlagsFor(e: RunEstimate, limits: MachineLimits = machineLimits()): string[] | null {
  if (e.heapBytes <= limits.heapLimitBytes) return null;
  const outside = Math.max(0, e.bytes - e.heapBytes);
  const mb = Math.floor(Math.min(e.heapBytes * 1.25, limits.totalBytes - outside) / 2 ** 20);
  // The young generation at its full size from the start and never shrunk between steps: left to
  // V8 it is resized as the load changes, and every regrowth faults its pages in afresh (some
  // 20 % of a 300,000-agent step's page faults, 7 % of its main thread's CPU).
  return [`--max-old-space-size=${mb}`, '--max-semi-space-size=64', '--min-semi-space-size=64'];
}
