import { describe, expect, it } from 'vitest';
import type { PostView } from '../../src/channel/snapshot.js';
import { createInterest } from '../../src/recsys/interest.js';
import { optionsFor, post, snapshotOf } from '../helpers/recsys.js';

const TOPICS = ['the new album and the festival lineup', 'interest rates and the markets', 'heat records and renewables', 'the final and the league table'];

/** Candidates on four topics, by four authors, none of them the test users. */
function topicalPosts(n: number): PostView[] {
  return Array.from({ length: n }, (_, i) => post(i + 1, 100 + (i % 4), { text: `Post ${i}: ${TOPICS[i % 4]}`, createdStep: i % 3, likes: i % 5 }));
}

describe('interest recommender', () => {
  it('when a post shares the words of the profile then it ranks first', () => {
    const posts = [
      post(1, 90, { text: 'The league table after the final' }),
      post(2, 91, { text: 'Renewables break heat records again' }),
      post(3, 92, { text: 'Interest rates and the markets today' }),
      post(4, 93, { text: 'Festival lineup announced' }),
    ];
    const snapshot = snapshotOf({ users: [1], posts, profiles: { 1: 'Ana Climate nerd, renewables and heat records' } });
    expect(createInterest(optionsFor('interest', 4)).refresh(snapshot).get(1)![0]).toBe(2);
  });

  it('when one post matches more of the profile than another then it ranks above it', () => {
    const posts = [
      post(1, 90, { text: 'Quantum computing news' }),
      post(2, 91, { text: 'Quantum computing and open-source AI together' }),
      post(3, 92, { text: 'Street food prices' }),
      post(4, 93, { text: 'Cheap flights for a weekend trip' }),
    ];
    const snapshot = snapshotOf({ users: [1], posts, profiles: { 1: 'Into quantum computing and open-source AI' } });
    expect(createInterest(optionsFor('interest', 2)).refresh(snapshot).get(1)).toEqual([2, 1]);
  });

  it('when the profile names a topic that posts carry as a hashtag then those posts match', () => {
    const posts = [post(1, 90, { text: 'Great match tonight #sports' }), post(2, 91, { text: 'New phone out #tech' }), post(3, 92, { text: 'Rain again' })];
    const snapshot = snapshotOf({ users: [1], posts, profiles: { 1: 'Lives for #tech' } });
    expect(createInterest(optionsFor('interest', 1)).refresh(snapshot).get(1)).toEqual([2]);
  });

  it('when a user has no bio words in common but liked a post then posts like the liked one come first', () => {
    const posts = [
      post(1, 90, { text: 'Vinyl records are back' }),
      post(2, 91, { text: 'The marathon route is out' }),
      post(3, 92, { text: 'Vinyl prices keep climbing, records everywhere' }),
      post(4, 93, { text: 'Coffee prices' }),
    ];
    const snapshot = snapshotOf({ users: [1], posts, profiles: { 1: 'Bo' }, likes: [[1, 1]] });
    const feed = createInterest(optionsFor('interest', 3)).refresh(snapshot).get(1)!;
    expect(feed[0]).toBe(3);
    expect(feed).not.toContain(1);
  });

  it('when two posts match equally then the newer one ranks first, and age halves a score per half-life', () => {
    const posts = [post(1, 90, { text: 'heat records', createdStep: 0 }), post(2, 91, { text: 'heat records', createdStep: 6 }), post(3, 92, { text: 'markets' })];
    const snapshot = snapshotOf({ step: 6, users: [1], posts, profiles: { 1: 'heat records' } });
    expect(createInterest(optionsFor('interest', 2)).refresh(snapshot).get(1)).toEqual([2, 1]);
    // Without decay the better match wins, though six steps older; with a half-life of half
    // a step those six steps cost a factor 4096 and the weaker, fresh match wins.
    const strongOld = post(4, 93, { text: 'heat records renewables', createdStep: 0 });
    const weakNew = post(5, 94, { text: 'heat and markets and rates and prices', createdStep: 6 });
    const snap2 = snapshotOf({ step: 6, users: [1], posts: [post(3, 92, { text: 'markets' }), strongOld, weakNew], profiles: { 1: 'heat records renewables' } });
    const slow = createInterest(optionsFor('interest', 2, { recency_half_life: 1000 })).refresh(snap2).get(1);
    const fast = createInterest(optionsFor('interest', 2, { recency_half_life: 0.5 })).refresh(snap2).get(1);
    expect(slow![0]).toBe(4);
    expect(fast![0]).toBe(5);
  });

  it('when a user wrote or engaged with matching posts then they never appear in its feed', () => {
    const posts = topicalPosts(40);
    const snapshot = snapshotOf({
      users: [101, 7],
      posts,
      profiles: { 101: 'the new album', 7: 'interest rates' },
      likes: [[7, 2], [7, 6, 1], [101, 1]],
    });
    const feeds = createInterest(optionsFor('interest', 10)).refresh(snapshot);
    for (const [user, feed] of feeds) {
      expect(feed).toHaveLength(10);
      for (const id of feed) {
        expect(posts[id - 1]!.authorId).not.toBe(user);
        expect(snapshot.engagedBy(user).has(id)).toBe(false);
      }
    }
  });

  it('when a user has no profile, no history and no follows then its feed is the popular ranking, full', () => {
    const posts = topicalPosts(30);
    const feed = createInterest(optionsFor('interest', 6)).refresh(snapshotOf({ step: 3, users: [5], posts })).get(5);
    const popular = posts
      .slice()
      .sort((a, b) => b.likes + 2 * b.reposts - (a.likes + 2 * a.reposts) || b.createdStep - a.createdStep || b.postId - a.postId)
      .slice(0, 6)
      .map((p) => p.postId);
    expect(feed).toEqual(popular);
  });

  it('when few posts match then the feed is topped up with popular ones to feed_size', () => {
    const posts = [post(1, 90, { text: 'heat records' }), ...topicalPosts(20).map((p) => ({ ...p, postId: p.postId + 1, text: 'nothing shared' }))];
    const feed = createInterest(optionsFor('interest', 8)).refresh(snapshotOf({ users: [5], posts, profiles: { 5: 'heat records' } })).get(5)!;
    expect(feed).toHaveLength(8);
    expect(feed[0]).toBe(1);
  });

  it('when refreshed again, or by a recommender that saw other texts first, then the feeds are identical', () => {
    const posts = topicalPosts(60);
    const snapshot = snapshotOf({ step: 3, users: [1, 2, 3], posts, profiles: { 1: 'album lineup', 2: 'markets rates', 3: 'league' }, likes: [[1, 5], [2, 6], [3, 7]] });
    const fresh = createInterest(optionsFor('interest', 12));
    const a = fresh.refresh(snapshot);
    expect([...fresh.refresh(snapshot)]).toEqual([...a]);
    // A resumed run starts with an empty vocabulary; term ids then differ, rankings must not.
    const warmed = createInterest(optionsFor('interest', 12));
    warmed.refresh(snapshotOf({ users: [9], posts: [post(500, 9, { text: 'markets league zebra festival the new album' })] }));
    expect([...warmed.refresh(snapshot)]).toEqual([...a]);
  });
});
