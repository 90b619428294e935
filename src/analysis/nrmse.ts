/**
 * Simulated against real cascades, the way the reference experiment measures it (OASIS's
 * propagation study): each real cascade in dataset.cascades is paired with the simulated
 * cascade of the post it was seeded from (its source post, imported as an opening post); both
 * are read on one absolute minute axis from their source (curves.ts); per pair and metric
 * NRMSE = RMSE / max(real curve); then the mean and spread over pairs.
 */
import { cascadeClock, simCascades, type SimCascade, type TreeMethod } from './cascades.js';
import { CASCADE_METRICS, gridFor, gridMinutes, nrmse, nrmseByRange, rmse, treeCurves, type CascadeMetric, type Curves, type Grid, type TimedNode } from './curves.js';
import type { SimDb } from './open.js';
import { realCascadeColumns } from './real-cascades.js';
import type { AnalysisSettings } from './settings.js';
import { columnsOf, trackedPosts, type TrackedPost } from './track.js';

export interface PairRow {
  cascade_id: string;
  post_id: number;
  /** How the simulated tree was known: recorded repost paths, or rebuilt from follows (older runs). */
  method: TreeMethod;
  metric: CascadeMetric;
  /** RMSE / max(real): the reference measure. Null when the real curve is 0 throughout. */
  nrmse: number | null;
  /** Extra columns, not the reference: the plain RMSE and RMSE / (max − min of real). */
  rmse: number;
  nrmse_range: number | null;
  /** Values at the horizon's last point. */
  sim_final: number;
  real_final: number;
}

export interface SummaryRow {
  metric: CascadeMetric;
  /** Pairs with a defined NRMSE. */
  pairs: number;
  mean: number | null;
  /** Sample standard deviation over pairs (null below two). */
  sd: number | null;
  min: number | null;
  max: number | null;
}

/** Pairs whose curves `compareCascades` returns point by point unless told otherwise. */
export const DEFAULT_PAIR_CURVES = 100;

const emptyCurves = (points: number): Record<CascadeMetric, Float64Array> => ({ scale: new Float64Array(points), depth: new Float64Array(points), breadth: new Float64Array(points) });

/** One point of a curve in the charts. */
export interface CurvePoint {
  /** `sim` or `real`, with the cascade it belongs to. */
  source: 'sim' | 'real';
  cascade_id: string;
  post_id: number | null;
  minute: number;
  scale: number;
  depth: number;
  breadth: number;
}

export interface CascadeComparison {
  grid: Grid;
  horizon_min: number;
  /** Every tracked post and why (pairs' sources among them). */
  tracked: TrackedPost[];
  /** Tracked posts' trees (the method says how each was known). */
  cascades: SimCascade[];
  pairs: PairRow[];
  summary: SummaryRow[];
  /** Curves of the first `pairCurves` pairs (default 100) on both sides, point by point. */
  curves: CurvePoint[];
  /** Mean curves over every pair, per side (cascade_id 'mean'). */
  mean_curves: CurvePoint[];
  /** Real cascades paired with a simulated one. */
  pair_count: number;
  /** Real cascades with no simulated partner, and why. */
  unpaired: { cascade_id: string; reason: string }[];
  /** Real cascades in the run's dataset. */
  real_cascades: number;
  /** The run's first step (epoch ms) and the minutes it covers to the end of its last step; null for a run with no step. */
  run_start_ms: number | null;
  run_span_min: number | null;
  /** The run's step length, ms, when known. */
  step_ms: number | undefined;
}

/** The run's step length from its committed steps (or posts), ms; undefined for a run of one step. */
export async function stepMsOf(db: SimDb): Promise<number | undefined> {
  const row = await db.one<{ ms: number | null }>(
    `SELECT ((epoch_ms(max(sim_time)) - epoch_ms(min(sim_time))) / nullif(max(step) - min(step), 0))::DOUBLE AS ms FROM steps`,
  );
  return row?.ms ?? undefined;
}

/** The run's first step start (epoch ms) and the minutes from it to the end of its last step. */
async function runSpan(db: SimDb, stepMs: number | undefined): Promise<{ start: number | null; minutes: number | null }> {
  const row = await db.one<{ first: number | null; last: number | null }>(`SELECT epoch_ms(min(sim_time))::DOUBLE AS first, epoch_ms(max(sim_time))::DOUBLE AS last FROM steps`);
  if (row?.first == null || row.last == null) return { start: null, minutes: null };
  return { start: row.first, minutes: (row.last - row.first + (stepMs ?? 0)) / 60_000 };
}

/** A simulated cascade as timed nodes (minutes after the source). */
export function simNodes(c: SimCascade): TimedNode[] {
  const index = new Map(c.nodes.map((n, i) => [n.user_id, i]));
  return c.nodes.map((n) => ({ t: n.t_ms / 60_000, depth: n.depth, parent: n.parent === null ? -1 : (index.get(n.parent) ?? 0) }));
}

