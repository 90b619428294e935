import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionMix, followersPerUser, postsPerUser, summarizeDistribution } from '../../src/analysis/distributions.js';
import { withSimDb } from '../../src/analysis/open.js';
import { follows, makeDb, posts, users, type TestDb } from './cascade-db.js';

const tr = (seq: number, agent: number, action: string, ok = true): string =>
  `(1, ${seq}, TIMESTAMP '2024-01-01 01:00:00', ${agent}, '${action}', '{}', ${ok}, NULL, NULL)`;

/**
 * Seed 1 and agents 2..5. Agent 2 has an imported post at step 0 (not counted) and three during
 * the run; agents 3 and 4 one each; 5 none. The seed's posts are not counted.
 */
const SIM = [
  users([[1, 'seed'], [2, 'agent'], [3, 'agent'], [4, 'agent'], [5, 'agent']]),
  posts([
    [1, 1, 'original', null, 0, 'misinformation'],
    [2, 1, 'original', null, 2, null],
    [3, 2, 'original', null, 0, null],
    [4, 2, 'original', null, 1, null],
    [5, 2, 'repost', 1, 2, null],
    [6, 2, 'comment', 1, 3, null],
    [7, 3, 'original', null, 1, null],
    [8, 4, 'quote', 1, 2, null],
  ]),
  follows([[2, 1, 0], [3, 1, 0], [4, 1, 0], [3, 2, 0], [5, 2, 1]]),
  `INSERT INTO trace VALUES ${[
    tr(0, 2, 'create_post'), tr(1, 2, 'repost'), tr(2, 3, 'create_post'), tr(3, 4, 'quote_post'), tr(4, 2, 'reply'),
    tr(5, 3, 'like'), tr(6, 4, 'like'), tr(7, 5, 'follow'), tr(8, 5, 'create_post', false), tr(9, 1, 'create_post'),
  ].join(', ')}`,
];

/** Real: author 100 wrote 4 posts, 101 and 102 one each; 101 has two followers, 100 one. */
const REAL = [
  `INSERT INTO real_posts VALUES (100, 'original', NULL), (100, 'original', NULL), (100, 'repost', NULL),
     (100, 'comment', NULL), (101, 'repost', NULL), (102, 'original', NULL)`,
  `INSERT INTO real_follows VALUES (100, 101), (102, 101), (101, 100), (102, 101)`,
];

let withReal: TestDb;
let simOnly: TestDb;
beforeAll(async () => {
  [withReal, simOnly] = await Promise.all([makeDb([...SIM, ...REAL]), makeDb(SIM)]);
});
afterAll(() => {
  withReal?.cleanup();
  simOnly?.cleanup();
});

const rows = (r: { source: string; value: number; users: number; share: number; ccdf: number }[]): unknown[] =>
  r.map((x) => [x.source, x.value, x.users, Number(x.share.toFixed(4)), Number(x.ccdf.toFixed(4))]);

describe('posts per user', () => {
  it("when agents post during the run then only their posts from step 1 count, beside real_posts", async () => {
    const d = await withSimDb(withReal.dbPath, (db) => postsPerUser(db));
    expect(rows(d)).toEqual([
      ['sim', 1, 2, 0.6667, 1],
      ['sim', 3, 1, 0.3333, 0.3333],
      ['real', 1, 2, 0.6667, 1],
      ['real', 4, 1, 0.3333, 0.3333],
    ]);
    expect(summarizeDistribution(d)).toEqual([
      { source: 'sim', users: 3, mean: 5 / 3, median: 1, max: 3 },
      { source: 'real', users: 3, mean: 2, median: 1, max: 4 },
    ]);
  });

  it('when there is no real data then only the simulated side comes back', async () => {
    const d = await withSimDb(simOnly.dbPath, (db) => postsPerUser(db));
    expect(new Set(d.map((r) => r.source))).toEqual(new Set(['sim']));
  });
});

describe('followers per user', () => {
  it('when follows exist at the end then distinct followers per followee are counted on both sides', async () => {
    const d = await withSimDb(withReal.dbPath, (db) => followersPerUser(db));
    expect(rows(d)).toEqual([
      ['sim', 2, 1, 0.5, 1],
      ['sim', 3, 1, 0.5, 0.5],
      ['real', 1, 1, 0.5, 1],
      ['real', 2, 1, 0.5, 0.5], // the duplicated real edge counts once
    ]);
  });
});

describe('action mix', () => {
  it("when agents act then applied actions' shares and post-kind shares beside real_posts kinds come back", async () => {
    const mix = await withSimDb(withReal.dbPath, (db) => actionMix(db));
    expect(mix.actions.map((a) => [a.action, a.count, a.share])).toEqual([
      ['create_post', 2, 0.25],
      ['like', 2, 0.25],
      ['follow', 1, 0.125],
      ['quote_post', 1, 0.125],
      ['reply', 1, 0.125],
      ['repost', 1, 0.125],
    ]);
    expect(mix.kinds.map((k) => [k.source, k.kind, k.count, Number(k.share.toFixed(4))])).toEqual([
      ['sim', 'original', 2, 0.4],
      ['sim', 'repost', 1, 0.2],
      ['sim', 'quote', 1, 0.2],
      ['sim', 'comment', 1, 0.2],
      ['real', 'original', 3, 0.5],
      ['real', 'repost', 2, 0.3333],
      ['real', 'quote', 0, 0],
      ['real', 'comment', 1, 0.1667],
    ]);
  });

  it('when there is no real data then the kinds are the simulated ones only', async () => {
    const mix = await withSimDb(simOnly.dbPath, (db) => actionMix(db));
    expect(mix.kinds.map((k) => k.source)).toEqual(['sim', 'sim', 'sim', 'sim']);
  });
});
