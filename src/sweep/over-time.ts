/**
 * Each condition of a sweep over the run, not only at its end: posts, likes and reposts per
 * step, read from each completed run's sim.duckdb (analysis/run-metrics.ts, opening posts left
 * out), averaged over the condition's seeds with a 95 % t-interval band (clipped at 0).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withSimDb } from '../analysis/open.js';
import { postsAndLikesPerStep, type PostsLikesRow } from '../analysis/run-metrics.js';
import { VEGA_LITE_SCHEMA, type Section, type TopLevelSpec } from '../report/types.js';
import { byCondition } from './conditions.js';
import type { IndexRow } from './index-db.js';
import { meanInterval } from './stats.js';

/** The per-step series drawn, in panel order. */
export const STEP_SERIES = [
  { key: 'posts', title: 'posts per step' },
  { key: 'likes', title: 'likes per step' },
  { key: 'reposts', title: 'reposts per step' },
] as const satisfies readonly { key: keyof PostsLikesRow; title: string }[];

export interface StepPoint {
  condition: string;
  /** STEP_SERIES title */
  series: string;
  step: number;
  mean: number;
  lo: number;
  hi: number;
  /** Runs (seeds) that reached the step. */
  n: number;
}

/** One run's series: its per-step rows. */
export interface RunSteps {
  readonly params: Readonly<Record<string, unknown>>;
  readonly steps: readonly Pick<PostsLikesRow, 'step' | 'posts' | 'likes' | 'reposts'>[];
}

/** Reads the per-step series of every completed run that has its sim.duckdb. */
export async function readRunSteps(rows: readonly IndexRow[]): Promise<RunSteps[]> {
  const out: RunSteps[] = [];
  for (const r of rows) {
    const db = join(r.run_dir, 'sim.duckdb');
    if (r.status !== 'completed' || !existsSync(db)) continue;
    out.push({ params: r.params, steps: await withSimDb(db, postsAndLikesPerStep) });
  }
  return out;
}

/** Mean and interval over the runs of each condition, per series and step. */
export function stepsOverSeeds(params: readonly string[], runs: readonly RunSteps[]): StepPoint[] {
  const out: StepPoint[] = [];
  for (const [condition, members] of byCondition(params, runs)) {
    const steps = [...new Set(members.flatMap((m) => m.steps.map((s) => s.step)))].sort((a, b) => a - b);
    for (const { key, title } of STEP_SERIES) {
      for (const step of steps) {
        // A run that reached the step but did nothing in it counts 0; one that stopped before it is left out.
        const values = members.flatMap((m) => {
          const row = m.steps.find((s) => s.step === step);
          const last = m.steps[m.steps.length - 1]?.step ?? -1;
          return row ? [row[key]] : step <= last ? [0] : [];
        });
        if (values.length === 0) continue;
        const s = meanInterval(values, [0, Infinity]);
        out.push({ condition, series: title, step, mean: s.mean, lo: s.lo, hi: s.hi, n: s.n });
      }
    }
  }
  return out;
}

/** Lines of the means with a band for their intervals, one panel per series, one colour per condition. */
export function overTimeChart(points: readonly StepPoint[]): TopLevelSpec {
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } };
  const conditions = [...new Set(points.map((p) => p.condition))];
  // The legend shows the lines' colours, not the faint bands'.
  const colour = { field: 'condition', type: 'nominal', title: 'condition', sort: conditions, legend: { labelLimit: 320, symbolOpacity: 1 } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    data: { name: 'over_time', values: [...points] },
    facet: { column: { field: 'series', type: 'nominal', title: null, sort: STEP_SERIES.map((s) => s.title) } },
    spec: {
      width: 230,
      height: 170,
      layer: [
        { mark: { type: 'errorband', opacity: conditions.length > 3 ? 0.1 : 0.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'mean over seeds' }, y2: { field: 'hi' }, color: colour } },
        {
          mark: { type: 'line', point: { size: 16 } },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative' },
            color: colour,
            tooltip: [
              { field: 'condition', type: 'nominal' },
              { field: 'series', type: 'nominal' },
              { field: 'step', type: 'quantitative' },
              { field: 'mean', type: 'quantitative', format: ',.2f' },
              { field: 'lo', type: 'quantitative', format: ',.2f', title: '95 % low' },
              { field: 'hi', type: 'quantitative', format: ',.2f', title: '95 % high' },
              { field: 'n', type: 'quantitative', title: 'runs' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** The sweep report's over-time section, or null when no completed run has a sim.duckdb. */
export async function overTimeSection(params: readonly string[], rows: readonly IndexRow[]): Promise<Section | null> {
  const runs = await readRunSteps(rows);
  if (runs.length === 0) return null;
  return {
    id: 'over-time',
    title: 'Over the run',
    description:
      'Posts (originals, quotes, comments), likes and reposts made in each step, by condition: the mean over its seeds, with the 95 % t-interval over seeds as a band (clipped at 0). ' +
      'Opening posts imported before step 0 are left out, so step 0 counts only what was posted in it.',
    spec: overTimeChart(stepsOverSeeds(params, runs)),
  };
}
