import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { IndexRow, RunMetrics } from '../../src/sweep/index-db.js';
import { overTimeChart, stepsOverSeeds, type RunSteps } from '../../src/sweep/over-time.js';
import { sweepSpecs, writeSweepReport } from '../../src/sweep/report.js';
import type { TopLevelSpec } from '../../src/report/types.js';
import { tempDir } from '../helpers/tmp.js';
import { recordingLogger, renderLines } from '../helpers/vega.js';

const BASE: RunMetrics = { agents: 300, actions: 100, failed_actions: 0, posts: 50, likes: 10, reposts: 1, follows: 2, mean_likes_per_post: 0.5, share_posts_liked: 0.5, p_view: null, n_like: null, p_like: null, n_exit: null, s_sat: null, cross_cutting_shown: null, cross_cutting_liked: null, herding_up_effect: null, herding_down_effect: null, wall_ms: 1000 };

function row(kind: string, seed: number, m: Partial<RunMetrics>, runDir = '/nowhere'): IndexRow {
  return { run_id: `${kind}-${seed}`, status: 'completed', seed, config_hash: 'h', run_dir: runDir, params: { 'recsys.kind': kind, seed }, metrics: { ...BASE, ...m }, error: null };
}

/** Three seeds of two feeds: likes of one run far from the other two, shares near 1, differing wall times. */
const ROWS = [
  row('random', 1, { likes: 0, share_posts_liked: 0.98, wall_ms: 900 }),
  row('random', 2, { likes: 0, share_posts_liked: 1, wall_ms: 1200 }),
  row('random', 3, { likes: 30, share_posts_liked: 0.9, wall_ms: 800 }),
  row('popularity', 1, { likes: 40, share_posts_liked: 0.476, wall_ms: 1000 }),
  row('popularity', 2, { likes: 42, share_posts_liked: 0.48, wall_ms: 1100 }),
  row('popularity', 3, { likes: 41, share_posts_liked: 0.5, wall_ms: 1000 }),
];

interface Datum {
  kind: 'run' | 'mean';
  metric: string;
  x: string;
  value: number;
  lo?: number;
  hi?: number;
}

/** Renders a spec offline; fails on any vega warning. Returns the texts of every axis title. */
async function axisTitles(spec: TopLevelSpec): Promise<string[]> {
  const { logger, messages } = recordingLogger();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  type Node = { role?: string; items?: Node[]; text?: unknown };
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.role === 'axis-title') for (const it of n.items ?? []) out.push(String(it.text));
    for (const c of n.items ?? []) walk(c);
  };
  walk((view.scenegraph() as unknown as { root: Node }).root);
  view.finalize();
  expect(messages).toEqual([]);
  return out;
}

describe('sweep report: end values', () => {
  it('when a metric varies over three seeds then its 95 % interval is clipped to what it can be: counts at 0, shares at 1', () => {
    const { spec } = sweepSpecs(['recsys.kind', 'seed'], ROWS)[0]!;
    const values = (spec as unknown as { data: { values: Datum[] } }).data.values;
    const mean = (metric: string, x: string) => values.find((v) => v.kind === 'mean' && v.metric === metric && v.x === x)!;
    // likes 0, 0, 30: mean 10, t-interval 10 ± 43.0 → [0, 53.0]
    expect(mean('likes', 'random').value).toBe(10);
    expect(mean('likes', 'random').lo).toBe(0);
    expect(mean('likes', 'random').hi).toBeCloseTo(10 + 4.303 * Math.sqrt(300) / Math.sqrt(3), 6);
    // shares 0.98, 1, 0.9: the upper end stops at 1
    expect(mean('share_posts_liked', 'random').hi).toBe(1);
    for (const v of values.filter((d) => d.kind === 'mean')) expect(v.lo, v.metric).toBeGreaterThanOrEqual(0);
  });

  it('when the end values are charted then agents and wall time are not among them, each chart has its own labelled axes, and shares and means are not drawn from 0', async () => {
    const { spec } = sweepSpecs(['recsys.kind', 'seed'], ROWS)[0]!;
    const values = (spec as unknown as { data: { values: Datum[] } }).data.values;
    const metrics = [...new Set(values.map((v) => v.metric))];
    expect(metrics).not.toContain('agents');
    expect(metrics).not.toContain('wall_ms');
    expect(metrics).toEqual(['actions', 'failed_actions', 'posts', 'likes', 'reposts', 'follows', 'mean_likes_per_post', 'share_posts_liked']);
    // One x axis titled with the parameter under every chart, not only under the bottom row.
    const titles = await axisTitles(spec);
    expect(titles.filter((t) => t === 'recsys.kind')).toHaveLength(metrics.length);
    // Counts from 0; a share (0.476 vs 0.5 under popularity) on a scale fitted to its values.
    const charts = (spec as unknown as { concat: { title: { text: string[] }; layer: { encoding: { y: { scale: { zero: boolean } } } }[] }[] }).concat;
    const zero = Object.fromEntries(charts.map((c) => [c.title.text.join(' '), c.layer[0]!.encoding.y.scale.zero]));
    expect(zero).toMatchObject({ likes: true, 'posts (opening posts included)': true, 'share of original posts with ≥ 1 like': false, 'mean likes per original post': false });
  });
});

