import { describe, expect, it } from 'vitest';
import type { PostView } from '../../src/channel/snapshot.js';
import { createRedditHot, hotScore, REDDIT_EPOCH_S } from '../../src/recsys/reddit-hot.js';
import { optionsFor, post, snapshotOf } from '../helpers/recsys.js';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

/** The formula as the issue states it, written out independently of the implementation. */
function expected(p: PostView, startMs: number, stepMs: number): number {
  const s = p.likes - p.dislikes;
  const order = Math.log10(Math.max(Math.abs(s), 1));
  const sign = s > 0 ? 1 : s < 0 ? -1 : 0;
  const seconds = (startMs + p.createdStep * stepMs) / 1000;
  return sign * order + (seconds - REDDIT_EPOCH_S) / 45000;
}

describe('reddit-hot recommender', () => {
  it('when scoring a post then the score is sign(s)·log10(max(|s|, 1)) + (t − epoch) / 45000', () => {
    const { clock } = optionsFor('reddit-hot', 10);
    const a = post(1, 9, { likes: 120, dislikes: 20, createdStep: 3 });
    const b = post(2, 9, { likes: 4, dislikes: 9, createdStep: 7 });
    expect(hotScore(a, clock)).toBeCloseTo(expected(a, clock.startMs, clock.stepMs), 12);
    expect(hotScore(b, clock)).toBeCloseTo(expected(b, clock.startMs, clock.stepMs), 12);
    // 2024-01-01T03:00Z is 570,049,997 s after Reddit's epoch; s = 100 → log10 = 2.
    expect(hotScore(a, clock)).toBeCloseTo(2 + 570_049_997 / 45000, 9);
  });

  it('when posts differ in net likes and age then the feed is ordered exactly by the formula', () => {
    const opts = optionsFor('reddit-hot', 10);
    const posts = [
      post(1, 90, { likes: 50, createdStep: 0 }),
      post(2, 91, { likes: 5, createdStep: 10 }),
      post(3, 92, { likes: 500, dislikes: 100, createdStep: 2 }),
      post(4, 93, { likes: 1, createdStep: 20 }),
      post(5, 94, { likes: 30, dislikes: 2, createdStep: 12 }),
    ];
    const feeds = createRedditHot(opts).refresh(snapshotOf({ step: 21, users: [1], posts }));
    const byFormula = posts
      .slice()
      .sort((a, b) => expected(b, opts.clock.startMs, opts.clock.stepMs) - expected(a, opts.clock.startMs, opts.clock.stepMs))
      .map((p) => p.postId);
    expect(feeds.get(1)).toEqual(byFormula);
    expect(byFormula).toEqual([3, 5, 1, 4, 2]);
  });

  it('when a newer post has exactly the score of an older one then the newer comes first', () => {
    // Steps of 45,000 s (one point of score each) from a start a whole number of steps after
    // the epoch, so ten times the likes one step earlier is an exact tie.
    const base = optionsFor('reddit-hot', 5);
    const opts = { ...base, clock: { startMs: (REDDIT_EPOCH_S + 45000 * 10_000) * 1000, stepMs: 45_000_000 } };
    const older = post(7, 90, { likes: 10, createdStep: 0 });
    const newer = post(3, 91, { likes: 1, createdStep: 1 });
    expect(hotScore(older, opts.clock)).toBe(hotScore(newer, opts.clock));
    const feeds = createRedditHot(opts).refresh(snapshotOf({ step: 2, users: [1], posts: [newer, older] }));
    expect(feeds.get(1)).toEqual([3, 7]);
  });

  it('when scores and steps tie then the higher id comes first', () => {
    const posts = [post(4, 90, { likes: 3 }), post(9, 91, { likes: 3 }), post(6, 92, { likes: 3 })];
    const feeds = createRedditHot(optionsFor('reddit-hot', 5)).refresh(snapshotOf({ users: [1], posts }));
    expect(feeds.get(1)).toEqual([9, 6, 4]);
  });

  it('when a post is net-negative then it sinks below neutral posts hours older', () => {
    // s = −100 costs two points, 25 hours of age: the disliked post trails older neutral ones.
    const posts = [
      post(1, 90, { createdStep: 0 }),
      post(2, 91, { likes: 1, createdStep: 5 }),
      post(3, 92, { likes: 10, dislikes: 110, createdStep: 20 }),
      post(4, 93, { createdStep: 19 }),
    ];
    const feeds = createRedditHot(optionsFor('reddit-hot', 10)).refresh(snapshotOf({ step: 20, users: [1], posts }));
    expect(feeds.get(1)).toEqual([4, 2, 1, 3]);
  });

  it('when a user wrote or engaged with top posts then its feed skips them and stays full', () => {
    const posts = range(10, 1).map((id) => post(id, id === 10 ? 1 : 100 + id, { likes: id * 10 }));
    const feeds = createRedditHot(optionsFor('reddit-hot', 4)).refresh(
      snapshotOf({ users: [1, 2], posts, likes: [[1, 9], [1, 8, 1]] }),
    );
    // User 1 wrote 10 and liked 9 and reposted 8.
    expect(feeds.get(1)).toEqual([7, 6, 5, 4]);
    expect(feeds.get(2)).toEqual([10, 9, 8, 7]);
  });

  it('when a user has no history and follows nobody then it still gets a full feed', () => {
    const posts = range(30, 1).map((id) => post(id, 100 + id, { likes: id % 7, createdStep: id % 5 }));
    const feeds = createRedditHot(optionsFor('reddit-hot', 10)).refresh(snapshotOf({ step: 5, users: [1], posts }));
    expect(feeds.get(1)).toHaveLength(10);
  });

  it('when refreshed twice on the same snapshot then the feeds are identical', () => {
    const posts = range(40, 1).map((id) => post(id, 100 + (id % 6), { likes: (id * 7) % 11, dislikes: id % 3, createdStep: id % 9 }));
    const snapshot = snapshotOf({ step: 9, users: [100, 101, 7], posts, likes: [[7, 3], [100, 5]] });
    const a = createRedditHot(optionsFor('reddit-hot', 8)).refresh(snapshot);
    const b = createRedditHot(optionsFor('reddit-hot', 8)).refresh(snapshot);
    expect([...b]).toEqual([...a]);
  });
});
