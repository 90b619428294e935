import type { ChannelState } from './state.js';

export type Trend = { posts: number[] } | { hashtags: { tag: string; posts: number }[] };

/**
 * What `reader` sees trending at `step` under the platform's trends rules, read from the
 * engagement index's per-step aggregates (engagement-index.ts) rather than from every post
 * of the window. `keep` says whether a post can show to the reader (live, not flagged or
 * hidden, not a repost, author not muted): it runs only for posts that would enter the top.
 * - most_liked: candidates (originals, quotes) created in the window, by current likes;
 * - velocity: posts by likes + reposts in the window minus those in the window before;
 * - hashtags: #tags of live candidates created in the window, by how many carry them, then by name.
 * Post ties go to the newer post. The window runs from `step - window + 1` on.
 */
export function trendsFor(state: ChannelState, reader: number, step: number, keep: (post: number) => boolean): Trend {
  const { algorithm, window, limit } = state.rules.trends;
  const from = step - window + 1;
  if (algorithm === 'most_liked') return { posts: state.engagement.mostLiked(from, limit, keep) };
  if (algorithm === 'velocity') return { posts: state.engagement.rising(from, step, window, limit, keep) };
  const counts = state.engagement.tagCounts(from);
  // The counts hold every live candidate; take out those of the authors the reader muted
  // (a live candidate's tags are the ones the search index holds for it).
  for (const author of state.mutesOf(reader)) {
    for (const id of state.postIdsOf(author)) {
      const p = state.posts.get(id);
      if (!p || p.createdStep < from || (p.kind !== 'original' && p.kind !== 'quote')) continue;
      for (const tag of state.postIndex.tagsOf(id) ?? []) counts.set(tag, (counts.get(tag) ?? 0) - 1);
    }
  }
  return { hashtags: topTags(counts, limit) };
}

/** The `limit` tags with the highest positive count, highest first, ties by name: a bounded selection. */
function topTags(counts: ReadonlyMap<string, number>, limit: number): { tag: string; posts: number }[] {
  const top: { tag: string; posts: number }[] = [];
  const better = (tag: string, n: number, than: { tag: string; posts: number }): boolean => n > than.posts || (n === than.posts && tag < than.tag);
  for (const [tag, n] of counts) {
    if (n <= 0 || limit <= 0 || (top.length === limit && !better(tag, n, top[limit - 1]!))) continue;
    let i = Math.min(top.length, limit - 1);
    while (i > 0 && better(tag, n, top[i - 1]!)) i--;
    top.splice(i, 0, { tag, posts: n });
    if (top.length > limit) top.pop();
  }
  return top;
}
