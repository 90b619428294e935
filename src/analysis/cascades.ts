/**
 * Repost cascades of a simulated run: who reposted each tracked post, from whom, and when.
 *
 * Runs record the true path: each repost keeps the post it was seen as (`posts.via_post_id`:
 * the original, or a followee's repost of it shown in the home timeline). A reposter's parent
 * is the author of that repost, else the source's author. A user counts once per cascade; the
 * source's author reposting their own post is not a node (they are the root).
 *
 * Runs made before the path was recorded (via_post_id NULL) get the tree rebuilt from follows,
 * the standard way for Twitter data without parents: reposters in order of step, each hanging
 * off the most recent earlier node of the cascade it follows (a follows row with created_step ≤
 * the repost's step; unfollows delete rows, so an edge removed later is missed), else the root.
 * Among candidates of the same step the higher user id wins. Each cascade says which it used.
 */
import type { SimDb } from './open.js';
import { openingPostsUpTo } from './sides.js';
import type { TrackedPost } from './track.js';

export type TreeMethod = 'recorded' | 'reconstructed';

export interface CascadeNode {
  post_id: number;
  user_id: number;
  /** Step of the repost (the source's created_step for the root). */
  step: number;
  /** Milliseconds after the source post was created. */
  t_ms: number;
  /** The user it was reposted from; null for the root. */
  parent: number | null;
  /** Root 0, its direct reposters 1, … */
  depth: number;
}

export interface SimCascade {
  readonly post: TrackedPost;
  readonly method: TreeMethod;
  /** Root first, then by time, then user id. */
  readonly nodes: readonly CascadeNode[];
}

/** Posts as a SQL id list (ids come from the database, never from user text). */
const idList = (ids: readonly number[]): string => ids.map((n) => String(Math.floor(n))).join(', ');

/**
 * When things happened, on a continuous clock: an action of step k happened somewhere during
 * [k·step, (k+1)·step), so a repost is timed at its step's middle; a post written during a step
 * likewise, so a repost k − s steps after its source is (k − s)·step after it, whatever the step
 * length. An opening post was there from the run's start: its reposts come half a step later
 * than the step count says. (Timing actions at their step's start instead would date a 10-minute
 * step's reposts 5 minutes early against a 1-minute step's.)
 */
export interface CascadeClock {
  readonly stepMs: number;
  /** Posts up to this id are the run's opening posts (meta `opening_posts`; 0 when unknown). */
  readonly openingPostsUpTo: number;
}

/** The run's clock for cascades, its step length given. */
export async function cascadeClock(db: SimDb, stepMs: number | undefined, hasMeta = true): Promise<CascadeClock> {
  return { stepMs: stepMs ?? 0, openingPostsUpTo: hasMeta ? await openingPostsUpTo(db) : 0 };
}

