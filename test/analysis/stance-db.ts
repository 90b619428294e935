/** The hand-made run of the stance tests: agents with known stances on climate writing for and against words. */
/** Agents `[id, cohort, stance on climate | null]`. */
export const agents = (rows: readonly (readonly [number, string, number | null])[]): string =>
  `INSERT INTO users VALUES ${rows
    .map(([id, cohort, s]) => `(${id}, 'u${id}', 'U${id}', '', '${cohort}', 'm', 'agent', '${JSON.stringify(s === null ? { interests: [] } : { interests: [], stance: { climate: s } })}', 0)`)
    .join(', ')}`;
/** Posts `[post_id, author, step, text]`, originals. */
export const written = (rows: readonly (readonly [number, number, number, string])[]): string =>
  `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) VALUES ${rows
    .map(([id, a, s, t]) => `(${id}, ${a}, '${t}', 'original', ${s}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${s} HOUR)`)
    .join(', ')}`;
/** Survey answers `[survey, step, agent, question, answer]`. */
export const answers = (rows: readonly (readonly [string, number, number, string, number | null])[]): string =>
  `INSERT INTO survey_answers VALUES ${rows.map(([sv, s, a, q, ans]) => `('${sv}', ${s}, ${a}, 'pop', '${q}', ${ans ?? 'NULL'}, '', NULL)`).join(', ')}`;

export const FOR = '#climate green good';
export const AGAINST = '#climate hoax bad';

/**
 * Agents 1–5 hold +0.8 on climate, 6–10 −0.8 (cohort pop); 11 (no stance) and 12 (0.1,
 * undecided) are cohort b. Folds are user id mod 5, so every fold holds one "for" and one
 * "against" agent and every model is trained on both sides. Agent 5 is for but writes the
 * against words: its post is the one held-out error. Post 13 says "climatechange" (no topic
 * word) and 14 is off topic: neither is classified.
 */
export const RUN: readonly string[] = [
  agents([[1, 'pop', 0.8], [2, 'pop', 0.8], [3, 'pop', 0.8], [4, 'pop', 0.8], [5, 'pop', 0.8], [6, 'pop', -0.8], [7, 'pop', -0.8], [8, 'pop', -0.8], [9, 'pop', -0.8], [10, 'pop', -0.8], [11, 'b', null], [12, 'b', 0.1]]),
  written([
    [1, 1, 1, FOR], [2, 2, 1, FOR], [3, 3, 1, FOR], [6, 6, 1, AGAINST],
    [4, 4, 2, FOR], [5, 5, 2, AGAINST], [7, 7, 2, AGAINST], [8, 8, 2, AGAINST], [9, 9, 2, AGAINST], [10, 10, 2, AGAINST],
    [11, 11, 2, '#climate news today'], [12, 12, 2, 'Climate is green'],
    [13, 1, 2, 'the climatechange green good'], [14, 6, 2, 'lunch was bad'],
  ]),
];

