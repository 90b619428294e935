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

/**
 * CTEs naming the run's opening posts (`opening(post_id)`: imported before step 0 — the dataset's
 * or the generated agents' initial posts) and the posts made during the run (`run_posts`: every
 * column of `posts`). Opening posts are the ids up to meta `opening_posts`; an older run without
 * that key counts as opening the step-0 posts that no action of the trace created.
 */
export const RUN_POSTS_CTE = `
    opening_upto AS (SELECT max(try_cast(value AS BIGINT)) AS upto FROM meta WHERE key = 'opening_posts'),
    made_at_0 AS (
      SELECT try_cast(result->>'post_id' AS BIGINT) AS post_id FROM trace
      WHERE step = 0 AND ok AND (SELECT upto FROM opening_upto) IS NULL),
    opening AS (
      SELECT p.post_id FROM posts p, opening_upto o
      WHERE CASE WHEN o.upto IS NOT NULL THEN p.post_id <= o.upto
                 ELSE p.created_step = 0 AND p.post_id NOT IN (SELECT post_id FROM made_at_0 WHERE post_id IS NOT NULL) END),
    run_posts AS (SELECT * FROM posts WHERE post_id NOT IN (SELECT post_id FROM opening))`;

/** How many opening posts the run imported before step 0 (see {@link RUN_POSTS_CTE}). */
export async function openingPostCount(db: SimDb): Promise<number> {
  const row = await db.one<{ n: number }>(`WITH ${RUN_POSTS_CTE} SELECT count(*)::INTEGER AS n FROM opening`);
  return row?.n ?? 0;
}

export interface PostsLikesRow {
  step: number;
  /** `steps.sim_time` of the step; for a step with no `steps` row, the earliest `posts.created_at`
   *  of the step's posts. */
  sim_time: string;
  /** New posts created in the step, reposts and opening posts excluded (originals, quotes, comments). */
  posts: number;
  likes: number;
  /** Reposts made in the step. */
  reposts: number;
}

/**
 * Posts, likes and reposts per step with simulated time: what agents and scripted accounts did
 * in each step. The opening posts (imported before step 0, stored with step 0) are left out, so
 * step 0 counts only the posts made in it. Covers every step that has a `steps` row, posts or
 * likes; steps with neither a `steps` row nor posts have no known time and are left out.
 */
export function postsAndLikesPerStep(db: SimDb): Promise<PostsLikesRow[]> {
  return db.query<PostsLikesRow>(`
    WITH ${RUN_POSTS_CTE},
    p AS (
      SELECT created_step AS step,
             count(*) FILTER (WHERE kind <> 'repost') AS posts,
             count(*) FILTER (WHERE kind = 'repost') AS reposts,
             min(created_at) AS first_at
      FROM run_posts GROUP BY created_step
    ),
    l AS (SELECT created_step AS step, count(*) AS likes FROM likes GROUP BY created_step),
    s AS (SELECT step, min(sim_time) AS sim_time FROM steps GROUP BY step),
    k AS (SELECT step FROM p UNION SELECT step FROM l UNION SELECT step FROM s)
    SELECT k.step::INTEGER AS step,
           ${isoTime('coalesce(s.sim_time, p.first_at)')} AS sim_time,
           coalesce(p.posts, 0)::INTEGER AS posts,
           coalesce(l.likes, 0)::INTEGER AS likes,
           coalesce(p.reposts, 0)::INTEGER AS reposts
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
