/**
 * The sweep index: `sweep.duckdb`, table `runs`, one row per run of the sweep with its swept
 * parameters and headline metrics. Metrics come from each run's `sim.duckdb`, opened read-only
 * after its process has exited; only the sweep process writes the index.
 */
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { openDuckDbFile, type DuckDbFile } from '../common/duckdb-file.js';
import { withSimDb } from '../analysis/open.js';
import { crossCuttingTotals } from '../analysis/exposure.js';
import { herdingResult } from '../analysis/herding.js';
import { EVALUATION_METRICS, recsysEvaluation } from '../analysis/recsys-eval.js';
import { runTotals } from '../analysis/summary.js';

/** The headline metrics of one run, in the order of the index columns. */
export interface RunMetrics {
  agents: number;
  actions: number;
  failed_actions: number;
  posts: number;
  likes: number;
  reposts: number;
  follows: number;
  /** Likes per original post (scripted and initial posts included). */
  mean_likes_per_post: number;
  /** Share of original posts with at least one like, 0..1. */
  share_posts_liked: number;
  /** Browse-mode recommender evaluation (analysis/recsys-eval.ts); null when browse is off. */
  p_view: number | null;
  n_like: number | null;
  p_like: number | null;
  n_exit: number | null;
  s_sat: number | null;
  /** Share of what agents with a stance were shown / liked that came from the other side (analysis/exposure.ts); null without stances. */
  cross_cutting_shown: number | null;
  cross_cutting_liked: number | null;
  /** Herding experiment (analysis/herding.ts): agents' net score of up- / down-voted posts minus control's at the horizon; null without herding. */
  herding_up_effect: number | null;
  herding_down_effect: number | null;
  wall_ms: number;
}

/**
 * What a metric's values are, for charts and intervals: a count or a mean of counts (never
 * below 0), a share (0..1), or a difference (any sign). Counts are drawn from 0; shares, means
 * and differences on a scale fitted to their values, where 0.476 and 0.50 look different.
 */
export type MetricScale = 'count' | 'mean' | 'share' | 'difference';

export interface MetricDef {
  readonly key: keyof RunMetrics;
  /** Chart title: what the metric is. */
  readonly title: string;
  /** Column header in the runs table. */
  readonly short: string;
  /** An outcome of the run, a setting it was given (agents) or what it cost (wall time). */
  readonly role: 'outcome' | 'setting' | 'cost';
  readonly scale: MetricScale;
  /** The values the metric can take: a 95 % interval is clipped to it. */
  readonly range: readonly [number, number];
}

const ANY: readonly [number, number] = [-Infinity, Infinity];
const NON_NEGATIVE: readonly [number, number] = [0, Infinity];
const SHARE: readonly [number, number] = [0, 1];

/** The browse-mode metrics' kinds: P_view and P_like are shares, S_sat a rating 1-10, the rest means of counts. */
const EVALUATION_SCALES: Record<(typeof EVALUATION_METRICS)[number]['key'], { scale: MetricScale; range: readonly [number, number] }> = {
  p_view: { scale: 'share', range: SHARE },
  n_like: { scale: 'mean', range: NON_NEGATIVE },
  p_like: { scale: 'share', range: SHARE },
  n_exit: { scale: 'mean', range: [1, Infinity] },
  s_sat: { scale: 'mean', range: [1, 10] },
};

export const METRICS: readonly MetricDef[] = [
  { key: 'agents', title: 'agents', short: 'agents', role: 'setting', scale: 'count', range: NON_NEGATIVE },
  { key: 'actions', title: 'actions', short: 'actions', role: 'outcome', scale: 'count', range: NON_NEGATIVE },
  { key: 'failed_actions', title: 'failed actions', short: 'failed', role: 'outcome', scale: 'count', range: NON_NEGATIVE },
  { key: 'posts', title: 'posts (opening posts included)', short: 'posts', role: 'outcome', scale: 'count', range: NON_NEGATIVE },
  { key: 'likes', title: 'likes', short: 'likes', role: 'outcome', scale: 'count', range: NON_NEGATIVE },
  { key: 'reposts', title: 'reposts', short: 'reposts', role: 'outcome', scale: 'count', range: NON_NEGATIVE },
  { key: 'follows', title: 'follows', short: 'follows', role: 'outcome', scale: 'count', range: NON_NEGATIVE },
  { key: 'mean_likes_per_post', title: 'mean likes per original post', short: 'likes / original', role: 'outcome', scale: 'mean', range: NON_NEGATIVE },
  { key: 'share_posts_liked', title: 'share of original posts with ≥ 1 like', short: 'share liked', role: 'outcome', scale: 'share', range: SHARE },
  ...EVALUATION_METRICS.map((m) => ({ key: m.key, title: `${m.title} (${m.description})`, short: m.title, role: 'outcome' as const, ...EVALUATION_SCALES[m.key] })),
  { key: 'cross_cutting_shown', title: 'cross-cutting share of posts shown (from the other stance)', short: 'cross-cutting shown', role: 'outcome', scale: 'share', range: SHARE },
  { key: 'cross_cutting_liked', title: 'cross-cutting share of posts liked (from the other stance)', short: 'cross-cutting liked', role: 'outcome', scale: 'share', range: SHARE },
  { key: 'herding_up_effect', title: "herding: up − control (agents' net score at the horizon)", short: 'herding up − control', role: 'outcome', scale: 'difference', range: ANY },
  { key: 'herding_down_effect', title: "herding: down − control (agents' net score at the horizon)", short: 'herding down − control', role: 'outcome', scale: 'difference', range: ANY },
  { key: 'wall_ms', title: 'wall time (ms)', short: 'wall time', role: 'cost', scale: 'count', range: NON_NEGATIVE },
];

