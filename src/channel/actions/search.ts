import type { ChannelState } from '../state.js';
import { trendsFor } from '../trends.js';
import { ok, type ActionSpec } from './types.js';

export interface SearchArgs {
  query: string;
  limit?: number;
}

const searchArgs = {
  type: 'object',
  properties: {
    query: { type: 'string', minLength: 1, maxLength: 200, description: 'Words or #tags to look for.' },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 10, description: 'At most this many results.' },
  },
  required: ['query'],
  additionalProperties: false,
} as const;

/**
 * Whether a post can turn up in `reader`'s search or trends: live, not flagged or hidden,
 * not a repost, author neither muted nor suspended. Built once per call.
 */
function searchableFor(state: ChannelState, reader: number): (id: number) => boolean {
  const muted = state.mutesOf(reader);
  const { posts, suspended } = state;
  return (id) => {
    const p = posts.get(id);
    return p !== undefined && !p.deleted && !p.flagged && !p.hidden && p.kind !== 'repost' && !muted.has(p.author) && !suspended.has(p.author);
  };
}

/** Ids passing `match`, highest (newest) first, at most `limit`. */
function newestFirst(ids: Iterable<number>, limit: number, match: (id: number) => boolean): number[] {
  const all = [...ids];
  const out: number[] = [];
  for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
    const id = all[i] as number;
    if (match(id)) out.push(id);
  }
  return out;
}

export const searchPosts: ActionSpec<SearchArgs> = {
  name: 'search_posts',
  description: 'Search posts by words or #tags; returns matching post ids, best matches first.',
  parameters: searchArgs,
  apply({ state, batch }, actor, { query, limit = 10 }) {
    const keep = searchableFor(state, actor);
    if (state.rules.search === 'bm25') return ok({ posts: batch.recordImpressions(actor, state.postIndex.search(query, limit, keep), 'search') });
    const q = query.toLowerCase();
    return ok({ posts: batch.recordImpressions(actor, newestFirst(state.postIds(), limit, (id) => keep(id) && (state.posts.get(id)?.text.toLowerCase().includes(q) ?? false)), 'search') });
  },
};

export const searchUsers: ActionSpec<SearchArgs> = {
  name: 'search_users',
  description: 'Search accounts by username, name or bio; returns matching user ids, best matches first.',
  parameters: searchArgs,
  apply({ state }, actor, { query, limit = 10 }) {
    const muted = state.mutesOf(actor);
    const keep = (id: number): boolean => !muted.has(id) && !state.suspended.has(id);
    if (state.rules.search === 'bm25') return ok({ users: state.userIndex.search(query, limit, keep) });
    const q = query.toLowerCase();
    const ids = [...state.users.keys()].sort((a, b) => a - b);
    return ok({
      users: newestFirst(ids, limit, (id) => {
        const u = state.users.get(id);
        return u !== undefined && u.kind !== 'platform' && keep(id) && [u.username, u.name, u.bio].some((s) => s.toLowerCase().includes(q));
      }),
    });
  },
};

export const trends: ActionSpec = {
  name: 'trends',
  description: "See what is trending on the platform right now (popular posts or #tags).",
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  apply({ state, batch }, actor) {
    const trend = trendsFor(state, actor, batch.step, searchableFor(state, actor));
    return ok('posts' in trend ? { posts: batch.recordImpressions(actor, trend.posts, 'trend') } : trend);
  },
};
