/**
 * The memory window (README, "What a run keeps in memory"): the mirror holds the posts of the
 * last `platform.memory_window` steps; older ones are DuckDB's alone. After each commit the
 * posts that aged out leave the mirror, with the likes, dislikes and reposts on them; before a
 * step's actions apply, the older posts they name are put back in for that step, so the
 * handlers stay synchronous. A run whose posts all fit in the window never evicts anything.
 */
import type { AgentAction } from './actions/types.js';
import type { ChannelDb } from './db.js';
import { postOf, POST_ROW, type PostRow } from './state-load.js';
import { ChannelState } from './state.js';

const MARK_TABLES = ['likes', 'dislikes', 'reposts'] as const;

/** Drops posts created before `step` (and those visited for the step just committed) from the mirror. */
export async function evictBefore(db: ChannelDb, state: ChannelState, step: number): Promise<void> {
  const { from, to, visited } = state.evictBefore(step);
  if (to === from && visited.length === 0) return;
  // The committed tables hold exactly the mirror's marks: they say which pairs to take out.
  // A range and a list apart, each a filter DuckDB prunes the scan with (likes come in time order).
  const which = [...(to > from ? [`post_id >= ${from} AND post_id < ${to}`] : []), ...(visited.length > 0 ? [`post_id IN (SELECT unnest([${visited.join(',')}]::BIGINT[]))`] : [])];
  for (const table of MARK_TABLES) {
    for (const where of which) {
      const reader = await db.connection.runAndReadAll(`SELECT user_id::INTEGER AS u, post_id::DOUBLE AS p FROM ${table} WHERE ${where}`);
      const [users = [], posts = []] = reader.getColumnsJS() as number[][];
      state.forgetMarks(table, users, posts);
    }
  }
}

/**
 * Puts into the mirror, for the current step, the posts among `ids` older than the window
 * (and the posts they repost, quote or reply to), with every like, dislike and repost on them:
 * one query per table over the set. Ids that are no post are left out, so the action fails
 * as it would have ("does not exist").
 */
export async function visitPosts(db: ChannelDb, state: ChannelState, ids: Iterable<number>): Promise<void> {
  const cold = new Set<number>();
  for (const id of ids) if (Number.isSafeInteger(id) && id >= 1 && id < state.windowStart && !state.posts.has(id)) cold.add(id);
  if (cold.size === 0) return;
  // Named ids, unnested and joined: DuckDB prunes the scan to their range (an OR with a
  // subquery read the whole posts table, seconds at 10 million posts).
  const fetch = (ids: readonly number[]): Promise<PostRow[]> => db.query<PostRow>(`SELECT ${POST_ROW} FROM posts WHERE post_id IN (SELECT unnest([${ids.join(',')}]::BIGINT[]))`);
  const rows = await fetch([...cold]);
  // And the posts they repost, quote or reply to, when those are cold too.
  const parents = [...new Set(rows.flatMap((r) => (r.parent !== null && r.parent < state.windowStart && !state.posts.has(r.parent) && !cold.has(r.parent) ? [r.parent] : [])))];
  if (parents.length > 0) rows.push(...(await fetch(parents)));
  const added: number[] = [];
  for (const r of rows) {
    if (r.id >= state.windowStart || state.posts.has(r.id)) continue;
    state.visit(r.id, postOf(r), { deleted: r.d, flagged: r.f, hidden: r.h });
    added.push(r.id);
  }
  if (added.length === 0) return;
  for (const table of MARK_TABLES) {
    const reader = await db.connection.runAndReadAll(`SELECT user_id::INTEGER AS u, post_id::DOUBLE AS p FROM ${table} WHERE post_id IN (SELECT unnest([${added.join(',')}]::BIGINT[]))`);
    const [users = [], posts = []] = reader.getColumnsJS() as number[][];
    for (let i = 0; i < users.length; i++) ChannelState.addTo(state[table], users[i]!, posts[i]!);
  }
}

/**
 * The post ids a step's actions may look up: every `post_id` argument, the pinned post of a
 * timeline read, an agent's bookmarks when it lists them. Only those older than the window
 * cost anything (`visitPosts`).
 */
export function referencedPosts(state: ChannelState, acts: Iterable<readonly [number, readonly AgentAction[]]>): Set<number> {
  const out = new Set<number>();
  for (const [actor, actions] of acts) {
    for (const a of actions) {
      const id = a.args.post_id;
      if (typeof id === 'number') out.add(id);
      if (a.action === 'timeline') {
        const user = typeof a.args.user_id === 'number' ? a.args.user_id : actor;
        const pinned = state.pins.get(user);
        if (pinned !== undefined) out.add(pinned);
      }
      if (a.action === 'list_bookmarks') for (const id of state.bookmarksOf(actor).keys()) out.add(id);
    }
  }
  return out;
}
