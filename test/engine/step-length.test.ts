/**
 * What durations and activity per hour are for: the same experiment at another step length is
 * the same model. Run at clock.step 1m, 3m and 10m with every time-like setting written as a
 * duration and activity per hour, what agents do in the same span of simulated time agrees
 * within its spread over seeds; written as step counts (tuned for 10m), the 1m run is another
 * experiment. The runs are made once (beforeAll) and each `it` reads them, the cascade curves
 * of the opening posts included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASCADE_METRICS, treeCurves, type CascadeMetric } from '../../src/analysis/curves.js';
import { compareCascades, simNodes } from '../../src/analysis/nrmse.js';
import { withSimDb } from '../../src/analysis/open.js';
import { DEFAULT_TRACK } from '../../src/analysis/settings.js';
import { mean, runAtStep, runSteps, stepActivities, totals, variance, type Figure, type StepLengthRun } from '../helpers/step-length.js';

/** Every time-like setting as a duration, activity per hour. */
const BY_DURATION = `name: step-length
clock: { start: 2024-06-17T00:00:00Z }
dataset: { generate: { topics: [politics, climate, tech, music], interests_per_agent: 2, follows_per_agent: 8 } }
models: { stat: { provider: statistical, post_prob: 0.25, like_base: 0.05, repost_base: 0.03 } }
cohorts: [{ name: all, count: 1000, model: stat, activity: { per_hour: 0.3 } }]
recsys: { kind: twitter, window: 1h, refresh_every: 10m, recency_half_life: 20m, feed_size: 10 }
platform: { trends: { window: 30m } }
`;

/** The same experiment in step counts as they are at 10m: 1 − 0.7^(1/6) = 0.0577 per step, a 6-step window … */
const BY_STEPS = BY_DURATION.replace('{ per_hour: 0.3 }', '0.0577')
  .replace('window: 1h, refresh_every: 10m, recency_half_life: 20m', 'window: 6, refresh_every: 1, recency_half_life: 2')
  .replace('window: 30m', 'window: 3');

const STEPS = ['1m', '3m', '10m'] as const;
const SEEDS = [1, 2, 3];
/**
 * Half an hour of simulated time, one bin: 30, 10 and 3 steps. The shortest span all three
 * divide; a step costs a DuckDB commit (tens of ms), so longer spans cost the suite seconds.
 */
const SPAN = { minutes: 30, binMinutes: 30 } as const;
const FIGURES: readonly Figure[] = ['activeAgents', 'turns', 'posts', 'reposts', 'likes'];
/** Means further apart than this many standard errors differ (pooled over 3 × 3 runs, 6 df: two-sided p ≈ 0.004). */
const AGREE = 4.5;
/** A difference of this many pooled standard deviations is another experiment, not noise. */
const DIFFER = 10;

let root: string;
let byDuration: Map<string, StepLengthRun[]>;
let byStepsAt1m: StepLengthRun;
let byStepsAt10m: StepLengthRun;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'socialsim-step-length-'));
  byDuration = await runSteps(BY_DURATION, STEPS, SEEDS, { ...SPAN, root });
  [byStepsAt1m, byStepsAt10m] = await Promise.all([runAtStep(BY_STEPS, '1m', SEEDS[0]!, { ...SPAN, root }), runAtStep(BY_STEPS, '10m', SEEDS[0]!, { ...SPAN, root })]);
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Pooled standard deviation of groups of runs (one value per seed each). */
function pooledSd(groups: readonly (readonly number[])[]): number {
  const df = groups.reduce((n, g) => n + g.length - 1, 0);
  return Math.sqrt(groups.reduce((s, g) => s + variance(g) * (g.length - 1), 0) / df);
}

/** One figure of the duration runs per step length (one value per seed), its pooled sd, and a line to show on failure. */
function figureOf(figure: Figure): { groups: number[][]; sd: number; seen: string } {
  const groups = STEPS.map((s) => totals(byDuration.get(s)!, figure));
  const sd = pooledSd(groups);
  const seen = `${figure} per ${SPAN.minutes} min: ${STEPS.map((s, i) => `${s} ${groups[i]!.join('/')}`).join(', ')} (pooled sd ${sd.toFixed(1)}); in steps: 1m ${byStepsAt1m[figure][0]}, 10m ${byStepsAt10m[figure][0]}`;
  return { groups, sd, seen };
}