/** Each real cascade as timed nodes (minutes after its first row), from the nodes by column (cascade, then time). */
export function realTrees(rows: Awaited<ReturnType<typeof realCascadeColumns>>): Map<string, TimedNode[]> {
  const out = new Map<string, TimedNode[]>();
  const { cascade, parent, t, depth } = rows;
  let start = 0;
  while (start < cascade.length) {
    const c = cascade[start]!;
    let end = start;
    while (end < cascade.length && cascade[end] === c) end++;
    const tree: TimedNode[] = [];
    for (let i = start; i < end; i++) {
      const p = parent[i]!;
      tree.push({ t: t[i]! / 60, depth: depth[i]!, parent: Number.isNaN(p) ? -1 : p - start });
    }
    out.set(rows.ids[c]!, tree);
    start = end;
  }
  return out;
}

function summarise(pairs: readonly PairRow[]): SummaryRow[] {
  return CASCADE_METRICS.map((metric) => {
    const xs = pairs.filter((p) => p.metric === metric && p.nrmse !== null).map((p) => p.nrmse as number);
    if (xs.length === 0) return { metric, pairs: 0, mean: null, sd: null, min: null, max: null };
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : null;
    return { metric, pairs: xs.length, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
  });
}

/**
 * The paired comparison of a run with its dataset's real cascades, on the reference's terms;
 * also every tracked post's tree, for the propagation section.
 */
export async function compareCascades(db: SimDb, settings: AnalysisSettings, opts: { readonly pairCurves?: number } = {}): Promise<CascadeComparison> {
  const columns = await columnsOf(db);
  const stepMs = settings.stepMs ?? (await stepMsOf(db));
  const grid = gridFor(settings.horizonMs, stepMs);
  const tracked = await trackedPosts(db, settings.track, columns);
  const cascades = await simCascades(db, tracked, columns.has('posts.via_post_id'), await cascadeClock(db, stepMs, columns.has('meta.key')));
  const real = columns.has('real_cascades.cascade_id') ? realTrees(await realCascadeColumns(db)) : new Map<string, TimedNode[]>();
  const simOf = new Map(cascades.map((c) => [c.post.post_id, c]));
  const minutes = gridMinutes(grid);
  const pairs: PairRow[] = [];
  const curves: CurvePoint[] = [];
  const sums = { sim: emptyCurves(grid.points), real: emptyCurves(grid.points) };
  const paired = new Set<string>();
  let pairCount = 0;
  const push = (source: 'sim' | 'real', cascade_id: string, post_id: number | null, c: Curves): void => {
    for (const m of CASCADE_METRICS) for (let k = 0; k < grid.points; k++) sums[source][m][k]! += c[m][k]!;
    if (pairCount > (opts.pairCurves ?? DEFAULT_PAIR_CURVES)) return;
    minutes.forEach((minute, k) => curves.push({ source, cascade_id, post_id, minute, scale: c.scale[k]!, depth: c.depth[k]!, breadth: c.breadth[k]! }));
  };
  for (const post of tracked) {
    const sim = simOf.get(post.post_id)!;
    const s = post.cascades.length > 0 ? treeCurves(simNodes(sim), grid) : null;
    for (const cascadeId of post.cascades) {
      const tree = real.get(cascadeId);
      if (!tree || !s) continue;
      paired.add(cascadeId);
      pairCount++;
      const r = treeCurves(tree, grid);
      push('sim', cascadeId, post.post_id, s);
      push('real', cascadeId, post.post_id, r);
      for (const metric of CASCADE_METRICS) {
        pairs.push({
          cascade_id: cascadeId,
          post_id: post.post_id,
          method: sim.method,
          metric,
          nrmse: nrmse(s[metric], r[metric]),
          rmse: rmse(s[metric], r[metric]),
          nrmse_range: nrmseByRange(s[metric], r[metric]),
          sim_final: s[metric][grid.points - 1]!,
          real_final: r[metric][grid.points - 1]!,
        });
      }
    }
  }
  const mean_curves: CurvePoint[] = (['sim', 'real'] as const).flatMap((source) =>
    pairCount === 0 ? [] : minutes.map((minute, k) => ({ source, cascade_id: 'mean', post_id: null, minute, scale: sums[source].scale[k]! / pairCount, depth: sums[source].depth[k]! / pairCount, breadth: sums[source].breadth[k]! / pairCount })),
  );
  const span = await runSpan(db, stepMs);
  const unpaired = [...real.keys()]
    .filter((id) => !paired.has(id))
    .map((cascade_id) => ({
      cascade_id,
      reason: columns.has('dataset_posts.dataset_id')
        ? 'its source post is not among the run’s opening posts (give source_post in dataset.cascades, or load the post in dataset.posts with an author some cohort took)'
        : 'the run predates pairing (no dataset_posts table): run it again',
    }));
  return {
    grid,
    horizon_min: settings.horizonMs / 60_000,
    tracked,
    cascades,
    pairs,
    summary: summarise(pairs),
    curves,
    mean_curves,
    pair_count: pairCount,
    unpaired,
    real_cascades: real.size,
    run_start_ms: span.start,
    run_span_min: span.minutes,
    step_ms: stepMs,
  };
}
