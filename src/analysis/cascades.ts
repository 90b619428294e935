/**
 * Repost cascades of a simulated run: which posts are tracked, who reposted them from whom, and
 * how each cascade grew step by step (scale, depth, max breadth).
 *
 * The `reposts` table records who reposted which source post, not from whom (reposting a repost
 * shares the original), so the tree is reconstructed the standard way for Twitter cascades
 * without explicit parents: reposters are taken in order of step, and each one's parent is the
 * most recent earlier node of the cascade that it follows, else the source's author.
 *
 * - "Earlier" means an earlier step (or the root): agents decide from the state at the start of
 *   a step, so a repost made in the same step cannot have been seen. Among candidates of the
 *   same step, the highest user id wins (an arbitrary but stable choice).
 * - "Follows" means a `follows` row with created_step ≤ the repost's step. Unfollows delete
 *   rows from `follows`, so an edge that existed at the time but was removed later is missed
 *   (that reposter then hangs off an older node or the root), and a re-follow counts from when
 *   it was made again. The table keeps no history to do better.
 * - The source's author reposting their own post is not a node (they are the root); a user
 *   counts once per cascade, at their first repost.
 */
import type { SimDb } from './open.js';

/** How many of the most-reposted originals are tracked besides labelled and seed posts. */
export const DEFAULT_TRACKED_TOP = 5;

export type TrackReason = 'label' | 'seed' | 'top';

export interface TrackedPost {
  post_id: number;
  author_id: number;
  /** Username of the author (`#<id>` when the users table lacks them). */
  author: string;
  label: string | null;
  kind: string;
  text: string;
  created_step: number;
  /** Why it is tracked: it has a label, a seed account wrote it, or it is among the most reposted. */
  reasons: TrackReason[];
}

export interface CascadeNode {
  post_id: number;
  user_id: number;
  /** Step of the repost (the source's created_step for the root). */
  step: number;
  /** The node it was reposted from; null for the root. */
  parent: number | null;
  /** True when the parent is a node the reposter follows; false when it fell back to the root. */
  via_follow: boolean;
  /** Root 0, its direct reposters 1, … */
  depth: number;
}

export interface CascadeCurveRow {
  post_id: number;
  step: number;
  /** Distinct reposters so far (the root not counted). */
  scale: number;
  /** Longest repost chain so far (root depth 0). */
  depth: number;
  /** Most nodes at one depth so far, the root's depth included (so at least 1). */
  breadth: number;
}

export interface CascadeFinal extends TrackedPost {
  scale: number;
  depth: number;
  breadth: number;
  /** Step of the last repost; null when nobody reposted it. */
  last_repost_step: number | null;
}

/** Keeps `top` a small non-negative integer: it is bound as a parameter, but LIMIT wants sanity. */
export const topParam = (top: number): { top: number } => ({ top: Math.max(0, Math.floor(top)) });

/**
 * The CTEs shared by every simulated-cascade query (for a `WITH RECURSIVE` list; binds `$top`):
 * `s_tracked(post_id, author_id, author, label, kind, text, created_step, by_label, by_seed, by_top)`
 * and `s_nodes(post_id, user_id, step, parent, via_follow, depth)`.
 */
export const SIM_CASCADE_CTES = `
  s_users AS (SELECT user_id, any_value(kind) AS kind, any_value(username) AS username FROM users GROUP BY user_id),
  s_counts AS (SELECT post_id, count(DISTINCT user_id) AS n FROM reposts GROUP BY post_id),
  s_top AS (
    SELECT p.post_id FROM posts p JOIN s_counts c ON c.post_id = p.post_id
    WHERE p.kind = 'original' ORDER BY c.n DESC, p.post_id LIMIT $top),
  s_tracked AS (
    SELECT p.post_id, p.author_id, coalesce(u.username, '#' || p.author_id::VARCHAR) AS author, p.label, p.kind, p.text,
           p.created_step, p.label IS NOT NULL AS by_label, coalesce(u.kind = 'seed', false) AS by_seed,
           p.post_id IN (SELECT post_id FROM s_top) AS by_top
    FROM posts p LEFT JOIN s_users u ON u.user_id = p.author_id
    WHERE p.kind <> 'repost' AND (p.label IS NOT NULL OR u.kind = 'seed' OR p.post_id IN (SELECT post_id FROM s_top))),
  s_reposters AS (
    SELECT r.post_id, r.user_id, min(r.created_step) AS step
    FROM reposts r JOIN s_tracked t ON t.post_id = r.post_id AND r.user_id <> t.author_id
    GROUP BY r.post_id, r.user_id),
  s_candidates AS (
    SELECT post_id, author_id AS user_id, created_step AS step, true AS is_root FROM s_tracked
    UNION ALL SELECT post_id, user_id, step, false FROM s_reposters),
  s_picked AS (
    SELECT r.post_id, r.user_id, c.user_id AS parent
    FROM s_reposters r
    JOIN follows f ON f.follower_id = r.user_id AND f.created_step <= r.step
    JOIN s_candidates c ON c.post_id = r.post_id AND c.user_id = f.followee_id AND (c.is_root OR c.step < r.step)
    QUALIFY row_number() OVER (PARTITION BY r.post_id, r.user_id ORDER BY c.is_root, c.step DESC, c.user_id DESC) = 1),
  s_edges AS (
    SELECT r.post_id, r.user_id, r.step, coalesce(p.parent, t.author_id) AS parent, p.parent IS NOT NULL AS via_follow
    FROM s_reposters r JOIN s_tracked t ON t.post_id = r.post_id
    LEFT JOIN s_picked p ON p.post_id = r.post_id AND p.user_id = r.user_id),
  s_depths AS (
    SELECT post_id, author_id AS user_id, 0 AS depth FROM s_tracked
    UNION ALL
    SELECT e.post_id, e.user_id, d.depth + 1 FROM s_edges e JOIN s_depths d ON d.post_id = e.post_id AND d.user_id = e.parent),
  s_nodes AS (
    SELECT t.post_id, t.author_id AS user_id, t.created_step AS step, NULL::INTEGER AS parent, false AS via_follow, 0 AS depth
    FROM s_tracked t
    UNION ALL
    SELECT e.post_id, e.user_id, e.step, e.parent, e.via_follow, d.depth
    FROM s_edges e JOIN s_depths d ON d.post_id = e.post_id AND d.user_id = e.user_id)`;

