/**
 * The `interest` recommender on text embeddings (recsys.embedding_model), ranking only: the
 * recommender bench's snapshot (bench/recsys-fixture.ts) with synthetic unit vectors in place
 * of an endpoint's, 384 dimensions (all-MiniLM-L6-v2's width), whose variance falls off as
 * 1/(d + 1) over coordinates the way text embeddings concentrate on few directions, plus a
 * topic component. Refresh wall time at 10,000 and 1,000 agents over 100,000 candidates.
 *   npx tsx bench/embedding-interest.ts [--dim 384]
 */
import type { TextEmbeddings } from '../src/channel/snapshot.js';
import { Rng } from '../src/common/rng.js';
import { embeddingCandidateCap, embeddingInterestFeeds } from '../src/recsys/embedding-interest.js';
import { QUERY_HISTORY } from '../src/recsys/interest.js';
import { buildSnapshot } from './recsys-fixture.js';

const at = process.argv.indexOf('--dim');
const dim = at >= 0 ? Number(process.argv[at + 1]) : 384;
const snapshot = buildSnapshot({ users: 10_000, posts: 100_000, interactions: 500_000 });
const rng = new Rng(7);
const topics = Array.from({ length: 10 }, () => Float64Array.from({ length: dim }, () => rng.normal()));

function vectorOf(key: number): Float32Array {
  const r = new Rng(key);
  const topic = topics[((key % topics.length) + topics.length) % topics.length]!;
  const v = Float32Array.from({ length: dim }, (_, d) => (0.5 * topic[d]! + r.normal()) / Math.sqrt(d + 1));
  let sq = 0;
  for (const x of v) sq += x * x;
  return v.map((x) => x / Math.sqrt(sq));
}

const vectors = new Map<number, Float32Array>();
const cached = (key: number): Float32Array => vectors.get(key) ?? (vectors.set(key, vectorOf(key)), vectors.get(key)!);
const embeddings: TextEmbeddings = { dim, post: (id) => cached(id), profile: (user) => cached(-1 - user) };

console.log(`embedding interest bench: ${dim} dimensions, 100,000 candidates, feed 20`);
for (const users of [10_000, 1_000]) {
  const snap = { ...snapshot, users: snapshot.users.slice(0, users) };
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    embeddingInterestFeeds(snap, embeddings, 20, 6, QUERY_HISTORY);
    times.push(performance.now() - t);
  }
  // The first refresh also draws the synthetic vectors; the next two are the recommender's.
  const next = (times[1]! + times[2]!) / 2 / 1000;
  console.log(`${users.toLocaleString('en-US')} agents: ${embeddingCandidateCap(users, dim).toLocaleString('en-US')} newest candidates ranked exactly, refresh ${next.toFixed(1)} s (first ${(times[0]! / 1000).toFixed(1)} s)`);
}
