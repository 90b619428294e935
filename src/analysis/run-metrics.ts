/**
 * Per-step metrics of one run, each a single SQL query over `sim.duckdb`. Every function takes
 * an open {@link SimDb}; times are ISO-8601 strings in simulated time, written with a trailing
 * `Z` (the simulation clock has no zone; charts render them on a UTC scale so nothing shifts).
 */
import type { SimDb } from './open.js';

/** DuckDB expression rendering a TIMESTAMP as `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
export const isoTime = (expr: string): string => `strftime(${expr}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

export interface ActionsPerStepRow {
  step: number;
  action: string;
  /** Attempts of `action` in `step` that were applied. */
  ok: number;
  /** Attempts that were rejected. */
  failed: number;
}

/** Attempts per step and action type, split into applied (`ok`) and rejected (`failed`). */
export function actionsPerStep(db: SimDb): Promise<ActionsPerStepRow[]> {
  return db.query<ActionsPerStepRow>(`
    SELECT step::INTEGER AS step,
           action,
           count(*) FILTER (WHERE ok)::INTEGER     AS ok,
           count(*) FILTER (WHERE NOT ok)::INTEGER AS failed
    FROM trace
    GROUP BY step, action
    ORDER BY step, action`);
}

export interface StepRow {
  step: number;
  sim_time: string;
  active_agents: number;
  actions: number;
  failed_actions: number;
}

/** The `steps` table: one row per committed step. */
export function stepsTable(db: SimDb): Promise<StepRow[]> {
  return db.query<StepRow>(`
    SELECT step::INTEGER AS step,
           ${isoTime('sim_time')} AS sim_time,
           active_agents::INTEGER AS active_agents,
           actions::INTEGER AS actions,
           failed_actions::INTEGER AS failed_actions
    FROM steps
    ORDER BY step`);
}

export interface ActiveAgentsRow {
  step: number;
  sim_time: string;
  active_agents: number;
}

/** Active agents per committed step. */
export function activeAgentsPerStep(db: SimDb): Promise<ActiveAgentsRow[]> {
  return db.query<ActiveAgentsRow>(`
    SELECT step::INTEGER AS step, ${isoTime('sim_time')} AS sim_time, active_agents::INTEGER AS active_agents
    FROM steps
    ORDER BY step`);
}

export interface PostsLikesRow {
  step: number;
  /** `steps.sim_time` of the step; for a step with no `steps` row (e.g. step 0's seed posts),
   *  the earliest `posts.created_at` of that step. */
  sim_time: string;
  /** New posts created in the step, reposts excluded (originals, quotes, comments). */
  posts: number;
  likes: number;
}

/**
 * Posts and likes per step with simulated time. Covers every step that has a `steps` row, posts
 * or likes. Steps with neither a `steps` row nor posts have no known time and are left out.
 */
export function postsAndLikesPerStep(db: SimDb): Promise<PostsLikesRow[]> {
  return db.query<PostsLikesRow>(`
    WITH p AS (
      SELECT created_step AS step,
             count(*) FILTER (WHERE kind <> 'repost') AS posts,
             min(created_at) AS first_at
      FROM posts GROUP BY created_step
    ),
    l AS (SELECT created_step AS step, count(*) AS likes FROM likes GROUP BY created_step),
    s AS (SELECT step, min(sim_time) AS sim_time FROM steps GROUP BY step),
    k AS (SELECT step FROM p UNION SELECT step FROM l UNION SELECT step FROM s)
    SELECT k.step::INTEGER AS step,
           ${isoTime('coalesce(s.sim_time, p.first_at)')} AS sim_time,
           coalesce(p.posts, 0)::INTEGER AS posts,
           coalesce(l.likes, 0)::INTEGER AS likes
    FROM k
    LEFT JOIN p ON p.step = k.step
    LEFT JOIN l ON l.step = k.step
    LEFT JOIN s ON s.step = k.step
    WHERE coalesce(s.sim_time, p.first_at) IS NOT NULL
    ORDER BY k.step`);
}

export interface TopPostRow {
  post_id: number;
  author: string;
  text: string;
  kind: string;
  label: string | null;
  created_step: number;
  likes: number;
  reposts: number;
}

/**
 * The `n` posts with the most likes + reposts (ties: more likes first, then lower post_id).
 * Posts with no likes and no reposts are not ranked.
 */
export function topPosts(db: SimDb, n = 10): Promise<TopPostRow[]> {
  const limit = Math.max(0, Math.floor(n));
  return db.query<TopPostRow>(
    `
    WITH l AS (SELECT post_id, count(*) AS n FROM likes GROUP BY post_id),
         r AS (SELECT post_id, count(*) AS n FROM reposts GROUP BY post_id)
    SELECT p.post_id AS post_id,
           coalesce(u.username, '#' || p.author_id::VARCHAR) AS author,
           p.text AS text,
           p.kind AS kind,
           p.label AS label,
           p.created_step::INTEGER AS created_step,
           coalesce(l.n, 0)::INTEGER AS likes,
           coalesce(r.n, 0)::INTEGER AS reposts
    FROM posts p
    LEFT JOIN l ON l.post_id = p.post_id
    LEFT JOIN r ON r.post_id = p.post_id
    LEFT JOIN (SELECT user_id, any_value(username) AS username FROM users GROUP BY user_id) u
      ON u.user_id = p.author_id
    WHERE coalesce(l.n, 0) + coalesce(r.n, 0) > 0
    ORDER BY coalesce(l.n, 0) + coalesce(r.n, 0) DESC, coalesce(l.n, 0) DESC, p.post_id
    LIMIT $1`,
    [limit],
  );
}