const DOUBLE_METRICS: ReadonlySet<keyof RunMetrics> = new Set(['mean_likes_per_post', 'share_posts_liked', 'cross_cutting_shown', 'cross_cutting_liked', 'herding_up_effect', 'herding_down_effect', ...EVALUATION_METRICS.map((m) => m.key)]);

export interface IndexRow {
  run_id: string;
  status: string;
  seed: number;
  config_hash: string;
  run_dir: string;
  params: Readonly<Record<string, unknown>>;
  metrics: RunMetrics | null;
  error: string | null;
}

/** Reads the headline metrics of a finished run (its sim.duckdb read-only; wall time from run.json). */
export async function readRunMetrics(runDir: string, wallMs: number): Promise<RunMetrics> {
  return withSimDb(join(runDir, 'sim.duckdb'), async (db) => {
    const t = await runTotals(db);
    const likes = await db.one<{ mean: number | null; share: number | null }>(`
      SELECT avg(coalesce(l.n, 0))::DOUBLE AS mean, avg(CASE WHEN l.n >= 1 THEN 1 ELSE 0 END)::DOUBLE AS share
      FROM posts p LEFT JOIN (SELECT post_id, count(*) AS n FROM likes GROUP BY post_id) l USING (post_id)
      WHERE p.kind = 'original'`);
    const evaluation = await recsysEvaluation(db);
    const crossing = await crossCuttingTotals(db);
    const herding = await herdingResult(db);
    const effect = (arm: 'up' | 'down'): number | null => herding?.effects.find((e) => e.arm === arm && e.measure === 'agents')?.diff ?? null;
    return {
      agents: t.agents,
      actions: t.actions,
      failed_actions: t.failed_actions,
      posts: t.posts,
      likes: t.likes,
      reposts: t.reposts,
      follows: t.follows,
      mean_likes_per_post: likes?.mean ?? 0,
      share_posts_liked: likes?.share ?? 0,
      p_view: evaluation.p_view,
      n_like: evaluation.n_like,
      p_like: evaluation.p_like,
      n_exit: evaluation.n_exit,
      s_sat: evaluation.s_sat,
      cross_cutting_shown: crossing.shown,
      cross_cutting_liked: crossing.liked,
      herding_up_effect: effect('up'),
      herding_down_effect: effect('down'),
      wall_ms: wallMs,
    };
  });
}

/** The DuckDB type of a parameter column, from the values it takes. */
function columnType(values: readonly unknown[]): 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR' {
  if (values.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) return 'BIGINT';
  if (values.every((v) => typeof v === 'number')) return 'DOUBLE';
  if (values.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  return 'VARCHAR';
}

/** A parameter value as stored: scalars as they are, anything else as JSON text. */
export function paramCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The open index of one sweep; `update` replaces a run's row. Writes are serialized. */
export class SweepIndex {
  private chain: Promise<void> = Promise.resolve();
  private readonly conn: DuckDBConnection;
  private constructor(
    private readonly file: DuckDbFile,
    private readonly paramNames: readonly string[],
  ) {
    this.conn = file.connection;
  }

  /** Creates (or replaces) the `runs` table with one column per swept parameter. */
  static async create(path: string, paramNames: readonly string[], rows: readonly IndexRow[]): Promise<SweepIndex> {
    const file = await openDuckDbFile(path);
    const conn = file.connection;
    const cols = paramNames
      .filter((p) => p !== 'seed')
      .map((p) => `${quote(p)} ${columnType(rows.map((r) => r.params[p]))}`);
    const metricCols = METRICS.map((m) => `${m.key} ${DOUBLE_METRICS.has(m.key) ? 'DOUBLE' : 'BIGINT'}`);
    await conn.run(
      `CREATE OR REPLACE TABLE runs (run_id VARCHAR PRIMARY KEY, status VARCHAR NOT NULL, seed BIGINT NOT NULL, ` +
        [...cols, 'config_hash VARCHAR NOT NULL', ...metricCols, 'run_dir VARCHAR NOT NULL', 'error VARCHAR'].join(', ') +
        ')',
    );
    const index = new SweepIndex(file, paramNames.filter((p) => p !== 'seed'));
    for (const r of rows) await index.update(r);
    return index;
  }

  update(row: IndexRow): Promise<void> {
    const names = ['run_id', 'status', 'seed', ...this.paramNames.map(quote), 'config_hash', ...METRICS.map((m) => m.key), 'run_dir', 'error'];
    const values: DuckDBValue[] = [
      row.run_id,
      row.status,
      row.seed,
      ...this.paramNames.map((p) => paramCell(row.params[p])),
      row.config_hash,
      ...METRICS.map((m) => (row.metrics ? row.metrics[m.key] : null)),
      row.run_dir,
      row.error,
    ];
    const sql = `INSERT OR REPLACE INTO runs (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`;
    const next = this.chain.then(() => this.conn.run(sql, values).then(() => undefined));
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.file.close();
  }
}
