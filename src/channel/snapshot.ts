import type { ChannelDb } from './db.js';

/** A candidate post as the recommender and the agents see it at the start of a step. */
export interface PostView {
  readonly postId: number;
  readonly authorId: number;
  readonly createdStep: number;
  readonly text: string;
  readonly label: string | null;
  readonly likes: number;
  readonly reposts: number;
}

/** The channel at the start of a step, as plain data: what recommenders rank from. */
export interface ChannelSnapshot {
  readonly step: number;
  /** Accounts that get a feed (agents; scripted accounts only post), ascending. */
  readonly users: readonly number[];
  /** Live original posts of the last `window` steps, ascending id, with engagement counts. */
  readonly posts: readonly PostView[];
  readonly postsById: ReadonlyMap<number, PostView>;
  /** Who each user follows; for in-network recommenders. */
  readonly followeesOf: (user: number) => ReadonlySet<number>;
}

/** One query: recent originals joined with their like and repost counts. */
export async function recentPosts(db: ChannelDb, fromStep: number): Promise<PostView[]> {
  return db.query<PostView & Record<string, unknown>>(
    `WITH recent AS (
       SELECT post_id, author_id, created_step, text, label FROM posts
       WHERE kind = 'original' AND created_step >= $1
     ),
     l AS (SELECT post_id, count(*) AS n FROM likes WHERE post_id IN (SELECT post_id FROM recent) GROUP BY post_id),
     r AS (SELECT post_id, count(*) AS n FROM reposts WHERE post_id IN (SELECT post_id FROM recent) GROUP BY post_id)
     SELECT recent.post_id::DOUBLE AS "postId", author_id AS "authorId", created_step AS "createdStep", text, label,
            coalesce(l.n, 0)::INTEGER AS likes, coalesce(r.n, 0)::INTEGER AS reposts
     FROM recent LEFT JOIN l USING (post_id) LEFT JOIN r USING (post_id)
     ORDER BY recent.post_id`,
    [fromStep],
  );
}
