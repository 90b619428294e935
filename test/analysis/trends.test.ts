import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { trends } from '../../src/analysis/trends.js';
import { trendsSection } from '../../src/report/sections/trends.js';
import { buildReport } from '../../src/report/write.js';
import { renderLines } from '../helpers/vega.js';
import { dirname } from 'node:path';
import { makeDb, type TestDb } from './cascade-db.js';

/**
 * Steps 0..7. #storm: one post a step by user 1 (cohort a), then ten at step 7 by user 2
 * (cohort b). #calm: two posts a step by user 1. Opening post 1 (meta opening_posts = 1) says
 * "#storm #storm" and is left out; a repost has no text.
 */
function rows(): string[] {
  const posts: string[] = [`(1, 1, '#storm #storm', 'original', 0)`];
  let id = 2;
  for (let step = 0; step <= 7; step++) {
    posts.push(`(${id++}, 1, 'Rain today #storm', 'original', ${step})`);
    posts.push(`(${id++}, 1, '#calm', 'original', ${step})`, `(${id++}, 1, 'the #Calm', 'original', ${step})`);
  }
  for (let k = 0; k < 10; k++) posts.push(`(${id++}, 2, 'Flooding now #storm', 'original', 7)`);
  return [
    `INSERT INTO users VALUES (1, 'u1', 'U1', '', 'a', 'm', 'agent', '{}', 0), (2, 'u2', 'U2', '', 'b', 'm', 'agent', '{}', 0)`,
    "INSERT INTO meta VALUES ('opening_posts', '1')",
    `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) SELECT id, author, body, kind, step, TIMESTAMP '2024-01-01' FROM (VALUES ${posts.join(', ')}) AS v(id, author, body, kind, step)`,
    `INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at) VALUES (${id}, 2, '', 'repost', 2, 7, TIMESTAMP '2024-01-01')`,
  ];
}

describe('trends', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await makeDb(rows());
  });
  afterAll(() => db?.cleanup());

  it('when a tag jumps far above its share of the trailing window then that step is a burst, and a steady tag never is', async () => {
    const t = await withSimDb(db.dbPath, (h) => trends(h, 4));
    // #storm held 1 of 3 tags in steps 3..6; step 7 has 13 tags, so 13/3 expected, 11 seen: z = (11 − 13/3) / √(13/3)
    const [storm, ...others] = t.bursts.filter((b) => b.kind === 'tag');
    expect(others).toEqual([]);
    expect(storm).toMatchObject({ step: 7, term: 'storm', count: 11 });
    expect(storm!.expected).toBeCloseTo(13 / 3, 12);
    expect(storm!.z).toBeCloseTo((11 - 13 / 3) / Math.sqrt(13 / 3), 12);
    // the word "flooding" appears from nothing: 10 against an expected 0 → z = 10 / 1
    expect(t.bursts.filter((b) => b.kind === 'word').map((b) => [b.step, b.term, b.count, b.expected, b.z])).toEqual([[7, 'flooding', 10, 0, 10]]);
  });

  it('when every term rises with the volume then nothing bursts', async () => {
    const steady = await makeDb([
      `INSERT INTO users VALUES (1, 'u1', 'U1', '', 'a', 'm', 'agent', '{}', 0)`,
      `INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at) SELECT 1 + range, 1, CASE WHEN range % 2 = 0 THEN '#sun' ELSE '#moon' END, 'original', CASE WHEN range < 20 THEN range // 4 ELSE 5 END, TIMESTAMP '2024-01-01' FROM range(60)`,
    ]);
    try {
      // steps 0..4: 2 #sun + 2 #moon; step 5: 20 + 20 — ten times the volume, the same shares
      const t = await withSimDb(steady.dbPath, (h) => trends(h, 4));
      expect(t.counts.filter((c) => c.step === 5).map((c) => [c.term, c.count])).toEqual([['moon', 20], ['sun', 20]]);
      expect(t.bursts).toEqual([]);
    } finally {
      steady.cleanup();
    }
  });

  it('when counted per step and cohort then tags are lower-cased, stopwords and opening posts are left out', async () => {
    const t = await withSimDb(db.dbPath, (h) => trends(h, 4));
    const at = (step: number, cohort: string) => t.counts.filter((c) => c.step === step && c.cohort === cohort).map((c) => [c.kind, c.term, c.count]);
    expect(at(0, 'a')).toEqual([
      ['tag', 'calm', 2],
      ['tag', 'storm', 1],
      ['word', 'rain', 1],
      ['word', 'today', 1],
    ]);
    // "now" is a stopword
    expect(at(7, 'b')).toEqual([
      ['tag', 'storm', 10],
      ['word', 'flooding', 10],
    ]);
  });

  it('when windows follow each other then the rising terms are those that grew most', async () => {
    const t = await withSimDb(db.dbPath, (h) => trends(h, 4));
    // window 4..7 against 0..3: #storm 14 vs 4; #calm 8 vs 8 (not rising); flooding 10 vs 0
    expect(t.rising).toEqual([
      { from_step: 4, kind: 'tag', term: 'storm', count: 14, previous: 4, growth: 10 },
      { from_step: 4, kind: 'word', term: 'flooding', count: 10, previous: 0, growth: 10 },
    ]);
  });

  it('when the section renders then each top tag is one line over the steps, and the burst is listed, without a vega warning', async () => {
    const [section] = (await buildReport(dirname(db.dbPath), { sections: [trendsSection] })).sections;
    expect(section!.error).toBeUndefined();
    const { messages, lines } = await renderLines(section!.spec!);
    expect(messages).toEqual([]);
    expect(lines).toEqual([8, 8]); // #calm and #storm, steps 0..7
    expect(section!.html).toContain('<td class="num">7</td><td>#storm</td><td class="num">11</td>');
  });
});
