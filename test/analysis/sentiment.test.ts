import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { compound, sentiment } from '../../src/analysis/sentiment.js';
import { DEFAULT_TRACK } from '../../src/analysis/settings.js';
import { sentimentSection } from '../../src/report/sections/sentiment.js';
import { buildReport } from '../../src/report/write.js';
import { renderLines } from '../helpers/vega.js';
import { makeDb, type TestDb } from './cascade-db.js';
import { dirname } from 'node:path';

const GOOD = 'I love this, wonderful news! #climate';
const BAD = 'This is terrible and awful. #climate';
const FLAT = 'The meeting is on Tuesday. #tech';

/**
 * Users 1 (agent, cohort a), 2 (agent, cohort b), 9 (seed). Post 1 is an opening post (meta
 * opening_posts = 1) and is left out. Step 1: 2 by user 1 (GOOD), 3 by user 2 (BAD), 4 by the seed
 * (GOOD, left out: not an agent), 5 a repost (no text). Step 2: 6 by user 1 (FLAT), 7 by user 2,
 * a reply in post 2's thread (BAD). Post 2 carries a label, so it is tracked.
 */
const DB: readonly string[] = [
  `INSERT INTO users VALUES (1, 'u1', 'U1', '', 'a', 'm', 'agent', '{}', 0), (2, 'u2', 'U2', '', 'b', 'm', 'agent', '{}', 0), (9, 'news', 'News', '', 'seed:news', 'scripted', 'seed', '{}', 0)`,
  "INSERT INTO meta VALUES ('opening_posts', '1')",
  `INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, label, root_id) VALUES
     (1, 1, '${GOOD}', 'original', NULL, 0, TIMESTAMP '2024-01-01 00:00', NULL, 1),
     (2, 1, '${GOOD}', 'original', NULL, 1, TIMESTAMP '2024-01-01 01:00', 'rumour', 2),
     (3, 2, '${BAD}', 'original', NULL, 1, TIMESTAMP '2024-01-01 01:00', NULL, 3),
     (4, 9, '${GOOD}', 'original', NULL, 1, TIMESTAMP '2024-01-01 01:00', NULL, 4),
     (5, 2, '', 'repost', 2, 1, TIMESTAMP '2024-01-01 01:00', NULL, NULL),
     (6, 1, '${FLAT}', 'original', NULL, 2, TIMESTAMP '2024-01-01 02:00', NULL, 6),
     (7, 2, '${BAD}', 'comment', 2, 2, TIMESTAMP '2024-01-01 02:00', NULL, 2)`,
  `INSERT INTO steps VALUES (1, TIMESTAMP '2024-01-01 01:00', 2, 2, 0), (2, TIMESTAMP '2024-01-01 02:00', 2, 2, 0)`,
];

describe('sentiment (VADER)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await makeDb(DB);
  });
  afterAll(() => db?.cleanup());

  it('when texts praise, condemn or state a fact then their compound scores are positive, negative and neutral', () => {
    expect(compound(GOOD)).toBeGreaterThan(0.05);
    expect(compound(BAD)).toBeLessThan(-0.05);
    expect(compound(FLAT)).toBe(0);
  });

  it('when a run is summarised then agents’ in-run posts are averaged per step and cohort, per topic and in tracked threads', async () => {
    const g = compound(GOOD);
    const b = compound(BAD);
    const s = await withSimDb(db.dbPath, (h) => sentiment(h, DEFAULT_TRACK));
    // posts 2, 3, 6, 7: scores g, b, 0, b
    expect(s.overall.posts).toBe(4);
    expect(s.overall.mean).toBeCloseTo((g + 2 * b) / 4, 12);
    expect(s.overall).toMatchObject({ positive: 0.25, neutral: 0.25, negative: 0.5 });
    expect(s.byStep.map((r) => [r.step, r.cohort, r.posts, r.mean])).toEqual([
      [1, 'a', 1, g],
      [1, 'b', 1, b],
      [2, 'a', 1, 0],
      [2, 'b', 1, b],
    ]);
    expect(s.byTopic.map((t) => [t.topic, t.posts])).toEqual([
      ['climate', 3],
      ['tech', 1],
    ]);
    expect(s.byTopic[0]!.mean).toBeCloseTo((g + 2 * b) / 3, 12);
    // post 2 is tracked (label); its thread holds the reply 7
    expect(s.replies.map((r) => [r.post_id, r.posts, r.mean])).toEqual([[2, 1, b]]);
  });

  it('when the section renders then it draws one line per cohort without a vega warning', async () => {
    const report = await buildReport(dirname(db.dbPath), { sections: [sentimentSection] });
    const [section] = report.sections;
    expect(section!.error).toBeUndefined();
    const { messages, lines } = await renderLines(section!.spec!);
    expect(messages).toEqual([]);
    expect(lines).toEqual([2, 2]);
    expect(section!.html).toContain('<td>#climate</td><td class="num">3</td>');
  });
});