/** The cascade of every tracked post: recorded where the run kept the path, else rebuilt. */
export async function simCascades(db: SimDb, tracked: readonly TrackedPost[], hasVia: boolean, clock: CascadeClock = { stepMs: 0, openingPostsUpTo: 0 }): Promise<SimCascade[]> {
  if (tracked.length === 0) return [];
  const ids = idList(tracked.map((p) => p.post_id));
  // Reposts of the tracked posts by step then user, each with the reposter of the repost it was
  // seen through (NaN when it was seen as the post itself, or the run did not record it).
  const { post_id, user_id, step, t_ms, through, recorded } = await db.numbers(
    `WITH t AS (SELECT post_id, author_id, created_at FROM posts WHERE post_id IN (${ids})),
     rs AS (SELECT r.post_id, r.user_id, r.created_step, r.repost_id FROM reposts r JOIN t ON t.post_id = r.post_id AND r.user_id <> t.author_id)
     SELECT rs.post_id, rs.user_id, rs.created_step AS step,
            epoch_ms(rp.created_at) - epoch_ms(t.created_at) + CASE WHEN rs.post_id <= ${Math.floor(clock.openingPostsUpTo)} THEN ${clock.stepMs / 2} ELSE 0 END AS t_ms,
            ${hasVia ? 'v.user_id AS through, rp.via_post_id IS NOT NULL AS recorded' : 'NULL AS through, false AS recorded'}
     FROM rs JOIN t ON t.post_id = rs.post_id JOIN posts rp ON rp.post_id = rs.repost_id
     ${hasVia ? 'LEFT JOIN rs v ON v.repost_id = rp.via_post_id AND v.post_id = rs.post_id' : ''}
     ORDER BY rs.post_id, rs.created_step, rs.user_id`,
  ) as Record<string, Float64Array>;
  const n = post_id!.length;
  // Where each post's rows start and end (rows come by post).
  const rows = new Map<number, [number, number]>();
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && post_id![j] === post_id![i]) j++;
    rows.set(post_id![i]!, [i, j]);
    i = j;
  }
  const isRecorded = (p: TrackedPost): boolean => {
    const [from, to] = rows.get(p.post_id) ?? [0, 0];
    for (let i = from; i < to; i++) if (recorded![i] !== 1) return false;
    return true;
  };
  const unrecorded = tracked.filter((p) => !isRecorded(p)).map((p) => p.post_id);
  const rebuilt = unrecorded.length > 0 ? await reconstructedParents(db, unrecorded) : new Map<string, number>();
  return tracked.map((post) => {
    const [from, to] = rows.get(post.post_id) ?? [0, 0];
    const method: TreeMethod = isRecorded(post) ? 'recorded' : 'reconstructed';
    const depth = new Map<number, number>([[post.author_id, 0]]);
    const nodes: CascadeNode[] = [{ post_id: post.post_id, user_id: post.author_id, step: post.created_step, t_ms: 0, parent: null, depth: 0 }];
    for (let i = from; i < to; i++) {
      const user = user_id![i]!;
      // A user counts once, at its first repost.
      if (depth.has(user)) continue;
      let parent = method === 'recorded' ? (Number.isNaN(through![i]!) ? post.author_id : through![i]!) : (rebuilt.get(`${post.post_id}/${user}`) ?? post.author_id);
      // A parent that is not (yet) a node cannot be: hang the reposter off the root instead.
      if (!depth.has(parent)) parent = post.author_id;
      const d = depth.get(parent)! + 1;
      depth.set(user, d);
      nodes.push({ post_id: post.post_id, user_id: user, step: step![i]!, t_ms: t_ms![i]!, parent, depth: d });
    }
    return { post, method, nodes };
  });
}

/** Parents rebuilt from follows for runs that did not record the path, by "post/user". */
async function reconstructedParents(db: SimDb, posts: readonly number[]): Promise<Map<string, number>> {
  const rows = await db.query<{ post_id: number; user_id: number; parent: number }>(
    `WITH tracked AS (SELECT post_id, author_id, created_step FROM posts WHERE post_id IN (${idList(posts)})),
     reposters AS (
       SELECT r.post_id, r.user_id, min(r.created_step) AS step
       FROM reposts r JOIN tracked t ON t.post_id = r.post_id AND r.user_id <> t.author_id
       GROUP BY r.post_id, r.user_id),
     candidates AS (
       SELECT post_id, author_id AS user_id, created_step AS step, true AS is_root FROM tracked
       UNION ALL SELECT post_id, user_id, step, false FROM reposters),
     picked AS (
       SELECT r.post_id, r.user_id, c.user_id AS parent
       FROM reposters r
       JOIN follows f ON f.follower_id = r.user_id AND f.created_step <= r.step
       JOIN candidates c ON c.post_id = r.post_id AND c.user_id = f.followee_id AND (c.is_root OR c.step < r.step)
       QUALIFY row_number() OVER (PARTITION BY r.post_id, r.user_id ORDER BY c.is_root, c.step DESC, c.user_id DESC) = 1)
     SELECT post_id::DOUBLE AS post_id, user_id, parent FROM picked`,
  );
  return new Map(rows.map((r) => [`${r.post_id}/${r.user_id}`, r.parent]));
}
