import type { ChannelSnapshot, PostView, TextEmbeddings } from '../channel/snapshot.js';
import { recency } from './candidates.js';
import { exclusionRule, feedsFrom } from './learn/feeds.js';
import { rankByDot, type Excluded, type ScoringPool } from './learn/rank.js';
import type { Feeds } from './types.js';

/**
 * Multiply-adds a refresh may spend ranking (users × candidates × dimensions): the learned
 * recommenders' budget (200,000,000 user–candidate pairs × 32 factors, ~3 s here). Text
 * embeddings are 10–100× wider than those factors, so fewer candidates fit: the newest
 * 1,667 at 10,000 agents with 384 dimensions, 16,667 at 1,000, the whole window for a few
 * hundred agents. Exact ranking of a 20,000-candidate pool at 10,000 agents × 384 dimensions
 * takes ~65 s; bounding scores on 32 principal axes (to score only the posts that could
 * still make a feed) pruned almost nothing on embedding-like spectra, and shortlisting by the
 * projection alone kept too little of the exact ranking, so the cap stays exact.
 */
const RANKING_BUDGET = 200_000_000 * 32;
const MIN_CANDIDATES = 500;

export function embeddingCandidateCap(users: number, dim: number): number {
  return Math.max(MIN_CANDIDATES, Math.floor(RANKING_BUDGET / (Math.max(1, users) * Math.max(1, dim))));
}

/**
 * `interest` with an embedding model instead of TF-IDF: a user's vector is its profile's
 * embedding plus the mean embedding of its `history` most recent liked or reposted posts
 * (each part a unit vector, so a long history weighs as much as the profile, not more), and a
 * candidate scores by cosine with it × 0.5^(age / halfLife), ranked exactly by dot product
 * with the recency folded into the candidates' vectors. Candidates are the window's newest
 * with a vector, up to `embeddingCandidateCap`. Users with neither a profile vector nor an
 * embedded history, and every feed's free slots, get the popularity fallback.
 */
export function embeddingInterestFeeds(snapshot: ChannelSnapshot, embeddings: TextEmbeddings, feedSize: number, halfLife: number, history: number): Feeds {
  const rankings = embeddingRankings(snapshot, embeddings, feedSize, (p) => recency(snapshot, p, halfLife), history, exclusionRule(snapshot));
  return feedsFrom(snapshot, rankings, feedSize);
}

/**
 * Each user's best `k` candidates (post ids) by cosine of their embeddings × `weightOf` the
 * post, leaving out what `excluded` says: the ranking `interest` and `twitter`'s out-of-network
 * half share. Users without any vector of their own are left out (the fallback serves them).
 */
export function embeddingRankings(
  snapshot: ChannelSnapshot,
  embeddings: TextEmbeddings,
  k: number,
  weightOf: (post: PostView) => number,
  history: number,
  excluded: Excluded,
): Map<number, number[]> {
  const dim = embeddings.dim;
  const pool = candidatePool(snapshot, embeddings, weightOf, embeddingCandidateCap(snapshot.users.length, dim));
  const users: number[] = [];
  const all = new Float32Array(snapshot.users.length * dim);
  const v = new Float64Array(dim);
  for (const user of snapshot.users) {
    if (!userVector(snapshot, embeddings, user, history, v)) continue;
    all.set(v, users.length * dim);
    users.push(user);
  }
  return rankByDot(Int32Array.from(users), all.subarray(0, users.length * dim), pool, dim, k, excluded);
}

function candidatePool(snapshot: ChannelSnapshot, embeddings: TextEmbeddings, weightOf: (post: PostView) => number, cap: number): ScoringPool {
  const dim = embeddings.dim;
  const taken: { postId: number; authorId: number; vec: Float32Array; weight: number }[] = [];
  // Newest first: recency can only lower a score, so past the cap the oldest matter least.
  for (let i = snapshot.posts.length - 1; i >= 0 && taken.length < cap; i--) {
    const p = snapshot.posts[i]!;
    const vec = embeddings.post(p.postId);
    if (vec) taken.push({ postId: p.postId, authorId: p.authorId, vec, weight: weightOf(p) });
  }
  taken.reverse();
  const vectors = new Float32Array(taken.length * dim);
  taken.forEach((t, k) => {
    for (let d = 0; d < dim; d++) vectors[k * dim + d] = t.vec[d]! * t.weight;
  });
  return { postIds: Int32Array.from(taken, (t) => t.postId), authors: Int32Array.from(taken, (t) => t.authorId), vectors };
}

/** Writes the user's unit interest vector into `out`; false when nothing of it is embedded. */
export function userVector(snapshot: ChannelSnapshot, embeddings: TextEmbeddings, user: number, history: number, out: Float64Array): boolean {
  out.fill(0);
  let parts = 0;
  const profile = embeddings.profile(user);
  if (profile) {
    for (let d = 0; d < out.length; d++) out[d] = profile[d]!;
    parts++;
  }
  // Post ids grow with time: the highest are the most recent.
  const engaged = [...snapshot.engagedBy(user)].sort((a, b) => b - a);
  const mean = new Float64Array(out.length);
  let n = 0;
  for (const id of engaged) {
    if (n >= history) break;
    const vec = embeddings.post(id);
    if (!vec) continue;
    for (let d = 0; d < mean.length; d++) mean[d]! += vec[d]!;
    n++;
  }
  if (n > 0) {
    for (let d = 0; d < out.length; d++) out[d]! += mean[d]! / n;
    parts++;
  }
  if (parts === 0) return false;
  let sq = 0;
  for (let d = 0; d < out.length; d++) sq += out[d]! * out[d]!;
  if (sq === 0) return false;
  const norm = Math.sqrt(sq);
  for (let d = 0; d < out.length; d++) out[d]! /= norm;
  return true;
}
