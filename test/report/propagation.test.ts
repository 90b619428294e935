import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { compile } from 'vega-lite';
import * as vega from 'vega';
import { recordingLogger } from '../helpers/vega.js';
import { buildReport, renderReport } from '../../src/report/write.js';
import { propagationSection } from '../../src/report/sections/propagation.js';
import { realVsSimSection } from '../../src/report/sections/real-vs-sim.js';
import type { Section, TopLevelSpec } from '../../src/report/types.js';
import { makeDb, posts, REAL_TREE, reposts, SIM_TREE, users, type TestDb } from '../analysis/cascade-db.js';
import { makeFixture, type Fixture } from '../analysis/fixture.js';

interface Rendered {
  svg: string;
  /** Number of marks with items, per mark type (a line mark is one series in one facet). */
  markCount: Record<string, number>;
}

function countMarks(node: unknown, marks: Record<string, number>): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as { marktype?: unknown; role?: unknown; items?: unknown };
  if (!Array.isArray(n.items)) return;
  if (typeof n.marktype === 'string' && n.role === 'mark' && n.items.length > 0) marks[n.marktype] = (marks[n.marktype] ?? 0) + 1;
  for (const child of n.items) countMarks(child, marks);
}

/** Compiles and renders a spec headlessly; any vega or vega-lite warning fails the test. */
async function render(spec: TopLevelSpec): Promise<Rendered> {
  const { logger, messages } = recordingLogger();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  const svg = await view.toSVG();
  const markCount: Record<string, number> = {};
  countMarks((view.scenegraph() as unknown as { root: unknown }).root, markCount);
  view.finalize();
  expect(messages).toEqual([]);
  return { svg, markCount };
}

const SECTIONS = [propagationSection, realVsSimSection];

async function build(runDir: string): Promise<Record<string, Section>> {
  const report = await buildReport(runDir, { sections: SECTIONS });
  expect(report.sections.filter((s) => s.error).map((s) => s.error)).toEqual([]);
  return Object.fromEntries(report.sections.map((s) => [s.id, s]));
}

/** Cascade 'a' of REAL_TREE was seeded from post 10 (imported as dataset post 'a'). */
const PAIRING = `INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES (10, 'a', false)`;
const REAL_POSTS = `INSERT INTO real_posts VALUES (100, 'original', NULL), (100, 'repost', NULL), (100, 'repost', NULL), (101, 'comment', NULL)`;
const REAL_FOLLOWS = `INSERT INTO real_follows VALUES (100, 101), (102, 101), (101, 100)`;
const TRACE = `INSERT INTO trace VALUES (1, 0, TIMESTAMP '2024-01-01 01:00:00', 2, 'repost', '{}', true, NULL, NULL),
  (1, 1, TIMESTAMP '2024-01-01 01:00:00', 6, 'create_post', '{}', true, NULL, NULL)`;

let full: TestDb;
let followsOnly: TestDb;
let empty: TestDb;
let fixture: Fixture;
beforeAll(async () => {
  [full, followsOnly, empty, fixture] = await Promise.all([
    makeDb([...SIM_TREE, ...REAL_TREE, PAIRING, REAL_POSTS, REAL_FOLLOWS, TRACE]),
    makeDb([...SIM_TREE, REAL_FOLLOWS]),
    makeDb([]),
    makeFixture('full'),
  ]);
});
afterAll(() => {
  for (const d of [full, followsOnly, empty, fixture]) d?.cleanup();
});

