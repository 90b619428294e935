import type { ChannelDb } from './db.js';
import type { ChannelState } from './state.js';

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

/**
 * Live originals created at `fromStep` or later with their like and repost counts. The counting
 * is one DuckDB query over the window's engaged posts; ids, authors and texts come from the
 * in-memory mirror, so the query returns three numbers per engaged post instead of every text.
 */
export async function recentPosts(db: ChannelDb, state: ChannelState, fromStep: number): Promise<PostView[]> {
  const reader = await db.connection.runAndReadAll(
    `WITH recent AS (SELECT post_id FROM posts WHERE kind = 'original' AND created_step >= $1),
     l AS (SELECT post_id, count(*) AS n FROM likes WHERE post_id IN (SELECT post_id FROM recent) GROUP BY post_id),
     r AS (SELECT post_id, count(*) AS n FROM reposts WHERE post_id IN (SELECT post_id FROM recent) GROUP BY post_id)
     SELECT post_id::INTEGER AS id, coalesce(l.n, 0)::INTEGER AS likes, coalesce(r.n, 0)::INTEGER AS reposts
     FROM l FULL OUTER JOIN r USING (post_id)`,
    [fromStep],
  );
  // Columns, not row objects: a third of the conversion cost. No rows gives no columns.
  const [ids = [], likes = [], reposts = []] = reader.getColumnsJS() as number[][];
  const engagement = new Map<number, [number, number]>();
  for (let i = 0; i < ids.length; i++) engagement.set(ids[i] as number, [likes[i] as number, reposts[i] as number]);

  return state.liveOriginals(fromStep).map((postId) => {
    const p = state.posts.get(postId)!;
    const [l, r] = engagement.get(postId) ?? [0, 0];
    return { postId, authorId: p.author, createdStep: p.createdStep, text: p.text, label: p.label, likes: l, reposts: r };
  });
}
