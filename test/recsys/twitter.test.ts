import { describe, expect, it } from 'vitest';
import type { PostView } from '../../src/channel/snapshot.js';
import { interleave } from '../../src/common/interleave.js';
import { createTwitter } from '../../src/recsys/twitter.js';
import { optionsFor, post, snapshotOf, type HandMadeChannel } from '../helpers/recsys.js';

// At step 6 with the default half-life (6) and engagement weight (1), a followee post's score
// 0.5^((6 − step) / 6) · (1 + log1p(likes)) ranks them 11 (2.55), 12 (1.69), 14 (1.00),
// 10 (0.89), 13 (0.50).
const FOLLOWEE_POSTS = [
  post(10, 50, { createdStep: 5, text: 'heat records renewables' }),
  post(11, 50, { createdStep: 2, likes: 20, text: 'heat records' }),
  post(12, 51, { createdStep: 6, likes: 1, text: 'renewables' }),
  post(13, 51, { createdStep: 0, text: 'heat records renewables' }),
  post(14, 50, { createdStep: 6, text: 'the markets' }),
];
// Same age and engagement; similarity to "heat records renewables" ranks them 20, 21, 22.
const OTHER_POSTS = [
  post(20, 60, { createdStep: 6, text: 'heat records renewables everywhere' }),
  post(21, 61, { createdStep: 6, text: 'heat records, again and again' }),
  post(22, 62, { createdStep: 6, text: 'renewables, slowly, with rates and prices' }),
  post(23, 63, { createdStep: 6, text: 'the final' }),
  post(24, 64, { createdStep: 6, text: 'the markets' }),
];
const PROFILE = 'heat records renewables';

function channel(extra: Partial<HandMadeChannel> = {}): ReturnType<typeof snapshotOf> {
  return snapshotOf({ step: 6, users: [1], posts: [...FOLLOWEE_POSTS, ...OTHER_POSTS], follows: { 1: [50, 51] }, profiles: { 1: PROFILE }, ...extra });
}

describe('twitter recommender', () => {
  it('when followees posted then the best of their posts fill the in-network share, interleaved with the best similar others', () => {
    const feeds = createTwitter(optionsFor('twitter', 4)).refresh(channel());
    expect(feeds.get(1)).toEqual([11, 20, 12, 21]);
  });

  it('when the share is 0.75 then three of four slots go to followees, the other one last', () => {
    const feeds = createTwitter(optionsFor('twitter', 4, { in_network_share: 0.75 })).refresh(channel());
    expect(feeds.get(1)).toEqual([11, 12, 14, 20]);
  });

  it('when a user follows nobody then out-of-network posts come by similarity to its profile, popular ones after', () => {
    const feeds = createTwitter(optionsFor('twitter', 5)).refresh(channel({ follows: {}, posts: OTHER_POSTS }));
    // 23 and 24 share nothing with the profile: they come as popularity ranks them (a tie: higher id).
    expect(feeds.get(1)).toEqual([20, 21, 22, 24, 23]);
  });

  it('when engagement_weight is 0 then followees\' posts rank by recency alone, ties to the higher id', () => {
    const feeds = createTwitter(optionsFor('twitter', 4, { engagement_weight: 0, in_network_share: 1 })).refresh(channel({ profiles: {} }));
    expect(feeds.get(1)).toEqual([14, 12, 10, 11]);
  });

  it('when followees posted fewer posts than their share then similar others take the free slots', () => {
    const posts = [...FOLLOWEE_POSTS.filter((p) => p.authorId === 51), ...OTHER_POSTS];
    const feeds = createTwitter(optionsFor('twitter', 4, { in_network_share: 0.75 })).refresh(channel({ follows: { 1: [51] }, posts }));
    expect(feeds.get(1)).toEqual([12, 20, 13, 21]);
  });

  it('when nothing out of network matches then followees\' posts take the free slots', () => {
    const feeds = createTwitter(optionsFor('twitter', 4)).refresh(channel({ profiles: {} }));
    expect(feeds.get(1)).toEqual([11, 12, 14, 10]);
  });

  it('when interleaving then every prefix keeps the two lists\' proportions, the first list first', () => {
    expect(interleave([1, 2], [3, 4])).toEqual([1, 3, 2, 4]);
    expect(interleave([1, 2, 3], [4, 5, 6, 7, 8, 9, 10])).toEqual([1, 4, 5, 2, 6, 7, 3, 8, 9, 10]);
    expect(interleave([], [1, 2])).toEqual([1, 2]);
    expect(interleave([1, 2], [])).toEqual([1, 2]);
  });

  it('when a user wrote or engaged with posts then they never appear in its feed', () => {
    // Author 50 (of 10, 11, 14) follows 51 and liked 20 and reposted 12: five posts are left.
    const snapshot = channel({ users: [50], follows: { 50: [50, 51] }, profiles: { 50: PROFILE }, likes: [[50, 20], [50, 12, 1]] });
    const feed = createTwitter(optionsFor('twitter', 10)).refresh(snapshot).get(50)!;
    expect([...feed].sort((a, b) => a - b)).toEqual([13, 21, 22, 23, 24]);
    for (const id of [10, 11, 14, 20, 12]) expect(feed).not.toContain(id);
  });

  it('when a user has no profile, no history and no follows then its feed is the popular ranking, full', () => {
    const posts: PostView[] = Array.from({ length: 20 }, (_, i) => post(i + 1, 100 + i, { likes: (i * 7) % 5, reposts: i % 2, createdStep: i % 4 }));
    const feed = createTwitter(optionsFor('twitter', 5)).refresh(snapshotOf({ step: 4, users: [1], posts })).get(1);
    const popular = posts
      .slice()
      .sort((a, b) => b.likes + 2 * b.reposts - (a.likes + 2 * a.reposts) || b.createdStep - a.createdStep || b.postId - a.postId)
      .map((p) => p.postId)
      .slice(0, 5);
    expect(feed).toEqual(popular);
  });

  it('when refreshed again on the same snapshot then the feeds are identical', () => {
    const snapshot = channel({ users: [1, 2, 3], follows: { 1: [50], 2: [51, 60], 3: [] }, profiles: { 1: PROFILE, 2: 'the markets', 3: 'records' }, likes: [[3, 21]] });
    const rec = createTwitter(optionsFor('twitter', 6));
    const a = rec.refresh(snapshot);
    expect([...rec.refresh(snapshot)]).toEqual([...a]);
    expect([...createTwitter(optionsFor('twitter', 6)).refresh(snapshot)]).toEqual([...a]);
  });
});