describe('propagation section', () => {
  it('when posts are tracked then one line per post in each metric facet renders, with a final-figures table', async () => {
    const s = (await build(dirname(full.dbPath)))['propagation'];
    if (!s?.spec) throw new Error('no propagation chart');
    const r = await render(s.spec);
    expect(r.markCount['line']).toBe(9); // 3 posts × scale, depth, max breadth
    for (const t of ['scale', 'depth', 'max breadth', '#10 misinformation (@u1)', '#30 (@u6)', '#40 (@u1)']) expect(r.svg).toContain(t);
    expect(s.html).toContain('<td>label, seed account, most reposted, source of a real cascade</td><td>reconstructed</td>');
    // post 10: 7 reposters and its author (scale 8), depth 3, 4 users at depth 1, last repost 3 hours after it
    expect(s.html).toMatch(/<td>10<\/td>[\s\S]*?<td class="num">8<\/td><td class="num">3<\/td><td class="num">4<\/td><td class="num">3.0 h<\/td>/);
    expect(s.description).toContain('2 tree(s) of this older run were rebuilt from follows');
  });

  it('when a run has seed posts and reposts then its chart renders too', async () => {
    const s = (await build(fixture.runDir))['propagation'];
    if (!s?.spec) throw new Error('no propagation chart');
    expect((await render(s.spec)).markCount['line']).toBe(9); // posts 100, 101 (seed), 102 (most reposted)
  });

  it('when more than 20 posts are tracked then the chart keeps the 20 that spread most and the table all', async () => {
    const many = await makeDb([
      users([[1, 'seed'], [2, 'agent'], [3, 'agent']]),
      posts(Array.from({ length: 25 }, (_, i) => [i + 1, 1, 'original', null, 0, null] as const)),
      ...reposts(100, [[2, 25, 1], [3, 25, 1], [2, 24, 1]]),
    ]);
    try {
      const s = (await build(dirname(many.dbPath)))['propagation'];
      if (!s?.spec) throw new Error('no propagation chart');
      const r = await render(s.spec);
      expect(r.markCount['line']).toBe(60);
      expect(r.svg).toContain('#25 (@u1)');
      expect(r.svg).toContain('#1 (@u1)');
      expect(r.svg).not.toContain('#23 (@u1)'); // not reposted, and 18 lower ids fill the chart first
      expect(s.html).toContain('the table lists all 25');
      expect(s.html?.indexOf('<td>25</td>')).toBeLessThan(s.html?.indexOf('<td>24</td>') ?? 0); // most spread first
    } finally {
      many.cleanup();
    }
  });

  it('when nothing is tracked then the section says so and has no chart', async () => {
    const s = (await build(dirname(empty.dbPath)))['propagation'];
    expect(s?.spec).toBeUndefined();
    expect(s?.html).toContain('No tracked post in this run');
  });
});

describe('real-vs-sim section', () => {
  it('when every real table has rows then cascade curves, distributions and the NRMSE table render', async () => {
    const s = (await build(dirname(full.dbPath)))['real-vs-sim'];
    if (!s?.spec) throw new Error('no real-vs-sim chart');
    const r = await render(s.spec);
    // 2 sources × 3 metric facets, 2 sources × 2 CCDFs
    expect(r.markCount['line']).toBe(10);
    expect(r.markCount['rect']).toBeGreaterThanOrEqual(1);
    for (const t of ['The paired cascade, real and simulated', 'Posts per user', 'Followers per user', 'Post kinds', 'max breadth']) expect(r.svg).toContain(t);
    expect(s.html).toContain('Compared: real cascade a ↔ post #10 by @u1 (dataset post a), tree reconstructed.');
    expect(s.html).toContain('Warning: 2 of 3 real cascades have no simulated partner (b, c)');
    // one pair: the summary's mean is the pair's NRMSE, with no spread
    for (const m of ['scale', 'depth', 'max breadth']) expect(s.html).toMatch(new RegExp(`<td>${m}</td><td class="num">1</td><td class="num">\\d+\\.\\d{3}</td><td class="num">—</td>`));
    expect(s.html).toContain('<td>followers per user</td><td>real</td>');
  });

  it('when only real follows exist then only the followers chart is shown', async () => {
    const s = (await build(dirname(followsOnly.dbPath)))['real-vs-sim'];
    if (!s?.spec) throw new Error('no real-vs-sim chart');
    const r = await render(s.spec);
    expect(r.svg).toContain('Followers per user');
    expect(r.svg).not.toContain('Posts per user');
    expect(r.svg).not.toContain('paired cascade');
    expect(s.html).not.toContain('NRMSE');
  });

  it('when there is no real data then the section says so and has no chart', async () => {
    const s = (await build(dirname(empty.dbPath)))['real-vs-sim'];
    expect(s?.spec).toBeUndefined();
    expect(s?.html).toContain('No real reference data in this run');
  });

  it('when rendered into the page then both sections and their specs are embedded', async () => {
    const html = renderReport(await buildReport(dirname(full.dbPath), { sections: SECTIONS }));
    for (const id of ['propagation', 'real-vs-sim']) {
      expect(html.includes(`<section id="${id}">`)).toBe(true);
      expect(html.includes(`id="chart-${id}"`)).toBe(true);
    }
  });
});
