/**
 * How much the content index's bounded match (src/recsys/content-index.ts) gives up against
 * an exact one, on the recommender bench's snapshot (10,000 agents × 100,000 candidates):
 * for a sample of users, the share of the exact top-k's score mass the bounded top-k keeps,
 * and its recall, per feed size k and posting budget.
 *   npx tsx bench/content-match.ts [--users 1000]
 */
import { candidatesByAuthor, candidatesOf, recency } from '../src/recsys/candidates.js';
import { ContentIndex, MATCH_BUDGET, SHORTLIST, type MatchLimits } from '../src/recsys/content-index.js';
import { DEFAULT_RECENCY_HALF_LIFE, userInterests } from '../src/recsys/interest.js';
import { Vocabulary } from '../src/recsys/tfidf.js';
import { TopK } from '../src/common/top-k.js';
import { buildSnapshot } from './recsys-fixture.js';

const at = process.argv.indexOf('--users');
const sample = at >= 0 ? Number(process.argv[at + 1]) : 1000;
const snapshot = buildSnapshot({ users: 10_000, posts: 100_000, interactions: 500_000 });
const cands = candidatesOf(snapshot);
const vocab = new Vocabulary();
const bags = vocab.bagsOf(cands.posts);
const prior = Float64Array.from(cands.posts, (p) => recency(snapshot, p, DEFAULT_RECENCY_HALF_LIFE));
const byAuthor = candidatesByAuthor(cands);
const exactLimits: MatchLimits = { budget: cands.posts.length, shortlist: cands.posts.length };
const exact = new ContentIndex(vocab, bags, prior, exactLimits);
const users = snapshot.users.filter((_, i) => i % Math.max(1, Math.floor(snapshot.users.length / sample)) === 0).slice(0, sample);

function feed(index: ContentIndex, user: number, k: number): { docs: number[]; scores: number[] } {
  const { query, blocked } = userInterests(snapshot, vocab, index, cands, byAuthor, user);
  const best = new TopK(k);
  index.match(query, blocked, null, best, cands.newer);
  const docs = new Int32Array(best.size);
  const scores = new Float64Array(best.size);
  best.drainInto(docs, scores);
  return { docs: [...docs], scores: [...scores] };
}

console.log(`content match vs exact, ${users.length} users, 10,000 × 100,000 bench snapshot`);
console.log('k    budget  shortlist   score mass kept   recall   ms/user');
for (const k of [10, 20]) {
  const truth = new Map(users.map((u) => [u, feed(exact, u, k)]));
  for (const budget of [256, 512, MATCH_BUDGET, 2048]) {
    const index = new ContentIndex(vocab, bags, prior, { budget, shortlist: SHORTLIST });
    let kept = 0;
    let total = 0;
    let hits = 0;
    let wanted = 0;
    const t = performance.now();
    for (const u of users) {
      const got = feed(index, u, k);
      const want = truth.get(u)!;
      // Scores of the bounded feed are exact dot products, so their sum compares directly.
      kept += got.scores.reduce((a, b) => a + b, 0);
      total += want.scores.reduce((a, b) => a + b, 0);
      const set = new Set(want.docs);
      hits += got.docs.filter((d) => set.has(d)).length;
      wanted += want.docs.length;
    }
    const ms = (performance.now() - t) / users.length;
    console.log(`${String(k).padEnd(4)} ${String(budget).padStart(6)}  ${String(SHORTLIST * k).padStart(9)}   ${((100 * kept) / total).toFixed(1).padStart(14)} %   ${((100 * hits) / wanted).toFixed(1).padStart(5)} %   ${ms.toFixed(3)}`);
  }
}
