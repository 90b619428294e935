/**
 * A post's conversation and its spread at step t. The thread is its chain of parents (what it
 * replies to or quotes, up to the original) and the replies and quotes below it written by t.
 * The cascade is the repost tree of the source post from src/analysis/cascades.ts (the recorded
 * `via_post_id` paths, or the tree rebuilt from follows for runs that did not record them), cut
 * at step t so it grows as the replay steps. A repost opens its source's thread.
 */
import { cascadeClock, simCascades, type TreeMethod } from '../../analysis/cascades.js';
import type { SimDb } from '../../analysis/open.js';
import { columnsOf, type TrackedPost } from '../../analysis/track.js';
import { BoardError } from '../http.js';
import type { ReplayPost } from './meta.js';

export interface ThreadPost extends ReplayPost {
  /** 0 for the opened post, −1, −2 … up its parents, 1, 2 … down its replies. */
  depth: number;
}

export interface CascadeNodeAt {
  user_id: number;
  username: string;
  step: number;
  parent: number | null;
  depth: number;
}

export interface ThreadAt {
  step: number;
  post: ThreadPost;
  /** Oldest first, ending with the opened post's parent. */
  ancestors: ThreadPost[];
  /** Depth-first (each reply right after what it answers), capped at `limit`. */
  replies: ThreadPost[];
  replies_capped: boolean;
  cascade: { method: TreeMethod; nodes: CascadeNodeAt[] };
}

const COLS = `p.post_id::DOUBLE AS post_id, p.author_id, coalesce(u.username, '#' || p.author_id) AS author, p.kind, p.text, p.parent_id::DOUBLE AS parent_id, p.created_step`;

export async function threadAt(db: SimDb, postId: number, step: number, limit = 300): Promise<ThreadAt> {
  const asked = await db.one<{ post_id: number; kind: string; parent_id: number | null; created_step: number }>(
    `SELECT post_id::DOUBLE AS post_id, kind, parent_id::DOUBLE AS parent_id, created_step FROM posts WHERE post_id = $1`,
    [postId],
  );
  if (!asked) throw new BoardError(404, `no post ${postId} in this run`);
  if (asked.created_step > step) throw new BoardError(404, `post ${postId} is written at step ${asked.created_step}, after step ${step}`);
  const id = asked.kind === 'repost' && asked.parent_id !== null ? asked.parent_id : asked.post_id;
  const post = await db.one<ThreadPost>(`SELECT ${COLS}, 0 AS depth FROM posts p LEFT JOIN users u ON u.user_id = p.author_id WHERE p.post_id = $1`, [id]);
  if (!post) throw new BoardError(404, `no post ${id} in this run`);
  // Walked a level at a time with plain lookups: a recursive CTE over posts costs ~200 ms a call on
  // a 100k-agent run (it rebuilds a join over the whole table at each level), a lookup a few ms.
  const ancestors: ThreadPost[] = [];
  for (let at = post, depth = -1; at.parent_id !== null && depth > -100; depth--) {
    const up = await db.one<ThreadPost>(`SELECT ${COLS}, $d AS depth FROM posts p LEFT JOIN users u ON u.user_id = p.author_id WHERE p.post_id = $id`, { id: at.parent_id, d: depth });
    if (!up) break;
    ancestors.unshift(up);
    at = up;
  }
  // Replies and quotes below the post, written by t, level by level, then ordered depth-first.
  const children = new Map<number, ThreadPost[]>();
  let level = [post.post_id];
  let found = 0;
  for (let depth = 1; level.length > 0 && depth <= 50 && found <= limit; depth++) {
    const rows = await db.query<ThreadPost>(
      `SELECT ${COLS}, $d AS depth FROM posts p LEFT JOIN users u ON u.user_id = p.author_id
       WHERE p.parent_id IN (${level.map((n) => String(Math.floor(n))).join(', ')}) AND p.kind IN ('comment', 'quote') AND p.created_step <= $t ORDER BY p.post_id`,
      { d: depth, t: step },
    );
    for (const r of rows) children.set(r.parent_id!, [...(children.get(r.parent_id!) ?? []), r]);
    found += rows.length;
    level = rows.map((r) => r.post_id);
  }
  const below: ThreadPost[] = [];
  const walk = (id: number): void => {
    for (const c of children.get(id) ?? []) {
      below.push(c);
      walk(c.post_id);
    }
  };
  walk(post.post_id);
  const cols = await columnsOf(db);
  const tracked: TrackedPost = {
    post_id: post.post_id,
    author_id: post.author_id,
    author: post.author,
    label: null,
    kind: post.kind,
    text: post.text,
    created_step: post.created_step,
    created_at: '',
    dataset_id: null,
    cascades: [],
    reasons: [],
  };
  const [cascade] = await simCascades(db, [tracked], cols.has('posts.via_post_id'), await cascadeClock(db, undefined, cols.has('meta.key')));
  // A node's parent is an earlier node, so cutting at t keeps a tree.
  const nodes = cascade!.nodes.filter((n) => n.step <= step);
  const names = new Map(
    (nodes.length === 0 ? [] : await db.query<{ user_id: number; username: string }>(`SELECT user_id, username FROM users WHERE user_id IN (${nodes.map((n) => Math.floor(n.user_id)).join(', ')})`)).map((u) => [u.user_id, u.username]),
  );
  return {
    step,
    post,
    ancestors,
    replies: below.slice(0, limit),
    replies_capped: below.length > limit,
    cascade: {
      method: cascade!.method,
      nodes: nodes.map((n) => ({ user_id: n.user_id, username: names.get(n.user_id) ?? `#${n.user_id}`, step: n.step, parent: n.parent, depth: n.depth })),
    },
  };
}

