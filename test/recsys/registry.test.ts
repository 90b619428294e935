import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, PostView } from '../../src/channel/snapshot.js';
import { createRecommender, RECOMMENDER_KINDS } from '../../src/recsys/registry.js';
import { post as basePost, snapshotOf } from '../helpers/recsys.js';

const post = (postId: number, authorId: number, likes: number): PostView => basePost(postId, authorId, { likes });
const CLOCK = { startMs: 0, stepMs: 3_600_000 };

function snapshot(posts: readonly PostView[]): ChannelSnapshot {
  return snapshotOf({ users: [100], posts });
}

describe('recommender registry', () => {
  it('when asked for kind random then it builds a random recommender', () => {
    const rec = createRecommender({ kind: 'random', refresh_every: 1, feed_size: 5, window: 24 }, 1, CLOCK);
    expect(rec.kind).toBe('random');
  });

  it('when asked for kind popularity then it builds a popularity recommender', () => {
    const rec = createRecommender({ kind: 'popularity', refresh_every: 1, feed_size: 5, window: 24 }, 1, CLOCK);
    expect(rec.kind).toBe('popularity');
  });

  it('when the config sets feed_size then the built recommender honours it', () => {
    const posts = Array.from({ length: 30 }, (_, i) => post(i, i, i));
    for (const kind of ['random', 'popularity'] as const) {
      const rec = createRecommender({ kind, refresh_every: 1, feed_size: 3, window: 24 }, 1, CLOCK);
      expect(rec.refresh(snapshot(posts)).get(100), kind).toHaveLength(3);
    }
    const pop = createRecommender({ kind: 'popularity', refresh_every: 1, feed_size: 3, window: 24 }, 1, CLOCK);
    expect(pop.refresh(snapshot(posts)).get(100)).toEqual([29, 28, 27]);
  });

  it('when the seed differs then a random recommender built from the registry gives other feeds', () => {
    const posts = Array.from({ length: 100 }, (_, i) => post(i, i, 0));
    const cfg = { kind: 'random', refresh_every: 1, feed_size: 10, window: 24 } as const;
    const a = createRecommender(cfg, 1, CLOCK).refresh(snapshot(posts)).get(100);
    const b = createRecommender(cfg, 2, CLOCK).refresh(snapshot(posts)).get(100);
    expect(createRecommender(cfg, 1, CLOCK).refresh(snapshot(posts)).get(100)).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it('when listing the kinds then every kind the config schema allows is there', () => {
    expect([...RECOMMENDER_KINDS].sort()).toEqual(['interest', 'lightgcn', 'mf', 'multvae', 'popularity', 'random', 'reddit-hot', 'trace', 'twitter']);
  });
});
