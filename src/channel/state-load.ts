import type { ChannelDb } from './db.js';
import { ChannelState, type NewPost, type PostKind } from './state.js';

/** A posts row as the mirror reads it (`SELECT ${POST_ROW} FROM posts …`). */
export type PostRow = {
  id: number;
  author: number;
  kind: PostKind;
  parent: number | null;
  root: number | null;
  step: number;
  text: string;
  label: string | null;
  d: boolean;
  f: boolean;
  h: boolean;
};

export const POST_ROW = `post_id::DOUBLE AS id, author_id AS author, kind, parent_id::DOUBLE AS parent, root_id::DOUBLE AS root, created_step AS step, text, label,
  deleted_step IS NOT NULL AS d, flagged_step IS NOT NULL AS f, hidden_step IS NOT NULL AS h`;

export function postOf(r: PostRow): NewPost {
  return { author: r.author, kind: r.kind, parentId: r.parent, rootId: r.root, createdStep: r.step, text: r.text, label: r.label };
}

/**
 * Rebuilds the mirror from a sim.duckdb, e.g. to continue a run after its last committed step.
 * With `fromStep`, only the memory window: posts created at that step or later and the likes,
 * dislikes and reposts of those posts — what the uninterrupted run holds after its eviction
 * (ChannelState.evictBefore), so the resumed run goes on alike. Accounts, follows, mutes,
 * bookmarks, reports, pins and the social part are loaded whole.
 */
export async function loadState(db: ChannelDb, fromStep = -Infinity): Promise<ChannelState> {
  const s = new ChannelState();
  for (const u of await db.query<{ id: number; username: string; name: string; bio: string; kind: string }>(
    'SELECT user_id AS id, username, name, bio, kind FROM users',
  )) {
    s.addUser(u.id, { username: u.username, name: u.name, bio: u.bio, kind: u.kind === 'seed' || u.kind === 'platform' ? u.kind : 'agent' });
  }
  let window = '';
  if (Number.isFinite(fromStep)) {
    const [r] = await db.query<{ first: number }>(
      'SELECT coalesce(min(post_id) FILTER (WHERE created_step >= $1), max(post_id) + 1, 1)::DOUBLE AS first FROM posts',
      [fromStep],
    );
    const first = r?.first ?? 1;
    s.startWindowAt(first);
    window = `WHERE post_id >= ${first}`;
  }
  for (const p of await db.query<PostRow>(`SELECT ${POST_ROW} FROM posts ${window} ORDER BY post_id`)) {
    s.addPost(p.id, postOf(p), { deleted: p.d, flagged: p.f, hidden: p.h });
  }
  const pairs = async (sql: string, into: Map<number, Set<number>>): Promise<void> => {
    for (const r of await db.query<{ a: number; b: number }>(sql)) ChannelState.addTo(into, r.a, r.b);
  };
  await pairs('SELECT follower_id AS a, followee_id AS b FROM follows', s.follows);
  await pairs(`SELECT user_id AS a, post_id::DOUBLE AS b FROM likes ${window}`, s.likes);
  await pairs(`SELECT user_id AS a, post_id::DOUBLE AS b FROM dislikes ${window}`, s.dislikes);
  await pairs(`SELECT user_id AS a, post_id::DOUBLE AS b FROM reposts ${window}`, s.reposts);
  await pairs('SELECT user_id AS a, muted_id AS b FROM mutes', s.mutes);
  await pairs('SELECT post_id::DOUBLE AS a, user_id AS b FROM reports', s.reportsOfPost);
  await pairs('SELECT user_id AS a, post_id::DOUBLE AS b FROM reports', s.reportsBy);
  for (const r of await db.query<{ u: number; p: number; s: number }>(`SELECT user_id AS u, post_id::DOUBLE AS p, created_step AS s FROM likes ${window} ORDER BY ALL`)) {
    s.engagement.like(r.u, r.p, r.s);
  }
  for (const r of await db.query<{ p: number; s: number }>(`SELECT post_id::DOUBLE AS p, created_step AS s FROM reposts ${window} ORDER BY ALL`)) s.engagement.repost(r.p, r.s);
  for (const posts of s.dislikes.values()) for (const p of posts) s.engagement.dislike(p, 1);
  for (const r of await db.query<{ u: number; p: number; s: number }>('SELECT user_id AS u, post_id::DOUBLE AS p, created_step AS s FROM bookmarks')) {
    let m = s.bookmarks.get(r.u);
    if (!m) s.bookmarks.set(r.u, (m = new Map()));
    m.set(r.p, r.s);
  }
  for (const r of await db.query<{ u: number; p: number }>('SELECT user_id AS u, post_id::DOUBLE AS p FROM pins')) s.pins.set(r.u, r.p);
  await s.social.load(db);
  for (const r of await db.query<{ id: number }>(`SELECT CAST(target AS INTEGER) AS id FROM interventions WHERE ok AND action = 'suspend_account'`)) {
    s.suspend(r.id);
  }
  // An empty window still ends after the last post: new posts take the next ids.
  const [last] = await db.query<{ n: number }>('SELECT coalesce(max(post_id), 0)::DOUBLE AS n FROM posts');
  if ((last?.n ?? 0) + 1 > s.nextPostId) s.nextPostId = (last?.n ?? 0) + 1;
  return s;
}
