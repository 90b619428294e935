/**
 * Runs one experiment at a given step length and reads per-hour (per-bin) figures from its run, for
 * tests that compare step lengths (test/engine/step-length.test.ts). A run is an ordinary run
 * folder, so a test can add figures of its own from `dir` (e.g. cascade curves from sim.duckdb).
 */
import { join } from 'node:path';
import { withSimDb } from '../../src/analysis/open.js';
import { parseExperiment } from '../../src/config/load.js';
import { durationMs } from '../../src/config/durations.js';
import { runExperiment } from '../../src/engine/run.js';
import { tempDir } from './tmp.js';

const MINUTE_MS = 60_000;

/** Figures of one run, one entry per time bin (an hour by default) from clock.start. */
export interface StepLengthRun {
  readonly step: string;
  readonly seed: number;
  readonly binMinutes: number;
  /** Distinct agents that acted at least once in the bin. */
  readonly activeAgents: readonly number[];
  /** Agent turns in the bin (an agent active in k steps of it counts k). */
  readonly turns: readonly number[];
  /** Original posts agents wrote in the bin. */
  readonly posts: readonly number[];
  readonly reposts: readonly number[];
  readonly likes: readonly number[];
  /** The run folder (sim.duckdb, run.json, experiment.resolved.yaml), for figures of a test's own. */
  readonly dir: string;
}

export type Figure = 'activeAgents' | 'turns' | 'posts' | 'reposts' | 'likes';

export interface RunAtStepOptions {
  /** Simulated minutes to run (default 60); a multiple of the bin. */
  readonly minutes?: number;
  /** Width of a bin of the figures, in minutes (default 60: per-hour figures); the step must divide it. */
  readonly binMinutes?: number;
  /** Results root (default: a temp folder removed when the current test finishes). */
  readonly root?: string;
}

/**
 * Runs `yaml` with clock.step = `step` and the given seed over `minutes` of simulated time
 * (clock.timesteps derived) and counts what agents did per bin, from the run's trace.
 */
export async function runAtStep(yaml: string, step: string, seed: number, opts: RunAtStepOptions = {}): Promise<StepLengthRun> {
  const minutes = opts.minutes ?? 60;
  const binMinutes = opts.binMinutes ?? 60;
  const stepMs = durationMs(step);
  const binMs = binMinutes * MINUTE_MS;
  if (binMs % stepMs !== 0 || minutes % binMinutes !== 0) throw new Error(`step ${step} must divide the ${binMinutes}-minute bin, which must divide ${minutes} minutes`);
  const stepsPerBin = binMs / stepMs;
  const bins = minutes / binMinutes;
  const exp = parseExperiment(yaml, 'step-length.yaml', { seed, overrides: [`clock.step=${step}`, `clock.timesteps=${bins * stepsPerBin}`] });
  const { dir } = await runExperiment(exp, { resultsRoot: opts.root ?? tempDir(), quiet: true });
  const zeros = (): number[] => new Array<number>(bins).fill(0);
  const figures = { activeAgents: zeros(), turns: zeros(), posts: zeros(), reposts: zeros(), likes: zeros() };
  await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
    const rows = await db.query<{ bin: number; active: number; turns: number; posts: number; reposts: number; likes: number }>(
      `SELECT (t.step // ${stepsPerBin})::INTEGER AS bin,
              count(DISTINCT t.agent_id)::INTEGER AS active,
              (count(*) FILTER (WHERE t.action = 'refresh'))::INTEGER AS turns,
              (count(*) FILTER (WHERE t.action = 'create_post' AND t.ok))::INTEGER AS posts,
              (count(*) FILTER (WHERE t.action = 'repost' AND t.ok))::INTEGER AS reposts,
              (count(*) FILTER (WHERE t.action = 'like' AND t.ok))::INTEGER AS likes
       FROM trace t JOIN users u ON u.user_id = t.agent_id
       WHERE u.kind = 'agent'
       GROUP BY bin`,
    );
    for (const r of rows) {
      figures.activeAgents[r.bin] = r.active;
      figures.turns[r.bin] = r.turns;
      figures.posts[r.bin] = r.posts;
      figures.reposts[r.bin] = r.reposts;
      figures.likes[r.bin] = r.likes;
    }
  });
  return { step, seed, binMinutes, dir, ...figures };
}

/**
 * Every step length × seed, grouped by step length (seeds in order). The step lengths of one
 * seed run side by side: runs are independent and deterministic, so only wall time changes.
 */
export async function runSteps(yaml: string, steps: readonly string[], seeds: readonly number[], opts: RunAtStepOptions = {}): Promise<Map<string, StepLengthRun[]>> {
  const out = new Map<string, StepLengthRun[]>(steps.map((s) => [s, []]));
  for (const seed of seeds) {
    const runs = await Promise.all(steps.map((step) => runAtStep(yaml, step, seed, opts)));
    runs.forEach((r) => out.get(r.step)?.push(r));
  }
  return out;
}

/** Per run, the figure summed over bins `from` … end (one number per seed). */
export function totals(runs: readonly StepLengthRun[], figure: Figure, from = 0): number[] {
  return runs.map((r) => r[figure].slice(from).reduce((a, b) => a + b, 0));
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample variance (n − 1). */
export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
}

/**
 * Welch's t statistic of two samples' means: (mean a − mean b) / √(var a / n_a + var b / n_b).
 * |t| above ~4 with a handful of seeds is a clear difference; below ~2.5 the samples agree.
 */
export function welchT(a: readonly number[], b: readonly number[]): number {
  const se = Math.sqrt(variance(a) / a.length + variance(b) / b.length);
  return se === 0 ? (mean(a) === mean(b) ? 0 : Infinity) : (mean(a) - mean(b)) / se;
}

/** Each agent's probability of acting in a step (users.persona.activity), by user id. */
export async function stepActivities(run: StepLengthRun): Promise<number[]> {
  return withSimDb(join(run.dir, 'sim.duckdb'), async (db) => {
    const rows = await db.query<{ a: number }>(`SELECT json_extract(persona, '$.activity')::DOUBLE AS a FROM users WHERE kind = 'agent' ORDER BY user_id`);
    return rows.map((r) => r.a);
  });
}
