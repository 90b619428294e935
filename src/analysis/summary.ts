/**
 * `summarizeRun`: the figures `socialsim inspect` prints for one run's `sim.duckdb`.
 */
import { withSimDb, type SimDb } from './open.js';
import { isoTime, stepsTable, type StepRow } from './run-metrics.js';

export interface CohortModelRow {
  cohort: string;
  model: string;
  /** 'agent' | 'seed' */
  kind: string;
  users: number;
}

export interface PostKindRow {
  kind: string;
  posts: number;
}

export interface ActionTypeRow {
  action: string;
  ok: number;
  failed: number;
  total: number;
}

export interface ErrorRow {
  error: string;
  count: number;
  /** The action types that failed with this error, comma-separated. */
  actions: string;
}

export interface RunTotals {
  users: number;
  agents: number;
  posts: number;
  likes: number;
  reposts: number;
  follows: number;
  actions: number;
  failed_actions: number;
  steps: number;
  first_sim_time: string | null;
  last_sim_time: string | null;
}

/** A dataset table as the run loaded it (run.json's `dataset_load`): rows kept, rows skipped and the first reasons. */
export interface DatasetLoadRow {
  table: string;
  file: string;
  rows: number;
  skipped: number;
  examples: string[];
}

export interface RunSummary {
  dbPath: string;
  /** From run.json beside the database (`inspect` adds it), when the run loaded a dataset. */
  datasetLoad?: DatasetLoadRow[];
  totals: RunTotals;
  meta: { key: string; value: string }[];
  agentsByCohortModel: CohortModelRow[];
  postsByKind: PostKindRow[];
  actionsByType: ActionTypeRow[];
  steps: StepRow[];
  /** The experimenter's interventions as applied (label_post, delete_post, suspend_account, set_recsys). */
  interventions: InterventionRow[];
  topErrors: ErrorRow[];
}

export interface InterventionRow {
  step: number;
  /** Simulated time the step began (interventions apply at its start); null if the step was never committed. */
  sim_time: string | null;
  action: string;
  target: string | null;
  ok: boolean;
  error: string | null;
}

/** The interventions applied in the run, in step order (an empty list for a run without). */
export function interventionRows(db: SimDb): Promise<InterventionRow[]> {
  return db.query<InterventionRow>(
    `SELECT i.step, ${isoTime('s.sim_time')} AS sim_time, i.action, i.target, i.ok, i.error
     FROM interventions i LEFT JOIN steps s ON s.step = i.step ORDER BY i.step, i.action, i.target`,
  );
}

export interface SummarizeOptions {
  /** How many distinct error texts to list (default 10). */
  topErrors?: number;
}

export async function runTotals(db: SimDb): Promise<RunTotals> {
  const row = await db.one<RunTotals>(`
    SELECT (SELECT count(*) FROM users)::INTEGER AS users,
           (SELECT count(*) FROM users WHERE kind = 'agent')::INTEGER AS agents,
           (SELECT count(*) FROM posts)::INTEGER AS posts,
           (SELECT count(*) FROM likes)::INTEGER AS likes,
           (SELECT count(*) FROM reposts)::INTEGER AS reposts,
           (SELECT count(*) FROM follows)::INTEGER AS follows,
           (SELECT count(*) FROM trace)::INTEGER AS actions,
           (SELECT count(*) FROM trace WHERE NOT ok)::INTEGER AS failed_actions,
           (SELECT count(*) FROM steps)::INTEGER AS steps,
           ${isoTime('(SELECT min(sim_time) FROM steps)')} AS first_sim_time,
           ${isoTime('(SELECT max(sim_time) FROM steps)')} AS last_sim_time`);
  if (!row) throw new Error('totals query returned no row');
  return row;
}

export function agentsByCohortModel(db: SimDb): Promise<CohortModelRow[]> {
  return db.query<CohortModelRow>(`
    SELECT cohort, model, kind, count(*)::INTEGER AS users
    FROM users GROUP BY cohort, model, kind ORDER BY kind, cohort, model`);
}

export function postsByKind(db: SimDb): Promise<PostKindRow[]> {
  return db.query<PostKindRow>(`
    SELECT kind, count(*)::INTEGER AS posts FROM posts GROUP BY kind ORDER BY posts DESC, kind`);
}

export function actionsByType(db: SimDb): Promise<ActionTypeRow[]> {
  return db.query<ActionTypeRow>(`
    SELECT action,
           count(*) FILTER (WHERE ok)::INTEGER     AS ok,
           count(*) FILTER (WHERE NOT ok)::INTEGER AS failed,
           count(*)::INTEGER                       AS total
    FROM trace GROUP BY action ORDER BY total DESC, action`);
}

export function topErrors(db: SimDb, n = 10): Promise<ErrorRow[]> {
  return db.query<ErrorRow>(
    `
    SELECT coalesce(error, '(no error message)') AS error,
           count(*)::INTEGER AS count,
           string_agg(DISTINCT action, ', ' ORDER BY action) AS actions
    FROM trace WHERE NOT ok
    GROUP BY coalesce(error, '(no error message)')
    ORDER BY count DESC, error
    LIMIT $1`,
    [Math.max(0, Math.floor(n))],
  );
}

export function metaRows(db: SimDb): Promise<{ key: string; value: string }[]> {
  return db.query<{ key: string; value: string }>(`SELECT key, value FROM meta ORDER BY key`);
}

/** Opens `dbPath` read-only, gathers the run's summary figures, and closes it. */
export function summarizeRun(dbPath: string, opts: SummarizeOptions = {}): Promise<RunSummary> {
  return withSimDb(dbPath, async (db) => ({
    dbPath,
    totals: await runTotals(db),
    meta: await metaRows(db),
    agentsByCohortModel: await agentsByCohortModel(db),
    postsByKind: await postsByKind(db),
    actionsByType: await actionsByType(db),
    steps: await stepsTable(db),
    interventions: await interventionRows(db),
    topErrors: await topErrors(db, opts.topErrors ?? 10),
  }));
}
