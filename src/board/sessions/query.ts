/**
 * Browse-mode sessions of one run, one row per agent-step, from the definitions in
 * analysis/recsys-eval.ts (BROWSE_SESSION_CTES: what a session, a page read, a shown post and
 * an action on it are), so the list adds up to the run's evaluation table. Filtered, sorted and
 * paged in DuckDB: a large run has millions of sessions.
 */
import type { Params, SimDb } from '../../analysis/open.js';
import { BROWSE_SESSION_CTES } from '../../analysis/recsys-eval.js';

export interface SessionFilter {
  readonly cohort?: string;
  readonly fromStep?: number;
  readonly toStep?: number;
  readonly minPages?: number;
  /** Only sessions that liked at least one shown post. */
  readonly liked?: boolean;
}

export const SESSION_SORTS = ['step', 'agent_id', 'cohort', 'pages', 'shown', 'viewed', 'liked', 'reposted', 'exit_page', 'satisfaction'] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

export interface SessionRow {
  step: number;
  agent_id: number;
  username: string;
  cohort: string;
  /** Pages read: 1 + applied next_page calls (recsys-eval's N_exit). */
  pages: number;
  /** Feed posts shown on the pages reached. */
  shown: number;
  /** Shown posts opened (view_post), liked and reposted. */
  viewed: number;
  liked: number;
  reposted: number;
  /** The page it left from with exit_feed; null when it stopped without calling exit_feed. */
  exit_page: number | null;
  /** The exit_feed rating (1-10); null without one. */
  satisfaction: number | null;
}

export interface SessionSummary {
  sessions: number;
  mean_pages: number | null;
  mean_shown: number | null;
  mean_viewed: number | null;
  mean_liked: number | null;
  mean_reposted: number | null;
  /** Over sessions that gave a rating. */
  mean_satisfaction: number | null;
  /** Sessions that ended with exit_feed. */
  exited: number;
}

/** The run's browse settings (meta `browse`), or null when it was not in browse mode. */
export async function browseSettings(db: SimDb): Promise<Record<string, unknown> | null> {
  const row = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'browse' LIMIT 1`);
  if (!row) return null;
  try {
    const v: unknown = JSON.parse(row.value);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Every session with its figures, then `listed`: those the filter keeps. */
const LISTED = `
    WITH ${BROWSE_SESSION_CTES},
    acts AS (
      SELECT step, agent_id,
             sum(n) FILTER (WHERE action = 'view_post') AS viewed,
             sum(n) FILTER (WHERE action = 'like') AS liked,
             sum(n) FILTER (WHERE action = 'repost') AS reposted
      FROM session_acts GROUP BY step, agent_id),
    shown_n AS (SELECT step, agent_id, count(*) AS shown FROM shown GROUP BY step, agent_id),
    who AS (SELECT user_id, any_value(username) AS username, any_value(cohort) AS cohort FROM users GROUP BY user_id),
    everything AS (
      SELECT s.step::INTEGER AS step, s.agent_id::INTEGER AS agent_id, w.username, w.cohort,
             p.pages::INTEGER AS pages,
             coalesce(sh.shown, 0)::INTEGER AS shown,
             coalesce(a.viewed, 0)::INTEGER AS viewed,
             coalesce(a.liked, 0)::INTEGER AS liked,
             coalesce(a.reposted, 0)::INTEGER AS reposted,
             CASE WHEN r.agent_id IS NOT NULL THEN p.pages END::INTEGER AS exit_page,
             r.rating::INTEGER AS satisfaction
      FROM sessions s
      JOIN pages p USING (step, agent_id)
      JOIN who w ON w.user_id = s.agent_id
      LEFT JOIN shown_n sh USING (step, agent_id)
      LEFT JOIN acts a USING (step, agent_id)
      LEFT JOIN ratings r USING (step, agent_id))`;

/** The filter as a WHERE clause over `everything`, with its parameters (only those given). */
function where(f: SessionFilter): { sql: string; params: Record<string, string | number> } {
  const terms: string[] = [];
  const params: Record<string, string | number> = {};
  if (f.cohort !== undefined) {
    terms.push('cohort = $cohort');
    params.cohort = f.cohort;
  }
  if (f.fromStep !== undefined) {
    terms.push('step >= $from');
    params.from = f.fromStep;
  }
  if (f.toStep !== undefined) {
    terms.push('step <= $to');
    params.to = f.toStep;
  }
  if (f.minPages !== undefined) {
    terms.push('pages >= $min_pages');
    params.min_pages = f.minPages;
  }
  if (f.liked) terms.push('liked > 0');
  return { sql: terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`, params };
}

const withParams = (params: Record<string, string | number>): Params | undefined => (Object.keys(params).length === 0 ? undefined : params);

export async function sessionSummary(db: SimDb, f: SessionFilter): Promise<SessionSummary> {
  const w = where(f);
  const row = await db.one<SessionSummary>(
    `${LISTED}
    SELECT count(*)::INTEGER AS sessions, avg(pages)::DOUBLE AS mean_pages, avg(shown)::DOUBLE AS mean_shown,
           avg(viewed)::DOUBLE AS mean_viewed, avg(liked)::DOUBLE AS mean_liked, avg(reposted)::DOUBLE AS mean_reposted,
           avg(satisfaction)::DOUBLE AS mean_satisfaction, count(exit_page)::INTEGER AS exited
    FROM everything ${w.sql}`,
    withParams(w.params),
  );
  return row!;
}

/** Sessions by pages read, for the distribution chart. */
export async function pagesDistribution(db: SimDb, f: SessionFilter): Promise<{ pages: number; sessions: number }[]> {
  const w = where(f);
  return db.query(`${LISTED} SELECT pages, count(*)::INTEGER AS sessions FROM everything ${w.sql} GROUP BY pages ORDER BY pages`, withParams(w.params));
}

/** One page of the filtered sessions, sorted by `sort` (ties by step, then agent). */
export async function sessionRows(db: SimDb, f: SessionFilter, sort: SessionSort, descending: boolean, offset: number, limit: number): Promise<SessionRow[]> {
  // Only a listed column name goes into the SQL text.
  if (!SESSION_SORTS.includes(sort)) throw new Error(`cannot sort sessions by ${String(sort)}`);
  const w = where(f);
  const order = `${sort} ${descending ? 'DESC' : 'ASC'} NULLS LAST, step, agent_id`;
  return db.query<SessionRow>(`${LISTED} SELECT * FROM everything ${w.sql} ORDER BY ${order} LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}`, withParams(w.params));
}

/** The agents' cohorts, for the filter's choices. */
export async function agentCohorts(db: SimDb): Promise<string[]> {
  const rows = await db.query<{ cohort: string }>(`SELECT DISTINCT cohort FROM users WHERE kind = 'agent' ORDER BY cohort`);
  return rows.map((r) => r.cohort);
}
