import { hashtags } from '../search-index.js';
import type { ChannelState } from '../state.js';
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
 * author not muted. Built once per call: it runs for every post of a trend window.
 */
function searchableFor(state: ChannelState, reader: number): (id: number) => boolean {
  const muted = state.mutesOf(reader);
  const posts = state.posts;
  return (id) => {
    const p = posts.get(id);
    return p !== undefined && !p.deleted && !p.flagged && !p.hidden && p.kind !== 'repost' && !muted.has(p.author);
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
  apply({ state }, actor, { query, limit = 10 }) {
    const keep = searchableFor(state, actor);
    if (state.rules.search === 'bm25') return ok({ posts: state.postIndex.search(query, limit, keep) });
    const q = query.toLowerCase();
    return ok({ posts: newestFirst(state.postIds(), limit, (id) => keep(id) && (state.posts.get(id)?.text.toLowerCase().includes(q) ?? false)) });
  },
};

export const searchUsers: ActionSpec<SearchArgs> = {
  name: 'search_users',
  description: 'Search accounts by username, name or bio; returns matching user ids, best matches first.',
  parameters: searchArgs,
  apply({ state }, actor, { query, limit = 10 }) {
    const muted = state.mutesOf(actor);
    const keep = (id: number): boolean => !muted.has(id);
    if (state.rules.search === 'bm25') return ok({ users: state.userIndex.search(query, limit, keep) });
    const q = query.toLowerCase();
    const ids = [...state.users.keys()].sort((a, b) => a - b);
    return ok({
      users: newestFirst(ids, limit, (id) => {
        const u = state.users.get(id);
        return u !== undefined && keep(id) && [u.username, u.name, u.bio].some((s) => s.toLowerCase().includes(q));
      }),
    });
  },
};

/**
 * The `limit` entries with the highest positive count, highest first; ties to the higher id.
 * A bounded selection (O(n · limit)), not a sort of every candidate: a trend window can hold
 * a million posts.
 */
function topPosts(counts: Iterable<[number, number]>, limit: number): number[] {
  const top: [number, number][] = [];
  const better = (a: [number, number], b: [number, number]): boolean => a[1] > b[1] || (a[1] === b[1] && a[0] > b[0]);
  for (const e of counts) {
    if (e[1] <= 0) continue;
    if (top.length === limit && !better(e, top[limit - 1]!)) continue;
    let i = top.length < limit ? top.length : limit - 1;
    while (i > 0 && better(e, top[i - 1]!)) i--;
    top.splice(i, 0, e);
    if (top.length > limit) top.pop();
  }
  return top.map(([id]) => id);
}

export const trends: ActionSpec = {
  name: 'trends',
  description: "See what is trending on the platform right now (popular posts or #tags).",
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  apply({ state, batch }, actor) {
    const { algorithm, window, limit } = state.rules.trends;
    const from = batch.step - window + 1;
    const keep = searchableFor(state, actor);
    if (algorithm === 'most_liked') {
      const counts = function* (): Generator<[number, number]> {
        for (const id of state.feedCandidates(from)) {
          const n = state.engagement.likes(id);
          if (n > 0 && keep(id)) yield [id, n];
        }
      };
      return ok({ posts: topPosts(counts(), limit) });
    }
    if (algorithm === 'velocity') {
      const now = state.engagement.between(from, batch.step);
      const before = state.engagement.between(from - window, from - 1);
      const growth = new Map<number, number>();
      for (const [id, n] of now) growth.set(id, n);
      for (const [id, n] of before) growth.set(id, (growth.get(id) ?? 0) - n);
      return ok({ posts: topPosts([...growth].filter(([id]) => keep(id)), limit) });
    }
    const tags = new Map<string, number>();
    for (const id of state.feedCandidates(from)) {
      if (!keep(id)) continue;
      // Tags as the search index already tokenized them; re-reading every text was the cost.
      for (const tag of state.postIndex.tagsOf(id) ?? hashtags(state.posts.get(id)?.text ?? '')) tags.set(tag, (tags.get(tag) ?? 0) + 1);
    }
    const top = [...tags].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, limit);
    return ok({ hashtags: top.map(([tag, posts]) => ({ tag, posts })) });
  },
};
