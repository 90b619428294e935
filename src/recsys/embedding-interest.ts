import type { ChannelSnapshot, TextEmbeddings } from '../channel/snapshot.js';
import { recency } from './candidates.js';
import { exclusionRule, feedsFrom } from './learn/feeds.js';
import { poolCap } from './learn/pool.js';
import { rankByDot, type ScoringPool } from './learn/rank.js';
import type { Feeds } from './types.js';

/**
 * `interest` with an embedding model instead of TF-IDF: a user's vector is its profile's
 * embedding plus the mean embedding of its `history` most recent liked or reposted posts
 * (each part a unit vector, so a long history weighs as much as the profile, not more), and a
 * candidate scores by cosine with it × 0.5^(age / halfLife). Candidates are the window's
 * newest with a vector, up to the learned recommenders' pool cap, ranked exactly by dot
 * product with the recency folded into their vectors (so older, shorter vectors are pruned
 * first). Users with neither a profile vector nor an embedded history, and every feed's free
 * slots, get the popularity fallback.
 */
export function embeddingInterestFeeds(snapshot: ChannelSnapshot, embeddings: TextEmbeddings, feedSize: number, halfLife: number, history: number): Feeds {
  const dim = embeddings.dim;
  const pool = candidatePool(snapshot, embeddings, halfLife);
  const users: number[] = [];
  const vecs: number[] = [];
  const v = new Float64Array(dim);
  for (const user of snapshot.users) {
    if (!userVector(snapshot, embeddings, user, history, v)) continue;
    users.push(user);
    for (let d = 0; d < dim; d++) vecs.push(v[d]!);
  }
  const rankings = rankByDot(Int32Array.from(users), Float32Array.from(vecs), pool, dim, feedSize, exclusionRule(snapshot));
  return feedsFrom(snapshot, rankings, feedSize);
}

function candidatePool(snapshot: ChannelSnapshot, embeddings: TextEmbeddings, halfLife: number): ScoringPool {
  const dim = embeddings.dim;
  const cap = poolCap(snapshot.users.length);
  const taken: { postId: number; authorId: number; vec: Float32Array; weight: number }[] = [];
  // Newest first: recency can only lower a score, so past the cap the oldest matter least.
  for (let i = snapshot.posts.length - 1; i >= 0 && taken.length < cap; i--) {
    const p = snapshot.posts[i]!;
    const vec = embeddings.post(p.postId);
    if (vec) taken.push({ postId: p.postId, authorId: p.authorId, vec, weight: recency(snapshot, p, halfLife) });
  }
  taken.reverse();
  const vectors = new Float32Array(taken.length * dim);
  taken.forEach((t, k) => {
    for (let d = 0; d < dim; d++) vectors[k * dim + d] = t.vec[d]! * t.weight;
  });
  return { postIds: Int32Array.from(taken, (t) => t.postId), authors: Int32Array.from(taken, (t) => t.authorId), vectors };
}

/** Writes the user's unit interest vector into `out`; false when nothing of it is embedded. */
function userVector(snapshot: ChannelSnapshot, embeddings: TextEmbeddings, user: number, history: number, out: Float64Array): boolean {
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
