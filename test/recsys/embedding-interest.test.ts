import { describe, expect, it } from 'vitest';
import type { ChannelSnapshot, TextEmbeddings } from '../../src/channel/snapshot.js';
import { embeddingCandidateCap } from '../../src/recsys/embedding-interest.js';
import { createInterest } from '../../src/recsys/interest.js';
import { createTwitter } from '../../src/recsys/twitter.js';
import { optionsFor, post, snapshotOf, type HandMadeChannel } from '../helpers/recsys.js';

/** Unit vectors on three axes (topics x, y, z) and their mixes. */
const X = [1, 0, 0];
const Y = [0, 1, 0];
const Z = [0, 0, 1];
const unit = (v: number[]): Float32Array => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

function withEmbeddings(c: HandMadeChannel, posts: Record<number, number[]>, profiles: Record<number, number[]> = {}): ChannelSnapshot {
  const embeddings: TextEmbeddings = {
    dim: 3,
    post: (id) => (posts[id] ? unit(posts[id]!) : undefined),
    profile: (u) => (profiles[u] ? unit(profiles[u]!) : undefined),
  };
  return { ...snapshotOf(c), embeddings };
}

const rec = (feedSize: number, halfLife?: number) =>
  createInterest(optionsFor('interest', feedSize, { embedding_model: 'emb', ...(halfLife ? { recency_half_life: halfLife } : {}) }));

describe('interest recommender with an embedding model', () => {
  it('when posts lie at different angles from the profile then they rank by cosine, closest first', () => {
    const posts = [post(1, 90), post(2, 91), post(3, 92), post(4, 93)];
    const snap = withEmbeddings({ users: [1], posts }, { 1: Z, 2: [1, 1, 0], 3: X, 4: [1, 0.2, 0] }, { 1: X });
    expect(rec(4).refresh(snap).get(1)).toEqual([3, 4, 2, 1]);
  });

  it('when two posts are equally close then the newer wins, and age costs half the score per half-life', () => {
    const posts = [post(1, 90, { createdStep: 0 }), post(2, 91, { createdStep: 4 }), post(3, 92, { createdStep: 4 })];
    // At step 4 with half-life 2: post 1 (cos 1) scores 0.25, post 3 (cos 0.6) scores 0.6.
    const snap = withEmbeddings({ step: 4, users: [1], posts }, { 1: X, 2: X, 3: [0.6, 0.8, 0] }, { 1: X });
    expect(rec(3, 2).refresh(snap).get(1)).toEqual([2, 3, 1]);
  });

  it('when a user has no profile vector then its liked posts make its interests, and those posts stay out of its feed', () => {
    const posts = [post(1, 90), post(2, 91), post(3, 92), post(4, 93)];
    const snap = withEmbeddings({ users: [1], posts, likes: [[1, 1], [1, 2]] }, { 1: Y, 2: [0, 1, 0.1], 3: X, 4: [0.1, 1, 0] });
    expect(rec(2).refresh(snap).get(1)).toEqual([4, 3]);
  });

  it('when the profile and the history disagree then both count, each as one unit vector', () => {
    const posts = [post(1, 90), post(2, 91), post(3, 92), post(4, 93), post(5, 94)];
    // Profile x; history: two y posts. The user vector is (x + y)/√2: the mixed post 5 leads.
    const snap = withEmbeddings({ users: [1], posts, likes: [[1, 1], [1, 2]] }, { 1: Y, 2: Y, 3: X, 4: Z, 5: [1, 1, 0] }, { 1: X });
    expect(rec(3).refresh(snap).get(1)).toEqual([5, 3, 4]);
  });

  it('when a post has no vector or a user no vector at all then the popularity fallback serves them', () => {
    const posts = [post(1, 90, { likes: 1 }), post(2, 91, { likes: 5 }), post(3, 92, { likes: 3 })];
    const snap = withEmbeddings({ users: [1, 2], posts }, { 1: X, 3: Y }, { 1: X });
    const feeds = rec(3).refresh(snap);
    // User 1: its ranking (1, then 3), then post 2 from the fallback; user 2: popularity alone.
    expect(feeds.get(1)).toEqual([1, 3, 2]);
    expect(feeds.get(2)).toEqual([2, 3, 1]);
  });

  it('when agents are many and vectors wide then fewer candidates are ranked, as documented: 1,666 at 10,000 agents × 384, never under 500', () => {
    expect(embeddingCandidateCap(10_000, 384)).toBe(1_666);
    expect(embeddingCandidateCap(1_000, 384)).toBe(16_666);
    expect(embeddingCandidateCap(300, 384)).toBeGreaterThan(50_000);
    expect(embeddingCandidateCap(1_000_000, 3_072)).toBe(500);
  });

  it('when the snapshot carries no embeddings then the refresh says what is missing', () => {
    const snap = snapshotOf({ users: [1], posts: [post(1, 90)] });
    expect(() => rec(1).refresh(snap)).toThrow(/embedding_model "emb" is set but the snapshot carries no embeddings/);
  });
});

describe('twitter recommender with an embedding model', () => {
  // Followees 50 and 51 wrote posts 10–13; others wrote 20–23. All at step 0, no likes.
  const posts = [post(10, 50), post(11, 51), post(12, 50), post(13, 51), post(20, 60), post(21, 61), post(22, 62), post(23, 63, { likes: 9 })];
  const vectors = { 10: Y, 11: Y, 12: Y, 13: Y, 20: Z, 21: X, 22: [1, 0.3, 0], 23: [0.2, 1, 0] };
  const twitter = (feedSize: number, extra = {}) => createTwitter(optionsFor('twitter', feedSize, { embedding_model: 'emb', ...extra }));

  it('when others\' posts are ranked then it is by embedding cosine × engagement, followees\' posts never among them', () => {
    const snap = withEmbeddings({ users: [1], posts, follows: { 1: [50, 51] } }, vectors, { 1: X });
    // Half of 4 slots for followees (their posts tie: newer ids first), half for others by cosine with x.
    expect(twitter(4).refresh(snap).get(1)).toEqual([13, 21, 12, 22]);
    // With no in-network share every slot is out of network, in the order cosine × (1 + log1p(likes)).
    expect(twitter(4, { in_network_share: 0 }).refresh(snap).get(1)!.slice(0, 3)).toEqual([21, 22, 23]);
  });

  it('when the snapshot carries no embeddings then the refresh says what is missing', () => {
    expect(() => twitter(2).refresh(snapshotOf({ users: [1], posts }))).toThrow(/twitter: embedding_model "emb" is set but the snapshot carries no embeddings/);
  });
});
