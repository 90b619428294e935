/**
 * A synthetic channel for the recommender bench: deterministic, shaped like a run's late
 * snapshot. Agents have a home topic; posts are the statistical policy's templated texts
 * (with the topic's #hashtag); activity, follower counts and post appeal are heavy-tailed
 * (Pareto), so a few agents post and like a lot and a few posts collect most likes.
 */
import type { ChannelSnapshot, Interactions, PostView } from '../src/channel/snapshot.js';
import { Rng } from '../src/common/rng.js';
import { composePost, topicWords } from '../src/data/text-grammar.js';

const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance'];
export const WINDOW = 24;

export interface FixtureSize {
  readonly users: number;
  readonly posts: number;
  /** Likes and reposts over the run, about; a fifth of them on posts that left the window. */
  readonly interactions: number;
}

/** Pareto(α) ≥ 1: heavy-tailed weights with a finite mean for α > 1. */
function pareto(rng: Rng, alpha: number): number {
  return Math.pow(1 - rng.next(), -1 / alpha);
}

/** Draws indices in proportion to weights, by binary search over the running sum. */
class Weighted {
  private readonly cumulative: Float64Array;

  constructor(weights: ArrayLike<number>) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) this.cumulative[i] = sum += weights[i]!;
  }

  draw(rng: Rng): number {
    const target = rng.next() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export function buildSnapshot(size: FixtureSize, seed = 42): ChannelSnapshot {
  const rng = Rng.derive(seed, 'recsys-bench');
  const userTopic = Int32Array.from({ length: size.users }, () => rng.int(TOPICS.length));
  const activity = Float64Array.from({ length: size.users }, () => pareto(rng, 1.5));
  const appealOfUser = Float64Array.from({ length: size.users }, () => pareto(rng, 1.2));
  const byActivity = new Weighted(activity);

  // Old posts (ids 1..old) left the window but stay in histories; candidates follow them.
  const old = Math.floor(size.posts / 2);
  const drafts: { author: number; text: string; dislikes: number }[] = [];
  const topicPosts: number[][] = TOPICS.map(() => []);
  const appeal: number[] = [];
  for (let k = 0; k < size.posts; k++) {
    const author = byActivity.draw(rng);
    const topic = rng.chance(0.8) ? userTopic[author]! : rng.int(TOPICS.length);
    const text = composePost(rng, TOPICS[topic]!);
    drafts.push({ author, text, dislikes: rng.chance(0.1) ? rng.int(4) : 0 });
    topicPosts[topic]!.push(k);
    // Newer posts and posts by popular accounts draw more likes.
    appeal.push(pareto(rng, 1.3) * (0.3 + k / size.posts) * Math.sqrt(appealOfUser[author]!));
  }
  const byTopic = topicPosts.map((ks) => ({ ks, pick: new Weighted(ks.map((k) => appeal[k]!)) }));
  const anyPost = new Weighted(appeal);

  const followees: Set<number>[] = [];
  const byAppeal = new Weighted(appealOfUser);
  for (let u = 0; u < size.users; u++) {
    const want = Math.min(size.users - 1, Math.floor(8 * pareto(rng, 1.6)));
    const set = new Set<number>();
    for (let tries = 0; set.size < want && tries < want * 3; tries++) {
      const v = byAppeal.draw(rng);
      if (v !== u) set.add(v);
    }
    followees.push(set);
  }

  // Each user's share of the interactions follows its activity.
  const totalActivity = activity.reduce((a, b) => a + b, 0);
  const users: number[] = [];
  const rows: number[] = [];
  const kinds: number[] = [];
  const engaged: Set<number>[] = [];
  const likes = new Int32Array(size.posts);
  const reposts = new Int32Array(size.posts);
  for (let u = 0; u < size.users; u++) {
    const n = Math.min(size.posts / 4, Math.round((size.interactions * activity[u]!) / totalActivity));
    const chosen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const r = rng.next();
      if (r < 0.2) chosen.add(1 + rng.int(old));
      else if (r < 0.9) {
        const t = byTopic[rng.chance(0.85) ? userTopic[u]! : rng.int(TOPICS.length)]!;
        if (t.ks.length > 0) chosen.add(old + 1 + t.ks[t.pick.draw(rng)]!);
      } else chosen.add(old + 1 + anyPost.draw(rng));
    }
    const sorted = [...chosen].sort((a, b) => a - b);
    for (const id of sorted) {
      // Mostly likes; some reposts, some both (two rows, as the channel gives them).
      const r = rng.next();
      const kindsOf = r < 0.8 ? [0] : r < 0.9 ? [1] : [0, 1];
      for (const kind of kindsOf) {
        users.push(u);
        rows.push(id);
        kinds.push(kind);
        if (id > old) (kind === 0 ? likes : reposts)[id - old - 1]!++;
      }
    }
    engaged.push(new Set(sorted));
  }
  const posts: PostView[] = drafts.map((d, k) => ({
    postId: old + 1 + k,
    authorId: d.author,
    createdStep: Math.floor((k * WINDOW) / size.posts),
    text: d.text,
    label: null,
    likes: likes[k]!,
    reposts: reposts[k]!,
    dislikes: d.dislikes,
  }));
  const interactions: Interactions = { users: Int32Array.from(users), posts: Int32Array.from(rows), kinds: Uint8Array.from(kinds) };
  const profiles = Array.from({ length: size.users }, (_, u) => {
    const topic = TOPICS[userTopic[u]!]!;
    return `User ${u} Into ${topic} and ${topicWords(topic)[u % 5]}`;
  });

  return {
    step: WINDOW,
    users: Array.from({ length: size.users }, (_, u) => u),
    posts,
    postsById: new Map(posts.map((p) => [p.postId, p])),
    followeesOf: (u) => followees[u] ?? new Set(),
    profileOf: (u) => profiles[u] ?? '',
    interactions: () => interactions,
    engagedBy: (u) => engaged[u] ?? new Set(),
  };
}
