import { afterEach, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { personaFit } from '../../src/analysis/persona-fit.js';
import { dot, tfidfVectors } from '../../src/analysis/tfidf-vectors.js';
import { makeDb, type TestDb } from './cascade-db.js';

let db: TestDb | undefined;
afterEach(() => db?.cleanup());

/** `users` rows of agents with a bio and interests, cohort given. */
const agents = (rows: readonly (readonly [number, string, string, readonly string[]])[]): string =>
  `INSERT INTO users VALUES ${rows
    .map(([id, cohort, bio, interests]) => `(${id}, 'u${id}', 'U${id}', '${bio}', '${cohort}', 'm', 'agent', '${JSON.stringify({ interests })}', 0)`)
    .join(', ')}`;
/** `posts` rows: `[post_id, author, text]`, originals at step 1. */
const written = (rows: readonly (readonly [number, number, string])[]): string =>
  `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES ${rows
    .map(([id, a, t]) => `(${id}, ${a}, '${t}', 'original', 1, TIMESTAMP '2024-01-01 01:00:00')`)
    .join(', ')}`;

describe('tf-idf vectors', () => {
  it('when a term is in every document it weighs nothing, and the rest are unit vectors whose dot is the hand-worked cosine', () => {
    const [a, b, c] = tfidfVectors(['the cat', 'the cat the dog', 'the fish']);
    expect(a!.has('the')).toBe(false);
    // idf: cat ln(4/3), dog and fish ln(4/2); tf 1 each → b = (cat ln(4/3), dog ln 2) normalised.
    const cat = Math.log(4 / 3);
    const dog = Math.log(2);
    expect(dot(a!, b!)).toBeCloseTo(cat / Math.hypot(cat, dog), 12);
    expect(dot(a!, c!)).toBe(0);
    expect(dot(b!, b!)).toBeCloseTo(1, 12);
  });
});

describe('posts versus persona', () => {
  it('when four agents write on their persona’s topic (two on cats, two on dogs) then similarity, baseline, accuracy and chance are the hand-worked values', async () => {
    // Each persona and post document holds one term, so every vector is that term with weight
    // 1: a cosine is 1 for the same topic and 0 otherwise.
    db = await makeDb([
      agents([[1, 'c', '', ['cats']], [2, 'c', '', ['cats']], [3, 'c', '', ['dogs']], [4, 'c', '', ['dogs']]]),
      written([[10, 1, 'cats cats'], [11, 2, 'cats'], [12, 3, 'dogs'], [13, 4, 'dogs dogs']]),
    ]);
    const rows = await withSimDb(db.dbPath, (d) => personaFit(d));
    // Own persona: 1, 1, 1, 1. Next agent's persona: 2→1 cats/cats 1, 3→2 dogs/cats 0, 4→3 1, 1→4 cats/dogs 0.
    // Leave-one-fold-out (user id mod 5: one agent a fold): each agent's posts meet its topic's
    // other agent in the centroids, so all four are right; chance is 2 of 4.
    expect(rows).toEqual([{ cohort: 'all', agents: 4, similarity: 1, baseline: 0.5, accuracy: 1, chance: 0.5 }]);
  });

  it('when there are two cohorts then each gets its row after all, and the baseline never borrows another cohort’s persona', async () => {
    db = await makeDb([
      agents([[1, 'on', 'loves cats', ['cats']], [2, 'on', 'loves dogs', ['dogs']], [3, 'off', 'loves cats', ['cats']], [4, 'off', 'loves dogs', ['dogs']]]),
      // "on" writes about its own topic, "off" about the other one.
      written([[10, 1, 'cats'], [11, 2, 'dogs'], [12, 3, 'dogs'], [13, 4, 'cats']]),
    ]);
    const rows = await withSimDb(db.dbPath, (d) => personaFit(d));
    expect(rows.map((r) => r.cohort)).toEqual(['all', 'off', 'on']);
    const on = rows.find((r) => r.cohort === 'on')!;
    const off = rows.find((r) => r.cohort === 'off')!;
    // "loves" is in every persona but no post: df 4 of 8 documents, so it keeps weight and only
    // the topic term can match; own cosine is the topic's share of the persona vector.
    expect(on.similarity).toBeGreaterThan(0);
    expect(off.similarity).toBe(0);
    expect(on.baseline).toBe(0); // 1 ↔ 2 personas swap topics
    expect(off.baseline).toBeCloseTo(on.similarity, 12);
    const all = rows[0]!;
    expect(all.similarity).toBeCloseTo(on.similarity / 2, 12);
    expect(all.baseline).toBeCloseTo(off.baseline / 2, 12);
  });
});

describe('posts versus persona on the real side', () => {
  it("when the dataset's real posts follow their accounts' profiles but agents' posts do not then each side gets its own figures", async () => {
    db = await makeDb([
      agents([[1, 'c', '', ['cats']], [2, 'c', '', ['cats']], [3, 'c', '', ['dogs']], [4, 'c', '', ['dogs']]]),
      // Real posts (listed in dataset_posts, opening the run): on each account's own topic.
      written([[10, 1, 'cats'], [11, 2, 'cats'], [12, 3, 'dogs'], [13, 4, 'dogs']]),
      `INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES (10, 'a', false), (11, 'b', false), (12, 'c', false), (13, 'd', false)`,
      `INSERT INTO meta VALUES ('opening_posts', '13')`,
      // During the run, each agent writes on the other topic.
      written([[20, 1, 'dogs'], [21, 2, 'dogs'], [22, 3, 'cats'], [23, 4, 'cats']]),
    ]);
    const real = await withSimDb(db.dbPath, (d) => personaFit(d, 'real'));
    // As in the first case above: own cosine 1, next account's 1, 0, 1, 0 → 0.5; all right.
    expect(real).toEqual([{ cohort: 'all', agents: 4, similarity: 1, baseline: 0.5, accuracy: 1, chance: 0.5 }]);
    const sim = await withSimDb(db.dbPath, (d) => personaFit(d, 'sim'));
    // Own cosine 0 for everyone; the next agent's persona: 2→1 cats/dogs 0, 3→2 dogs/dogs 1,
    // 4→3 dogs/cats 0, 1→4 cats/cats 1 → 0.5. The classifier still gets every agent right: the
    // "cats" centroid is made of the other cats-persona agent's posts, which are about dogs, like
    // the held-out one's — it tells personas apart by their posts, whatever the posts name.
    expect(sim).toEqual([{ cohort: 'all', agents: 4, similarity: 0, baseline: 0.5, accuracy: 1, chance: 0.5 }]);
  });
});
