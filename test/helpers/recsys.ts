import type { ChannelSnapshot, Interactions, PostView } from '../../src/channel/snapshot.js';
import type { RecsysConfig } from '../../src/config/types.js';
import type { RecommenderOptions } from '../../src/recsys/types.js';

/** A feed candidate with sensible zeros; override what a test is about. */
export function post(postId: number, authorId: number, extra: Partial<PostView> = {}): PostView {
  return { postId, authorId, createdStep: 0, text: `post ${postId}`, label: null, likes: 0, reposts: 0, dislikes: 0, ...extra };
}

export interface HandMadeChannel {
  readonly step?: number;
  readonly users: readonly number[];
  readonly posts: readonly PostView[];
  /** follower → followees */
  readonly follows?: Readonly<Record<number, readonly number[]>>;
  /** user → profile text */
  readonly profiles?: Readonly<Record<number, string>>;
  /** [user, post] likes (and, with kind 1, reposts), over the whole history; posts need not be candidates. */
  readonly likes?: readonly (readonly [number, number] | readonly [number, number, 0 | 1])[];
}

/** A ChannelSnapshot built by hand, the way the channel builds one from DuckDB. */
export function snapshotOf(c: HandMadeChannel): ChannelSnapshot {
  const sorted = [...(c.likes ?? [])]
    .map(([u, p, k]) => [u, p, k ?? 0] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const interactions: Interactions = {
    users: Int32Array.from(sorted.map((r) => r[0])),
    posts: Int32Array.from(sorted.map((r) => r[1])),
    kinds: Uint8Array.from(sorted.map((r) => r[2])),
  };
  const engaged = new Map<number, Set<number>>();
  for (const [u, p] of sorted) {
    if (!engaged.has(u)) engaged.set(u, new Set());
    engaged.get(u)!.add(p);
  }
  return {
    step: c.step ?? 0,
    users: c.users,
    posts: c.posts,
    postsById: new Map(c.posts.map((p) => [p.postId, p])),
    followeesOf: (u) => new Set(c.follows?.[u] ?? []),
    profileOf: (u) => c.profiles?.[u] ?? '',
    interactions: () => interactions,
    engagedBy: (u) => engaged.get(u) ?? new Set(),
  };
}

/** Recommender options for a test: one-hour steps from 2024-01-01, feed of `feedSize`. */
export function optionsFor(kind: RecsysConfig['kind'], feedSize: number, params: Partial<RecsysConfig> = {}, seed = 1): RecommenderOptions {
  return {
    seed,
    feedSize,
    config: { kind, refresh_every: 1, feed_size: feedSize, window: 24, ...params },
    clock: { startMs: Date.parse('2024-01-01T00:00:00Z'), stepMs: 3_600_000 },
  };
}
