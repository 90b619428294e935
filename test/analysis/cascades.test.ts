import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propagation, simCascadeCurves, simCascadeNodes, trackedPosts } from '../../src/analysis/cascades.js';
import { withSimDb } from '../../src/analysis/open.js';
import { realCascadeCurves, realCascadeNodes, realDataCounts } from '../../src/analysis/real-cascades.js';
import { makeDb, realCascade, REAL_TREE, SIM_TREE, type TestDb } from './cascade-db.js';

let sim: TestDb;
let empty: TestDb;
beforeAll(async () => {
  [sim, empty] = await Promise.all([makeDb([...SIM_TREE, ...REAL_TREE]), makeDb([])]);
});
afterAll(() => {
  sim?.cleanup();
  empty?.cleanup();
});

describe('tracked posts', () => {
  it('when posts have a label or a seed author, or are among the top reposted originals, then they are tracked', async () => {
    const tracked = await withSimDb(sim.dbPath, (db) => trackedPosts(db));
    expect(tracked.map((p) => [p.post_id, p.reasons])).toEqual([
      [10, ['label', 'seed', 'top']],
      [30, ['top']],
      [40, ['seed']],
    ]);
    expect(tracked[0]).toMatchObject({ author_id: 1, author: 'u1', label: 'misinformation', kind: 'original', created_step: 0 });
  });

  it('when top is 1 then only the most reposted original joins the labelled and seed posts', async () => {
    const tracked = await withSimDb(sim.dbPath, (db) => trackedPosts(db, 1));
    expect(tracked.map((p) => p.post_id)).toEqual([10, 40]);
  });
});

describe('simulated cascade reconstruction', () => {
  it('when reposters follow earlier nodes then each hangs off the most recent one it follows, else the root', async () => {
    const nodes = await withSimDb(sim.dbPath, (db) => simCascadeNodes(db));
    const of10 = nodes.filter((n) => n.post_id === 10).map((n) => [n.user_id, n.step, n.parent, n.via_follow, n.depth]);
    expect(of10).toEqual([
      [1, 0, null, false, 0], // root
      [2, 1, 1, true, 1],
      [3, 1, 1, true, 1], // follows 2 too, but 2 reposted in the same step
      [4, 2, 2, true, 2],
      [5, 2, 3, true, 2], // 2 and 3 both at step 1: the higher id
      [8, 2, 1, false, 1], // follows nobody in the cascade
      [6, 3, 4, true, 3], // the follow made in the repost's own step counts
      [7, 3, 1, false, 1], // follows 5 only after its repost
    ]);
    expect(nodes.filter((n) => n.post_id === 30).map((n) => [n.user_id, n.parent, n.depth])).toEqual([[6, null, 0], [7, 6, 1]]);
    expect(nodes.filter((n) => n.post_id === 40).map((n) => [n.user_id, n.depth])).toEqual([[1, 0]]);
  });

  it('when the tree is known then scale, depth and max breadth per step are exact', async () => {
    const curves = await withSimDb(sim.dbPath, (db) => simCascadeCurves(db));
    const of = (post: number): number[][] => curves.filter((c) => c.post_id === post).map((c) => [c.step, c.scale, c.depth, c.breadth]);
    expect(of(10)).toEqual([
      [0, 0, 0, 1],
      [1, 2, 1, 2],
      [2, 5, 2, 3],
      [3, 7, 3, 4],
      [4, 7, 3, 4], // runs to the last committed step
    ]);
    expect(of(30)).toEqual([[1, 0, 0, 1], [2, 0, 0, 1], [3, 1, 1, 1], [4, 1, 1, 1]]);
    expect(of(40)).toEqual([[2, 0, 0, 1], [3, 0, 0, 1], [4, 0, 0, 1]]);
  });

  it('when summarised then each tracked post carries its final figures and last repost step', async () => {
    const p = await withSimDb(sim.dbPath, (db) => propagation(db));
    expect(p.finals.map((f) => [f.post_id, f.scale, f.depth, f.breadth, f.last_repost_step])).toEqual([
      [10, 7, 3, 4, 3],
      [30, 1, 1, 1, 3],
      [40, 0, 0, 1, null],
    ]);
  });

  it('when the run has no posts then nothing is tracked', async () => {
    const p = await withSimDb(empty.dbPath, (db) => propagation(db));
    expect(p).toEqual({ posts: [], curves: [], finals: [] });
  });
});

describe('real cascades', () => {
  it('when parents are explicit then depths follow them; duplicates and unknown parents are handled', async () => {
    const nodes = await withSimDb(sim.dbPath, (db) => realCascadeNodes(db));
    expect(nodes.map((n) => [n.cascade_id, n.node_id, n.parent, n.t, n.depth])).toEqual([
      ['a', 'r', null, 0, 0],
      ['a', 'x', 'r', 10, 1],
      ['a', 'z', 'r', 20, 1],
      ['a', 'y', 'x', 20, 2],
      ['a', 'q', 'r', 30, 1], // its parent is not in the cascade
      ['a', 'w', 'y', 40, 3],
      ['b', 's', null, 0, 0], // times count from the cascade's first row
      ['b', 't', 's', 0, 1],
      ['c', 'o', null, 0, 0],
    ]);
  });

  it('when parents form a cycle then the nodes cut off from the root sit at depth 1', async () => {
    const db = await makeDb([realCascade([['d', 'm', null, 0], ['d', 'u', 'v', 1], ['d', 'v', 'u', 2], ['d', 'k', 'u', 3]])]);
    try {
      const nodes = await withSimDb(db.dbPath, (h) => realCascadeNodes(h));
      expect(nodes.map((n) => [n.node_id, n.parent, n.depth])).toEqual([['m', null, 0], ['u', 'v', 1], ['v', 'u', 1], ['k', 'u', 1]]);
    } finally {
      db.cleanup();
    }
  });

  it('when nodes join over time then the curves step at each join time', async () => {
    const curves = await withSimDb(sim.dbPath, (db) => realCascadeCurves(db));
    expect(curves.map((c) => [c.cascade_id, c.t, c.scale, c.depth, c.breadth])).toEqual([
      ['a', 0, 0, 0, 1],
      ['a', 10, 1, 1, 1],
      ['a', 20, 3, 2, 2],
      ['a', 30, 4, 2, 3],
      ['a', 40, 5, 3, 3],
      ['b', 0, 1, 1, 1],
      ['c', 0, 0, 0, 1],
    ]);
  });

  it('when the tables are empty or missing then the counts are 0', async () => {
    expect(await withSimDb(sim.dbPath, (db) => realDataCounts(db))).toEqual({ cascades: 3, cascade_rows: 10, posts: 0, follows: 0 });
    expect(await withSimDb(empty.dbPath, (db) => realDataCounts(db))).toEqual({ cascades: 0, cascade_rows: 0, posts: 0, follows: 0 });
    const old = await makeDb(['DROP TABLE real_cascades', 'DROP TABLE real_posts', 'DROP TABLE real_follows']);
    try {
      expect(await withSimDb(old.dbPath, (db) => realDataCounts(db))).toEqual({ cascades: 0, cascade_rows: 0, posts: 0, follows: 0 });
    } finally {
      old.cleanup();
    }
  });
});
