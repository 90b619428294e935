/**
 * The herding experiment over a sweep's seeds: each completed run's per-arm mean net scores
 * (analysis/herding.ts) averaged over the seeds of its combination of the other swept
 * parameters, with 95 % t-intervals over seeds — the seed, not the post, is the replicate. The
 * up − control and down − control differences are taken within each run, then averaged.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HERDING_ARMS, HERDING_MEASURES, herdingResult, type HerdingArmName, type HerdingMeasure, type HerdingResult } from '../analysis/herding.js';
import { withSimDb } from '../analysis/open.js';
import { escapeHtml } from '../report/html.js';
import { herdingChart, herdingTable, type HerdingChartPoint } from '../report/sections/herding.js';
import type { Section } from '../report/types.js';
import type { IndexRow } from './index-db.js';
import { meanInterval } from './stats.js';

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export interface RunHerding {
  /** The run's values of the swept parameters other than seed, e.g. "recsys.kind=twitter"; "all runs" when only seeds vary. */
  readonly group: string;
  readonly runId: string;
  readonly result: HerdingResult;
}

export interface HerdingOverSeeds {
  /** Means over seeds of the per-run arm means, per group, arm, age and measure. */
  readonly points: HerdingChartPoint[];
  /** Per group: the final scores (at the horizon) and the per-run differences, over seeds. */
  readonly groups: {
    readonly group: string;
    readonly horizon: number;
    readonly runs: number;
    readonly final: { arm: HerdingArmName; measure: HerdingMeasure; n: number; mean: number; lo: number; hi: number }[];
    readonly effects: { arm: 'up' | 'down'; measure: HerdingMeasure; n: number; mean: number; lo: number; hi: number }[];
  }[];
}

/** The herding results of the sweep's completed runs that had a herding experiment. */
export async function readSweepHerding(params: readonly string[], rows: readonly IndexRow[]): Promise<RunHerding[]> {
  const keys = params.filter((p) => p !== 'seed');
  const out: RunHerding[] = [];
  for (const r of rows) {
    const db = join(r.run_dir, 'sim.duckdb');
    if (r.status !== 'completed' || !existsSync(db)) continue;
    const result = await withSimDb(db, (sim) => herdingResult(sim));
    if (!result) continue;
    const group = keys.map((k) => `${k}=${show(r.params[k])}`).join(' ') || 'all runs';
    out.push({ group, runId: r.run_id, result });
  }
  return out;
}

/** Averages per-run results over the runs (seeds) of each group. */
export function herdingOverSeeds(runs: readonly RunHerding[]): HerdingOverSeeds {
  const byGroup = new Map<string, RunHerding[]>();
  for (const r of runs) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  const points: HerdingChartPoint[] = [];
  const groups: HerdingOverSeeds['groups'][number][] = [];
  for (const [group, members] of byGroup) {
    const cells = new Map<string, { arm: HerdingArmName; age: number; measure: HerdingMeasure; values: number[] }>();
    for (const m of members) {
      for (const p of m.result.series) {
        const key = `${p.arm}|${p.age}|${p.measure}`;
        const cell = cells.get(key) ?? { arm: p.arm, age: p.age, measure: p.measure, values: [] };
        cell.values.push(p.mean);
        cells.set(key, cell);
      }
    }
    const sorted = [...cells.values()].sort((a, b) => HERDING_MEASURES.indexOf(a.measure) - HERDING_MEASURES.indexOf(b.measure) || HERDING_ARMS.indexOf(a.arm) - HERDING_ARMS.indexOf(b.arm) || a.age - b.age);
    for (const c of sorted) {
      const s = meanInterval(c.values);
      points.push({ arm: c.arm, age: c.age, measure: c.measure, mean: s.mean, lo: s.lo, hi: s.hi, n: s.n, ...(byGroup.size > 1 ? { group } : {}) });
    }
    const horizon = Math.min(...members.map((m) => m.result.horizon));
    const final = sorted.filter((c) => c.age === horizon).map((c) => ({ arm: c.arm, measure: c.measure, ...meanInterval(c.values) }));
    const effects: HerdingOverSeeds['groups'][number]['effects'] = [];
    for (const measure of HERDING_MEASURES) {
      for (const arm of ['up', 'down'] as const) {
        const diffs = members.flatMap((m) => m.result.effects.filter((e) => e.arm === arm && e.measure === measure).map((e) => e.diff));
        if (diffs.length > 0) effects.push({ arm, measure, ...meanInterval(diffs) });
      }
    }
    groups.push({ group, horizon, runs: members.length, final, effects });
  }
  return { points, groups };
}

/** The sweep report's herding section, or null when no completed run had a herding experiment. */
export async function herdingSweepSection(params: readonly string[], rows: readonly IndexRow[]): Promise<Section | null> {
  const runs = await readSweepHerding(params, rows);
  if (runs.length === 0) return null;
  const { points, groups } = herdingOverSeeds(runs);
  const tables = groups.map((g) => {
    const final = (arm: HerdingArmName, measure: HerdingMeasure) => g.final.find((f) => f.arm === arm && f.measure === measure);
    const effect = (arm: 'up' | 'down', measure: HerdingMeasure) => g.effects.find((e) => e.arm === arm && e.measure === measure);
    const table = herdingTable(
      [
        ...HERDING_ARMS.map((arm) => ({ label: arm, n: final(arm, 'agents')?.n ?? 0, cells: HERDING_MEASURES.map((m) => final(arm, m)) })),
        ...(['up', 'down'] as const).map((arm) => ({ label: `${arm} − control`, n: effect(arm, 'agents')?.n ?? 0, cells: HERDING_MEASURES.map((m) => effect(arm, m)) })),
      ],
      'seeds',
    );
    const heading = groups.length > 1 || g.group !== 'all runs' ? `${g.group}: net score` : 'Net score';
    return `<h3>${escapeHtml(heading)} ${g.horizon} steps after treatment (${g.runs} runs)</h3>\n${table}`;
  });
  return {
    id: 'herding',
    title: 'Herding',
    description:
      'Mean net score (likes − dislikes) of posts given a platform up-vote, a down-vote or nothing, by steps since treatment: each run’s arm means, ' +
      'averaged over seeds with 95 % t-intervals over seeds; the differences are taken within each run, then averaged. ' +
      "Agents' votes are the herding signal; the other panel adds the treatment vote.",
    spec: herdingChart(points, { nTitle: 'seeds', intervalOver: 'over seeds' }),
    html: tables.join('\n'),
  };
}
