/**
 * Posts versus persona: how well what an agent wrote matches who it is meant to be, per cohort
 * (so an 8B and a 70B cohort can be compared). For every agent that wrote during the run:
 * - similarity: the cosine between the TF-IDF vectors of its persona (bio and interests) and of
 *   its posts (all of them as one document; idf over every persona and post document), and as
 *   a baseline the same cosine with the persona of the next agent of its cohort (by user id,
 *   cyclically): a cohort whose posts follow their personas has similarity well above baseline;
 * - a classifier: nearest centroid on the TF-IDF vectors of agents' posts, predicting the
 *   persona's first interest, 5-fold cross-validated with folds by user id (user_id mod 5);
 *   accuracy against chance, the share of the commonest first interest.
 * Up to 50 posts per agent (its first) and 20,000 agents (a fixed sample by user-id hash).
 */
import { memoized } from './memo.js';
import type { SimDb } from './open.js';
import { sideCondition, type Side } from './sides.js';
import { addInto, dot, normalised, tfidfVectors, type SparseVector } from './tfidf-vectors.js';

export const POSTS_PER_AGENT = 50;
export const AGENTS_SAMPLE = 20_000;
export const FOLDS = 5;

export interface PersonaFit {
  /** 'all' or a cohort. */
  cohort: string;
  agents: number;
  similarity: number;
  baseline: number;
  accuracy: number;
  chance: number;
}

interface Agent {
  userId: number;
  cohort: string;
  persona: string;
  topic: string | null;
  posts: string;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Leave-fold-out nearest-centroid accuracy and the majority share, over `idx` agents. */
function classify(idx: readonly number[], agents: readonly Agent[], vectors: readonly SparseVector[]): { accuracy: number; chance: number } {
  const labelled = idx.filter((i) => agents[i]!.topic !== null);
  if (labelled.length === 0) return { accuracy: Number.NaN, chance: Number.NaN };
  const freq = new Map<string, number>();
  for (const i of labelled) freq.set(agents[i]!.topic!, (freq.get(agents[i]!.topic!) ?? 0) + 1);
  const chance = Math.max(...freq.values()) / labelled.length;
  let correct = 0;
  let tried = 0;
  for (let f = 0; f < FOLDS; f++) {
    const centroids = new Map<string, Map<string, number>>();
    for (const i of labelled) {
      if (agents[i]!.userId % FOLDS === f) continue;
      const topic = agents[i]!.topic!;
      addInto(centroids.get(topic) ?? centroids.set(topic, new Map()).get(topic)!, vectors[i]!);
    }
    const unit = [...centroids].map(([topic, c]) => [topic, normalised(c)] as const).sort((a, b) => a[0].localeCompare(b[0]));
    if (unit.length === 0) continue;
    for (const i of labelled) {
      if (agents[i]!.userId % FOLDS !== f) continue;
      let best = unit[0]!;
      let bestScore = -Infinity;
      for (const u of unit) {
        const s = dot(vectors[i]!, u[1]);
        if (s > bestScore) [best, bestScore] = [u, s];
      }
      tried++;
      if (best[0] === agents[i]!.topic) correct++;
    }
  }
  return { accuracy: tried === 0 ? Number.NaN : correct / tried, chance };
}

/**
 * Posts-versus-persona figures for all agents ('all'), then per cohort when there are several:
 * of what agents wrote during the run, or (`real`) of the dataset's real posts against the
 * profiles of the accounts that wrote them.
 */
export async function personaFit(db: SimDb, side: Side = 'sim'): Promise<PersonaFit[]> {
  return memoized(db, 'personaFit', [side], () => computePersonaFit(db, side));
}

async function computePersonaFit(db: SimDb, side: Side): Promise<PersonaFit[]> {
  const rows = await db.query<{ user_id: number; cohort: string; persona: string; topic: string | null; posts: string }>(
    `WITH written AS (
       SELECT p.author_id, p.text, row_number() OVER (PARTITION BY p.author_id ORDER BY p.post_id) AS k
       FROM posts p LEFT JOIN users u ON u.user_id = p.author_id
       WHERE ${await sideCondition(db, side)}),
     chosen AS (SELECT user_id FROM users WHERE user_id IN (SELECT author_id FROM written) ORDER BY hash(user_id) LIMIT ${AGENTS_SAMPLE})
     SELECT u.user_id, u.cohort,
            u.bio || ' ' || coalesce(array_to_string(CAST(json_extract(u.persona, '$.interests') AS VARCHAR[]), ' '), '') AS persona,
            json_extract_string(u.persona, '$.interests[0]') AS topic,
            string_agg(w.text, ' ' ORDER BY w.k) AS posts
     FROM users u JOIN chosen USING (user_id) JOIN written w ON w.author_id = u.user_id AND w.k <= ${POSTS_PER_AGENT}
     GROUP BY ALL ORDER BY u.user_id`,
  );
  const agents: Agent[] = rows.map((r) => ({ userId: r.user_id, cohort: r.cohort, persona: r.persona, topic: r.topic, posts: r.posts }));
  const vectors = tfidfVectors([...agents.map((a) => a.persona), ...agents.map((a) => a.posts)]);
  const personaOf = (i: number): SparseVector => vectors[i]!;
  const postsOf = vectors.slice(agents.length);
  const cohorts = [...new Set(agents.map((a) => a.cohort))].sort();
  const groups: [string, number[]][] = cohorts.map((c) => [c, agents.flatMap((a, i) => (a.cohort === c ? [i] : []))]);
  const out: PersonaFit[] = [];
  // 'all' first, then each cohort when there is more than one.
  for (const [cohort, idx] of [['all', agents.map((_, i) => i)] as [string, number[]], ...(groups.length > 1 ? groups : [])]) {
    const own = idx.map((i) => dot(personaOf(i), postsOf[i]!));
    // The next agent of the same cohort (for 'all': each cohort's own neighbour, so the baseline never crosses cohorts).
    const other = (cohort === 'all' ? groups : [[cohort, idx] as [string, number[]]]).flatMap(([, g]) =>
      g.length < 2 ? [] : g.map((i, k) => dot(personaOf(g[(k + 1) % g.length]!), postsOf[i]!)),
    );
    out.push({ cohort, agents: idx.length, similarity: mean(own), baseline: mean(other), ...classify(idx, agents, postsOf) });
  }
  return out;
}
