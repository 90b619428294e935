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
    everything AS MATERIALIZED (
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

export interface SessionsPage {
  /** Of the sessions the filter keeps. */
  summary: SessionSummary;
  /** Sessions the filter keeps, by pages read. */
  distribution: { pages: number; sessions: number }[];
  /** `limit` of them from `offset`, sorted by `sort` (ties by step, then agent). */
  rows: SessionRow[];
}

/**
 * The summary, the distribution of pages read and one page of rows of the filtered sessions, in
 * one statement: the sessions are worked out once (materialised) for all three, which is most of
 * the cost (joining the trace with what each session was shown).
 */
export async function sessionsPage(db: SimDb, f: SessionFilter, sort: SessionSort, descending: boolean, offset: number, limit: number): Promise<SessionsPage> {
  // Only a listed column name goes into the SQL text.
  if (!SESSION_SORTS.includes(sort)) throw new Error(`cannot sort sessions by ${String(sort)}`);
  const w = where(f);
  const order = `${sort} ${descending ? 'DESC' : 'ASC'} NULLS LAST, step, agent_id`;
  const got = await db.columns<{ summary: SessionSummary[]; distribution: (SessionsPage['distribution'] | null)[]; rows: (SessionRow[] | null)[] }>(
    `${LISTED},
    kept AS MATERIALIZED (SELECT * FROM everything ${w.sql})
    SELECT (SELECT {sessions: count(*)::INTEGER, mean_pages: avg(pages)::DOUBLE, mean_shown: avg(shown)::DOUBLE,
                    mean_viewed: avg(viewed)::DOUBLE, mean_liked: avg(liked)::DOUBLE, mean_reposted: avg(reposted)::DOUBLE,
                    mean_satisfaction: avg(satisfaction)::DOUBLE, exited: count(exit_page)::INTEGER} FROM kept) AS summary,
           (SELECT list({pages: pages, sessions: n} ORDER BY pages) FROM (SELECT pages, count(*)::INTEGER AS n FROM kept GROUP BY pages)) AS distribution,
           (SELECT list(k ORDER BY k.i) FROM (SELECT *, row_number() OVER (ORDER BY ${order}) AS i FROM kept ORDER BY ${order} LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}) k) AS rows`,
    withParams(w.params),
  );
  const rows = (got.rows[0] ?? []).map(({ i: _i, ...r }: SessionRow & { i?: unknown }) => r);
  return { summary: got.summary[0]!, distribution: got.distribution[0] ?? [], rows };
}

/** The agents' cohorts, for the filter's choices. */
export async function agentCohorts(db: SimDb): Promise<string[]> {
  const rows = await db.query<{ cohort: string }>(`SELECT DISTINCT cohort FROM users WHERE kind = 'agent' ORDER BY cohort`);
  return rows.map((r) => r.cohort);
}
