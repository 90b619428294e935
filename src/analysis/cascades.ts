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

interface EdgeRow {
  post_id: number;
  user_id: number;
  step: number;
  t_ms: number;
  /** The reposter's parent by the recorded path; null when the run did not record it. */
  parent: number | null;
  recorded: boolean;
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
  const row = hasMeta ? await db.one<{ v: string }>(`SELECT value AS v FROM meta WHERE key = 'opening_posts'`) : undefined;
  return { stepMs: stepMs ?? 0, openingPostsUpTo: row ? Number(row.v) : 0 };
}

/** The cascade of every tracked post: recorded where the run kept the path, else rebuilt. */
export async function simCascades(db: SimDb, tracked: readonly TrackedPost[], hasVia: boolean, clock: CascadeClock = { stepMs: 0, openingPostsUpTo: 0 }): Promise<SimCascade[]> {
  if (tracked.length === 0) return [];
  const ids = idList(tracked.map((p) => p.post_id));
  const edges = await db.query<EdgeRow>(
    `WITH t AS (SELECT post_id, author_id, created_at FROM posts WHERE post_id IN (${ids})),
     first AS (
       SELECT r.post_id, r.user_id, r.created_step AS step, r.repost_id
       FROM reposts r JOIN t ON t.post_id = r.post_id AND r.user_id <> t.author_id
       QUALIFY row_number() OVER (PARTITION BY r.post_id, r.user_id ORDER BY r.created_step, r.repost_id) = 1)
     SELECT f.post_id::DOUBLE AS post_id, f.user_id, f.step::INTEGER AS step,
            (epoch_ms(rp.created_at) - epoch_ms(t.created_at) + CASE WHEN f.post_id <= ${Math.floor(clock.openingPostsUpTo)} THEN ${clock.stepMs / 2} ELSE 0 END)::DOUBLE AS t_ms,
            ${
              hasVia
                ? `CASE WHEN rp.via_post_id IS NULL THEN NULL
                        WHEN v.kind = 'repost' AND v.parent_id = f.post_id AND v.author_id <> t.author_id THEN v.author_id
                        ELSE t.author_id END AS parent, rp.via_post_id IS NOT NULL AS recorded`
                : 'NULL::INTEGER AS parent, false AS recorded'
            }
     FROM first f JOIN t ON t.post_id = f.post_id JOIN posts rp ON rp.post_id = f.repost_id
     ${hasVia ? 'LEFT JOIN posts v ON v.post_id = rp.via_post_id' : ''}
     ORDER BY f.post_id, f.step, f.user_id`,
  );
  const byPost = new Map<number, EdgeRow[]>();
  for (const e of edges) (byPost.get(e.post_id) ?? byPost.set(e.post_id, []).get(e.post_id)!).push(e);
  const unrecorded = tracked.filter((p) => (byPost.get(p.post_id) ?? []).some((e) => !e.recorded)).map((p) => p.post_id);
  const rebuilt = unrecorded.length > 0 ? await reconstructedParents(db, unrecorded) : new Map<string, number>();
  return tracked.map((post) => {
    const list = byPost.get(post.post_id) ?? [];
    const method: TreeMethod = list.every((e) => e.recorded) ? 'recorded' : 'reconstructed';
    const parentOf = (e: EdgeRow): number => (method === 'recorded' ? (e.parent as number) : (rebuilt.get(`${e.post_id}/${e.user_id}`) ?? post.author_id));
    return { post, method, nodes: withDepths(post, list, parentOf) };
  });
}

/** Root first; each node's depth is its parent's + 1 (parents repost in an earlier step). */
function withDepths(post: TrackedPost, edges: readonly EdgeRow[], parentOf: (e: EdgeRow) => number): CascadeNode[] {
  const depth = new Map<number, number>([[post.author_id, 0]]);
  const nodes: CascadeNode[] = [{ post_id: post.post_id, user_id: post.author_id, step: post.created_step, t_ms: 0, parent: null, depth: 0 }];
  for (const e of edges) {
    let parent = parentOf(e);
    // A parent that is not (yet) a node cannot be: hang the reposter off the root instead.
    if (!depth.has(parent)) parent = post.author_id;
    const d = (depth.get(parent) as number) + 1;
    depth.set(e.user_id, d);
    nodes.push({ post_id: e.post_id, user_id: e.user_id, step: e.step, t_ms: e.t_ms, parent, depth: d });
  }
  return nodes;
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
