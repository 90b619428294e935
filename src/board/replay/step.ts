/**
 * The platform as it stood at the end of step t: the newest posts written up to t, each with the
 * likes and reposts it had received by then (not the run's final counts).
 *
 * `likes` keeps only likes still standing at the end of the run (an unlike deletes the row), so a
 * like made by t and taken back after t is missing from it: those are added back from the trace,
 * where every like and unlike is kept in order. Reposts cannot be taken back; their rows all stay.
 */
import type { SimDb } from '../../analysis/open.js';
import { ISO, type ReplayPost } from './meta.js';

export interface PlatformPost extends ReplayPost {
  /** Likes standing at the end of step t. */
  likes: number;
  /** Reposts made by the end of step t. */
  reposts: number;
  /** Replies written by the end of step t. */
  replies: number;
  /** Deleted by its author at or before step t. */
  deleted: boolean;
}

export interface StepView {
  step: number;
  sim_time: string | null;
  /** Posts written in step t itself. */
  written: number;
  posts: PlatformPost[];
  /** More, older posts exist: ask again with `before` = the last post's id. */
  more: boolean;
}

export interface StepOptions {
  limit?: number;
  /** Only posts with a smaller id (the next page). */
  before?: number;
}

export async function stepView(db: SimDb, step: number, o: StepOptions = {}): Promise<StepView> {
  const limit = Math.min(Math.max(o.limit ?? 50, 1), 500);
  const p = { t: step, before: o.before ?? null, n: limit + 1 };
  const head = await db.one<{ sim_time: string | null; written: number }>(
    `SELECT (SELECT strftime(sim_time, ${ISO}) FROM steps WHERE step = $t) AS sim_time,
            (SELECT count(*)::INTEGER FROM posts WHERE created_step = $t) AS written`,
    { t: step },
  );
  // Each table is cut to the page's posts before anything is joined (semi-joins on materialised
  // CTEs): joining whole tables costs tens of ms a call on a 100k-agent run.
  const rows = await db.query<PlatformPost>(
    `WITH page AS MATERIALIZED (
       SELECT post_id, author_id, kind, text, parent_id, created_step, deleted_step FROM posts
       WHERE created_step <= $t AND ($before IS NULL OR post_id < $before) ORDER BY post_id DESC LIMIT $n),
     lk AS MATERIALIZED (SELECT post_id, count(*) AS n FROM likes WHERE created_step <= $t AND post_id IN (SELECT post_id FROM page) GROUP BY 1),
     -- Unlikes after t of the page's posts, then every like and unlike of those (agent, post) pairs.
     un AS MATERIALIZED (
       SELECT DISTINCT agent_id, post_id FROM (SELECT agent_id, CAST(args->>'post_id' AS BIGINT) AS post_id FROM trace WHERE ok AND action = 'unlike' AND step > $t)
       WHERE post_id IN (SELECT post_id FROM page)),
     ev AS MATERIALIZED (
       SELECT * FROM (
         SELECT agent_id, CAST(args->>'post_id' AS BIGINT) AS post_id, action, step, seq FROM trace
         WHERE ok AND action IN ('like', 'unlike') AND agent_id IN (SELECT agent_id FROM un))
       WHERE (agent_id, post_id) IN (SELECT (agent_id, post_id) FROM un)),
     -- Likes standing at t that an unlike after t removed from the likes table.
     back AS (
       SELECT post_id, count(*) AS n FROM (
         SELECT *, lag(action) OVER w AS prev_action, lag(step) OVER w AS prev_step FROM ev
         WINDOW w AS (PARTITION BY agent_id, post_id ORDER BY seq))
       WHERE action = 'unlike' AND step > $t AND prev_action = 'like' AND prev_step <= $t GROUP BY 1),
     rp AS MATERIALIZED (SELECT post_id, count(*) AS n FROM reposts WHERE created_step <= $t AND post_id IN (SELECT post_id FROM page) GROUP BY 1),
     re AS MATERIALIZED (SELECT parent_id AS post_id, count(*) AS n FROM posts WHERE kind = 'comment' AND created_step <= $t AND parent_id IN (SELECT post_id FROM page) GROUP BY 1),
     au AS MATERIALIZED (SELECT user_id, username FROM users WHERE user_id IN (SELECT author_id FROM page))
     SELECT pg.post_id::DOUBLE AS post_id, pg.author_id, coalesce(au.username, '#' || pg.author_id) AS author, pg.kind, pg.text,
            pg.parent_id::DOUBLE AS parent_id, pg.created_step,
            (coalesce(lk.n, 0) + coalesce(back.n, 0))::INTEGER AS likes, coalesce(rp.n, 0)::INTEGER AS reposts, coalesce(re.n, 0)::INTEGER AS replies,
            coalesce(pg.deleted_step <= $t, false) AS deleted
     FROM page pg LEFT JOIN au ON au.user_id = pg.author_id LEFT JOIN lk USING (post_id) LEFT JOIN back USING (post_id)
     LEFT JOIN rp USING (post_id) LEFT JOIN re USING (post_id)
     ORDER BY pg.post_id DESC`,
    p,
  );
  return { step, sim_time: head?.sim_time ?? null, written: head?.written ?? 0, posts: rows.slice(0, limit), more: rows.length > limit };
}
