import type { ChannelState } from '../state.js';
import { USER_ID } from './checks.js';
import { fail, ok, type ActionSpec } from './types.js';

export interface TimelineArgs {
  user_id?: number;
  limit?: number;
}

/**
 * Whether `post` shows on a timeline read by `reader`: live, not a hidden reply, nothing by
 * an account the reader muted or the platform suspended.
 */
export function visibleTo(state: ChannelState, reader: number, postId: number): boolean {
  const p = state.posts.get(postId);
  if (!p || p.deleted || p.hidden) return false;
  const muted = state.mutesOf(reader);
  if (muted.has(p.author) || state.suspended.has(p.author)) return false;
  if (p.kind !== 'repost' || p.parentId === null) return true;
  const source = state.posts.get(p.parentId);
  return source !== undefined && !source.deleted && !muted.has(source.author) && !state.suspended.has(source.author);
}

export const timeline: ActionSpec<TimelineArgs> = {
  name: 'timeline',
  description: "Read a user's posts, newest first (yours when user_id is left out).",
  parameters: {
    type: 'object',
    properties: {
      user_id: { ...USER_ID, description: 'Whose timeline; default: your own.' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'At most this many posts.' },
    },
    additionalProperties: false,
  },
  apply({ state, batch }, actor, args) {
    const user = args.user_id ?? actor;
    if (!state.hasUser(user)) return fail(`user ${user} does not exist`);
    if (state.suspended.has(user)) return fail(`account ${user} is suspended`);
    const limit = args.limit ?? 20;
    const all = state.postIdsOf(user);
    const ids: number[] = [];
    for (let i = all.length - 1; i >= 0 && ids.length < limit; i--) {
      const id = all[i] as number;
      if (visibleTo(state, actor, id)) ids.push(id);
    }
    const pinned = state.pins.get(user);
    return ok({ user_id: user, post_ids: batch.recordImpressions(actor, ids, 'timeline'), pinned: pinned !== undefined && visibleTo(state, actor, pinned) ? pinned : null });
  },
};

export const listBookmarks: ActionSpec = {
  name: 'list_bookmarks',
  description: 'List the posts you bookmarked, newest bookmark first.',
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  apply({ state }, actor) {
    const ids = [...state.bookmarksOf(actor)]
      .filter(([id]) => state.livePost(id) !== undefined)
      .sort((a, b) => b[1] - a[1] || b[0] - a[0])
      .map(([id]) => id);
    return ok({ post_ids: ids });
  },
};