interface TrackedRow extends Omit<TrackedPost, 'reasons'> {
  by_label: boolean;
  by_seed: boolean;
  by_top: boolean;
}

/** Posts with a label or by a seed account, plus the `top` most-reposted originals, by post id. */
export async function trackedPosts(db: SimDb, top = DEFAULT_TRACKED_TOP): Promise<TrackedPost[]> {
  const rows = await db.query<TrackedRow>(
    `WITH RECURSIVE ${SIM_CASCADE_CTES}
     SELECT post_id, author_id, author, label, kind, text, created_step::INTEGER AS created_step, by_label, by_seed, by_top
     FROM s_tracked ORDER BY post_id`,
    topParam(top),
  );
  return rows.map(({ by_label, by_seed, by_top, ...p }) => ({
    ...p,
    reasons: [...(by_label ? ['label' as const] : []), ...(by_seed ? ['seed' as const] : []), ...(by_top ? ['top' as const] : [])],
  }));
}

/** Every node of every tracked cascade with its reconstructed parent, by post then step then user. */
export function simCascadeNodes(db: SimDb, top = DEFAULT_TRACKED_TOP): Promise<CascadeNode[]> {
  return db.query<CascadeNode>(
    `WITH RECURSIVE ${SIM_CASCADE_CTES}
     SELECT post_id, user_id, step::INTEGER AS step, parent, via_follow, depth::INTEGER AS depth
     FROM s_nodes ORDER BY post_id, depth > 0, step, user_id`,
    topParam(top),
  );
}

/**
 * Scale, depth and max breadth of each tracked cascade at every step from the source's step to
 * the run's last step (the last `steps` row, or the last post's step if later).
 */
export function simCascadeCurves(db: SimDb, top = DEFAULT_TRACKED_TOP): Promise<CascadeCurveRow[]> {
  return db.query<CascadeCurveRow>(
    `WITH RECURSIVE ${SIM_CASCADE_CTES},
     s_last AS (SELECT greatest(coalesce((SELECT max(step) FROM steps), 0), coalesce((SELECT max(created_step) FROM posts), 0)) AS s),
     s_grid AS (SELECT t.post_id, unnest(generate_series(t.created_step, greatest(l.s, t.created_step))) AS step FROM s_tracked t, s_last l),
     s_levels AS (
       SELECT g.post_id, g.step, n.depth, count(*) AS n
       FROM s_grid g JOIN s_nodes n ON n.post_id = g.post_id AND n.step <= g.step
       GROUP BY g.post_id, g.step, n.depth)
     SELECT post_id, step::INTEGER AS step,
            coalesce(sum(n) FILTER (WHERE depth > 0), 0)::INTEGER AS scale,
            max(depth)::INTEGER AS depth,
            max(n)::INTEGER AS breadth
     FROM s_levels GROUP BY post_id, step ORDER BY post_id, step`,
    topParam(top),
  );
}

export interface Propagation {
  posts: TrackedPost[];
  curves: CascadeCurveRow[];
  finals: CascadeFinal[];
}

/** Tracked posts, their per-step curves and final figures: what the propagation section shows. */
export async function propagation(db: SimDb, top = DEFAULT_TRACKED_TOP): Promise<Propagation> {
  const [posts, curves, nodes] = [await trackedPosts(db, top), await simCascadeCurves(db, top), await simCascadeNodes(db, top)];
  const last = new Map<number, CascadeCurveRow>();
  for (const c of curves) last.set(c.post_id, c); // rows are ordered by step: the last one wins
  const lastRepost = new Map<number, number>();
  for (const n of nodes) if (n.depth > 0) lastRepost.set(n.post_id, Math.max(n.step, lastRepost.get(n.post_id) ?? n.step));
  const finals = posts.map((p): CascadeFinal => {
    const c = last.get(p.post_id);
    return { ...p, scale: c?.scale ?? 0, depth: c?.depth ?? 0, breadth: c?.breadth ?? 1, last_repost_step: lastRepost.get(p.post_id) ?? null };
  });
  return { posts, curves, finals };
}
