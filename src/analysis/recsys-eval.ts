import type { SimDb } from './open.js';

/**
 * How agents responded to their feeds in browse mode: the recommender evaluation of the
 * issue's Table 2. A session is one active agent's step (any trace row, when the run's meta
 * says browse mode was on): it was shown the first page of its feed, possibly empty.
 *  - p_view: posts opened (view_post) / posts shown (feed impressions of the pages reached: the
 *    recommender's and the home timeline's);
 *  - n_like: likes of shown posts per session;
 *  - p_like: likes of shown posts / posts shown;
 *  - n_exit: pages read per session before exiting (1 + next_page calls);
 *  - s_sat: mean satisfaction rating given on exit (1-10), over sessions that gave one (an LLM
 *    agent may stop without calling exit_feed).
 * All null when the run has no browse sessions (browse mode off).
 */
export interface RecsysEvaluation {
  readonly sessions: number;
  readonly shown: number;
  readonly p_view: number | null;
  readonly n_like: number | null;
  readonly p_like: number | null;
  readonly n_exit: number | null;
  readonly s_sat: number | null;
}

export const EVALUATION_METRICS = [
  { key: 'p_view', title: 'P_view', description: 'share of shown posts opened', higherIsBetter: true },
  { key: 'n_like', title: 'N_like', description: 'likes per session', higherIsBetter: true },
  { key: 'p_like', title: 'P_like', description: 'likes per shown post', higherIsBetter: true },
  { key: 'n_exit', title: 'N_exit', description: 'pages read before leaving', higherIsBetter: true },
  { key: 's_sat', title: 'S_sat', description: 'satisfaction on exit, 1-10', higherIsBetter: true },
] as const satisfies readonly { key: keyof RecsysEvaluation; title: string; description: string; higherIsBetter: boolean }[];

/**
 * The browse sessions as SQL, shared by the evaluation below and the board's session list (so a
 * session, a page read and a shown post mean the same in both): CTEs
 *  - `sessions(step, agent_id)`: every agent's step with a trace row, when browse mode was on;
 *  - `ratings(step, agent_id, rating)`: the exit_feed rating of a session that gave one;
 *  - `pages(step, agent_id, pages)`: pages read (1 + applied next_page calls);
 *  - `shown(step, agent_id, post_id)`: the feed impressions (recsys and home) of the pages reached;
 *  - `session_acts(step, agent_id, action, n)`: applied view_post, like and repost calls on a
 *    post the session was shown.
 */
export const BROWSE_SESSION_CTES = `
    sessions AS (
      SELECT DISTINCT t.step, t.agent_id FROM trace t JOIN users u ON u.user_id = t.agent_id AND u.kind = 'agent'
      WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'browse')),
    ratings AS (
      SELECT step, agent_id, any_value(CAST(args->>'rating' AS INTEGER)) AS rating
      FROM trace WHERE ok AND action = 'exit_feed' GROUP BY step, agent_id),
    pages AS (
      SELECT s.step, s.agent_id, 1 + count(t.seq) AS pages
      FROM sessions s LEFT JOIN trace t ON t.step = s.step AND t.agent_id = s.agent_id AND t.ok AND t.action = 'next_page'
      GROUP BY s.step, s.agent_id),
    shown AS (
      SELECT i.step, i.agent_id, i.post_id FROM impressions i SEMI JOIN sessions s USING (step, agent_id) WHERE i.source IN ('recsys', 'home')),
    session_acts AS (
      SELECT t.step, t.agent_id, t.action, count(*) AS n
      FROM trace t JOIN shown i ON i.step = t.step AND i.agent_id = t.agent_id AND i.post_id = CAST(t.args->>'post_id' AS BIGINT)
      WHERE t.ok AND t.action IN ('view_post', 'like', 'repost') GROUP BY t.step, t.agent_id, t.action)`;

export async function recsysEvaluation(db: SimDb): Promise<RecsysEvaluation> {
  const row = await db.one<RecsysEvaluation>(`
    WITH ${BROWSE_SESSION_CTES},
    acted AS (SELECT action, sum(n) AS n FROM session_acts GROUP BY action)
    SELECT (SELECT count(*) FROM sessions)::INTEGER AS sessions,
           (SELECT count(*) FROM shown)::INTEGER AS shown,
           ((SELECT n FROM acted WHERE action = 'view_post') / nullif((SELECT count(*) FROM shown), 0))::DOUBLE AS p_view,
           (coalesce((SELECT n FROM acted WHERE action = 'like'), 0) / nullif((SELECT count(*) FROM sessions), 0))::DOUBLE AS n_like,
           (coalesce((SELECT n FROM acted WHERE action = 'like'), 0) / nullif((SELECT count(*) FROM shown), 0))::DOUBLE AS p_like,
           (SELECT avg(pages) FROM pages)::DOUBLE AS n_exit,
           (SELECT avg(rating) FROM ratings SEMI JOIN sessions USING (step, agent_id))::DOUBLE AS s_sat`);
  if (!row) throw new Error('recsys evaluation query returned no row');
  const sessions = row.sessions;
  return sessions === 0 ? { sessions, shown: row.shown, p_view: null, n_like: null, p_like: null, n_exit: null, s_sat: null } : { ...row, p_view: row.p_view ?? 0 };
}