describe('sweep report: over the run', () => {
  const run = (kind: string, posts: number[]): RunSteps => ({ params: { 'recsys.kind': kind, seed: 1 }, steps: posts.map((p, step) => ({ step, posts: p, likes: 2 * p, reposts: 0 })) });

  it('when runs of a condition differ per step then each step is their mean with an interval clipped at 0, and a run that stopped early leaves its missing steps out', async () => {
    const points = stepsOverSeeds(['recsys.kind', 'seed'], [run('random', [1, 5, 9]), run('random', [3, 1]), run('random', [2, 0, 3]), run('popularity', [4, 4, 4])]);
    const posts = (kind: string, step: number) => points.find((p) => p.condition === kind && p.series === 'posts per step' && p.step === step)!;
    expect(posts('random', 0)).toMatchObject({ mean: 2, n: 3 });
    expect(posts('random', 1).lo).toBe(0); // 5, 1, 0: 2 ± 6.5
    expect(posts('random', 2)).toMatchObject({ mean: 6, n: 2 }); // the second run stopped after step 1
    expect(posts('popularity', 2)).toMatchObject({ mean: 4, lo: 4, hi: 4, n: 1 });
    const { messages, lines } = await renderLines(overTimeChart(points));
    expect(messages).toEqual([]);
    expect(lines).toEqual([3, 3, 3, 3, 3, 3]); // posts, likes, reposts × two conditions, steps 0-2
  });
});

describe('sweep report: tables', () => {
  it('when the report is written then run ids link to each run’s report, columns empty in every run are left out, and agents and wall time are in a settings table', async () => {
    const root = tempDir();
    const sweepDir = join(root, 'exp', 'sweep-abc');
    mkdirSync(sweepDir, { recursive: true });
    const rows = ROWS.map((r) => {
      const runDir = join(root, 'exp', r.run_id);
      mkdirSync(runDir, { recursive: true });
      writeFileSync(join(runDir, 'report.html'), '<html></html>');
      return { ...r, run_dir: runDir };
    });
    const html = readFileSync(await writeSweepReport(sweepDir, ['recsys.kind', 'seed'], rows, '2024-01-01T00:00:00Z'), 'utf8');
    const runs = html.slice(html.indexOf('<section id="runs">'));
    for (const r of rows) expect(runs).toContain(`<a href="../${r.run_id}/report.html">${r.run_id}</a>`);
    const headers = [...runs.slice(0, runs.indexOf('</thead>')).replaceAll('<wbr>', '').matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(['run', 'status', 'recsys.kind', 'seed', 'agents', 'actions', 'failed', 'posts', 'likes', 'reposts', 'follows', 'likes / original', 'share liked', 'wall time']);
    const settings = html.slice(html.indexOf('<section id="settings">'), html.indexOf('<section id="runs">'));
    expect(settings).toContain('<td>random</td><td class="num">3 of 3</td><td class="num">300</td><td class="num">967 ms (800 ms – 1.2 s)</td>');
    expect(html).toContain('Set browse: to evaluate the recommenders');
  });
});