describe('the same experiment at step lengths 1m, 3m and 10m', () => {
  it('when time-like settings are durations and activity is per hour then active agents, turns, posts, reposts and likes per span agree between every two step lengths', () => {
    for (const figure of FIGURES) {
      const { groups, sd, seen } = figureOf(figure);
      // The runs did something: a figure near zero would agree trivially.
      expect(Math.min(...groups.flat()), seen).toBeGreaterThan(20);
      expect(sd, seen).toBeGreaterThan(0);
      const se = sd * Math.sqrt(2 / SEEDS.length);
      for (let a = 0; a < STEPS.length; a++) {
        for (let b = a + 1; b < STEPS.length; b++) {
          expect(Math.abs(mean(groups[a]!) - mean(groups[b]!)), `${STEPS[a]} vs ${STEPS[b]}: ${seen}`).toBeLessThan(AGREE * se);
        }
      }
    }
  });

  it('when the settings are step counts tuned for 10m then the run at 10m is that experiment and the run at 1m clearly another', () => {
    for (const figure of FIGURES) {
      const { groups, sd, seen } = figureOf(figure);
      const at10m = groups[STEPS.indexOf('10m')]!;
      expect(Math.abs(byStepsAt10m[figure][0]! - mean(at10m)), seen).toBeLessThan(AGREE * sd * Math.sqrt(1 + 1 / SEEDS.length));
      // Moved to 1m unchanged: more active agents, about ten times the turns and actions.
      expect(byStepsAt1m[figure][0]! - byStepsAt10m[figure][0]!, seen).toBeGreaterThan(DIFFER * sd);
    }
    // Ten times the steps at the same probability per step: ten times the turns.
    const ratio = byStepsAt1m.turns[0]! / byStepsAt10m.turns[0]!;
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(12);
  });

  it('when activity is per hour then each seed draws the same agents at every step length, and the agents active in the span match 1 − (1 − q)^steps summed over agents', async () => {
    for (const [i, seed] of SEEDS.entries()) {
      const expected: number[] = [];
      for (const step of STEPS) {
        const run = byDuration.get(step)![i]!;
        const q = await stepActivities(run);
        const steps = (SPAN.minutes * 60_000) / (Number(step.slice(0, -1)) * 60_000);
        const p = q.map((x) => 1 - Math.pow(1 - x, steps));
        const e = p.reduce((s, x) => s + x, 0);
        const sd = Math.sqrt(p.reduce((s, x) => s + x * (1 - x), 0));
        expected.push(e);
        expect(Math.abs(run.activeAgents[0]! - e), `seed ${seed} at ${step}: ${run.activeAgents[0]} active, expected ${e.toFixed(1)} ± ${sd.toFixed(1)}`).toBeLessThan(4 * sd);
      }
      // The same hourly draws converted per step: the expected share is the step's no matter which step.
      for (const e of expected) expect(Math.abs(e - expected[0]!) / expected[0]!, `seed ${seed}: ${expected.join(', ')}`).toBeLessThan(1e-3);
    }
  });

  it('when the cascades of the opening posts are read on one minute axis then their scale, depth and max breadth curves agree between every two step lengths', async () => {
    /** Per run, each metric summed over the cascades of the 1,000 opening posts, at minutes 10, 20 and 30. */
    const curvesOf = (run: StepLengthRun): Promise<Record<CascadeMetric, number[]>> =>
      withSimDb(join(run.dir, 'sim.duckdb'), async (db) => {
        const opening = Number((await db.one<{ v: string }>(`SELECT value AS v FROM meta WHERE key = 'opening_posts'`))!.v);
        const posts = Array.from({ length: opening }, (_, i) => i + 1);
        const c = await compareCascades(db, { track: { ...DEFAULT_TRACK, top: 0, seeds: false, labels: [], posts }, horizonMs: SPAN.minutes * 60_000 });
        const sum: Record<CascadeMetric, number[]> = { scale: [0, 0, 0], depth: [0, 0, 0], breadth: [0, 0, 0] };
        for (const cascade of c.cascades) {
          const curve = treeCurves(simNodes(cascade), { stepMin: 10, points: 4 });
          for (const m of CASCADE_METRICS) curve[m].slice(1).forEach((v, k) => (sum[m][k]! += v));
        }
        return sum;
      });
    const curves = new Map<string, Record<CascadeMetric, number[]>[]>();
    for (const step of STEPS) curves.set(step, await Promise.all(byDuration.get(step)!.map(curvesOf)));
    for (const m of CASCADE_METRICS) {
      for (let k = 0; k < 3; k++) {
        const groups = STEPS.map((s) => curves.get(s)!.map((c) => c[m][k]!));
        const sd = pooledSd(groups);
        const seen = `${m} at minute ${10 * (k + 1)}: ${STEPS.map((s, i) => `${s} ${groups[i]!.join('/')}`).join(', ')} (pooled sd ${sd.toFixed(1)})`;
        // The cascades grew: an empty curve would agree trivially.
        expect(Math.min(...groups.flat()), seen).toBeGreaterThan(m === 'scale' ? 1000 : 10);
        const se = sd * Math.sqrt(2 / SEEDS.length);
        for (let a = 0; a < STEPS.length; a++) {
          for (let b = a + 1; b < STEPS.length; b++) expect(Math.abs(mean(groups[a]!) - mean(groups[b]!)), `${STEPS[a]} vs ${STEPS[b]}: ${seen}`).toBeLessThan(AGREE * se);
        }
      }
    }
  });
});
