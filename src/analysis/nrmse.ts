/**
 * Simulated against real cascades: each cascade's curves on a normalised time grid, averaged
 * over cascades, and the NRMSE between the simulated and the real mean curve per metric.
 *
 * - Time: each cascade's own duration (source to its last node) maps to [0, 1]; the curves are
 *   read at `points` evenly spaced fractions (0, 1/(points−1), …, 1), each value counting the
 *   nodes that joined at or before that fraction. Simulated time is in steps, real time in
 *   seconds; normalising makes them comparable without a steps-to-seconds conversion. A cascade
 *   whose nodes all joined at once is flat at its final value.
 * - Only cascades with at least one repost take part, on both sides: real datasets hold
 *   cascades that spread, and a tracked post nobody reposted has no shape to compare.
 * - Averaged over cascades, not matched pairs: nothing links a simulated post to a real
 *   cascade (real nodes keep the dataset's ids), and the two sides hold very different numbers
 *   of cascades (a handful of tracked posts against hundreds of real ones). `nrmse` itself takes
 *   any two curves, for callers that do have pairs.
 */
import { DEFAULT_TRACKED_TOP, SIM_CASCADE_CTES, topParam } from './cascades.js';
import type { SimDb } from './open.js';
import { REAL_CASCADE_CTES, realDataCounts } from './real-cascades.js';

export const DEFAULT_GRID_POINTS = 20;

export const CASCADE_METRICS = ['scale', 'depth', 'breadth'] as const;
export type CascadeMetric = (typeof CASCADE_METRICS)[number];
/** How a metric is named in tables and charts. */
export const METRIC_TITLES: Readonly<Record<CascadeMetric, string>> = { scale: 'scale', depth: 'depth', breadth: 'max breadth' };

/**
 * RMSE(sim, real) / (max − min of real). When the real curve is flat the range is 0, so its mean
 * (absolute) is the denominator instead; when that is 0 too, identical curves give 0 and any
 * other pair null (no meaningful scale). Curves must have the same, non-zero length.
 */
export function nrmse(sim: readonly number[], real: readonly number[]): number | null {
  if (sim.length !== real.length || real.length === 0) throw new Error(`nrmse: curves of length ${sim.length} and ${real.length}`);
  let sq = 0;
  for (let i = 0; i < real.length; i++) sq += ((sim[i] ?? 0) - (real[i] ?? 0)) ** 2;
  const rmse = Math.sqrt(sq / real.length);
  const range = Math.max(...real) - Math.min(...real);
  if (range > 0) return rmse / range;
  const mean = Math.abs(real.reduce((a, b) => a + b, 0) / real.length);
  if (mean > 0) return rmse / mean;
  return rmse === 0 ? 0 : null;
}

export interface GridRow {
  source: 'sim' | 'real';
  /** Grid index 0 … points−1. */
  k: number;
  /** Fraction of the cascade's duration, k / (points − 1). */
  u: number;
  /** Mean over cascades. */
  scale: number;
  depth: number;
  breadth: number;
  /** Cascades averaged (the same at every k). */
  cascades: number;
}

/**
 * Mean curves on the grid over a `WITH RECURSIVE` list that defines `nodes` as
 * `(cid, depth, t)`. `t·(points−1) ≤ k·duration` keeps whole-number times exact.
 */
function gridSql(ctes: string, nodes: string, points: number, source: 'sim' | 'real'): string {
  return `WITH RECURSIVE ${ctes},
    g_nodes AS (SELECT cid, depth, t FROM ${nodes}
                WHERE cid IN (SELECT cid FROM ${nodes} WHERE depth > 0)),
    g_dur AS (SELECT cid, max(t) AS d FROM g_nodes GROUP BY cid),
    g_k AS (SELECT range AS k FROM range(0, ${points})),
    g_levels AS (
      SELECT d.cid, k.k, n.depth, count(*) AS n
      FROM g_dur d CROSS JOIN g_k k JOIN g_nodes n ON n.cid = d.cid AND n.t * ${points - 1} <= k.k * d.d
      GROUP BY d.cid, k.k, n.depth),
    g_per AS (
      SELECT cid, k, coalesce(sum(n) FILTER (WHERE depth > 0), 0) AS scale, max(depth) AS depth, max(n) AS breadth
      FROM g_levels GROUP BY cid, k)
    SELECT '${source}' AS source, k::INTEGER AS k, (k / ${points - 1})::DOUBLE AS u,
           avg(scale)::DOUBLE AS scale, avg(depth)::DOUBLE AS depth, avg(breadth)::DOUBLE AS breadth,
           count(*)::INTEGER AS cascades
    FROM g_per GROUP BY k ORDER BY k`;
}

const checkPoints = (points: number): number => {
  if (!Number.isInteger(points) || points < 2 || points > 1000) throw new Error(`grid points must be an integer in 2..1000, got ${points}`);
  return points;
};

/** Mean normalised curves of the simulated cascades that spread (tracked posts, see cascades.ts). */
export function simGridCurves(db: SimDb, points = DEFAULT_GRID_POINTS, top = DEFAULT_TRACKED_TOP): Promise<GridRow[]> {
  const ctes = `${SIM_CASCADE_CTES},
    s_timed AS (SELECT n.post_id AS cid, n.depth, (n.step - t.created_step)::DOUBLE AS t
                FROM s_nodes n JOIN s_tracked t ON t.post_id = n.post_id)`;
  return db.query<GridRow>(gridSql(ctes, 's_timed', checkPoints(points), 'sim'), topParam(top));
}

/** Mean normalised curves of the real cascades that spread. */
export function realGridCurves(db: SimDb, points = DEFAULT_GRID_POINTS): Promise<GridRow[]> {
  return db.query<GridRow>(gridSql(REAL_CASCADE_CTES, 'r_nodes', checkPoints(points), 'real'));
}

export interface NrmseRow {
  metric: CascadeMetric;
  /** null when either side has no cascade, or the real curve is 0 throughout and the sim's is not. */
  nrmse: number | null;
  /** Mean final value (at u = 1) on each side; null when that side has no cascade. */
  sim_final: number | null;
  real_final: number | null;
}

export interface CascadeComparison {
  grid: GridRow[];
  nrmse: NrmseRow[];
  /** Cascades that spread and were averaged, on each side. */
  sim_cascades: number;
  real_cascades: number;
}

/** Both sides' mean curves and the NRMSE per metric. Real cascades absent → no real rows. */
export async function compareCascades(db: SimDb, points = DEFAULT_GRID_POINTS, top = DEFAULT_TRACKED_TOP): Promise<CascadeComparison> {
  const sim = await simGridCurves(db, points, top);
  const real = (await realDataCounts(db)).cascade_rows > 0 ? await realGridCurves(db, points) : [];
  const rows = CASCADE_METRICS.map((metric): NrmseRow => {
    const s = sim.map((r) => r[metric]);
    const r = real.map((x) => x[metric]);
    return {
      metric,
      nrmse: s.length > 0 && r.length > 0 ? nrmse(s, r) : null,
      sim_final: s.length > 0 ? (s[s.length - 1] ?? null) : null,
      real_final: r.length > 0 ? (r[r.length - 1] ?? null) : null,
    };
  });
  return { grid: [...sim, ...real], nrmse: rows, sim_cascades: sim[0]?.cascades ?? 0, real_cascades: real[0]?.cascades ?? 0 };
}
