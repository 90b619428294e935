import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simCascades, type SimCascade } from '../../src/analysis/cascades.js';
import { withSimDb } from '../../src/analysis/open.js';
import { realCascadeNodes, realDataCounts } from '../../src/analysis/real-cascades.js';
import { DEFAULT_TRACK, type TrackSettings } from '../../src/analysis/settings.js';
import { trackedPosts } from '../../src/analysis/track.js';
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

const track = (over: Partial<TrackSettings> = {}): TrackSettings => ({ ...DEFAULT_TRACK, ...over });

describe('tracked posts', () => {
  it('when posts have a label or a seed author, or are among the top reposted originals, then they are tracked', async () => {
    const tracked = await withSimDb(sim.dbPath, (db) => trackedPosts(db, track()));
    expect(tracked.map((p) => [p.post_id, p.reasons])).toEqual([
      [10, ['label', 'seed', 'top']],
      [30, ['top']],
      [40, ['seed']],
    ]);
    expect(tracked[0]).toMatchObject({ author_id: 1, author: 'u1', label: 'misinformation', kind: 'original', created_step: 0, created_at: '2024-01-01T00:00:00.000Z', dataset_id: null, cascades: [] });
  });

  it('when analysis.track narrows or widens the choice then exactly those posts are tracked', async () => {
    await withSimDb(sim.dbPath, async (db) => {
      expect((await trackedPosts(db, track({ top: 1 }))).map((p) => p.post_id)).toEqual([10, 40]);
      expect((await trackedPosts(db, track({ top: 0, seeds: false }))).map((p) => p.post_id)).toEqual([10]);
      expect((await trackedPosts(db, track({ top: 0, seeds: false, labels: ['rumour'] }))).map((p) => p.post_id)).toEqual([]);
      expect((await trackedPosts(db, track({ top: 0, seeds: false, labels: [], posts: [31] }))).map((p) => [p.post_id, p.reasons])).toEqual([[31, ['listed']]]);
    });
  });

  it('when opening posts came from the dataset then a track flag, a listed dataset id and a real cascade’s source each track one', async () => {
    const db = await makeDb([
      ...SIM_TREE,
      "INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES (30, 'd30', true), (31, 'd31', false), (40, 'd40', false)",
      realCascade([['d40', 'r', null, 0], ['k', 'r', null, 0]]),
      "UPDATE real_cascades SET source_post = 'd31' WHERE cascade_id = 'k'",
    ]);
    try {
      const tracked = await withSimDb(db.dbPath, (h) => trackedPosts(h, track({ top: 0, seeds: false, labels: [], datasetPosts: ['d31'] })));
      expect(tracked.map((p) => [p.post_id, p.dataset_id, p.cascades, p.reasons])).toEqual([
        [30, 'd30', [], ['dataset']],
        [31, 'd31', ['k'], ['dataset', 'paired']], // listed by dataset id, and the source_post of cascade k
        [40, 'd40', ['d40'], ['paired']], // cascade d40 names no source: its id is the post's dataset id
      ]);
    } finally {
      db.cleanup();
    }
  });
});

const tree = (c: SimCascade): (number | null | string)[][] => c.nodes.map((n) => [n.user_id, n.step, n.parent, n.depth]);

describe('simulated cascades', () => {
  it('when the run did not record repost paths then each reposter hangs off the most recent earlier node it follows, else the root', async () => {
    const cascades = await withSimDb(sim.dbPath, async (db) => simCascades(db, await trackedPosts(db, track()), true));
    expect(cascades.map((c) => [c.post.post_id, c.method])).toEqual([
      [10, 'reconstructed'],
      [30, 'reconstructed'],
      [40, 'recorded'], // nobody reposted it: nothing to rebuild
    ]);
    expect(tree(cascades[0]!)).toEqual([
      [1, 0, null, 0], // root
      [2, 1, 1, 1],
      [3, 1, 1, 1], // follows 2 too, but 2 reposted in the same step
      [4, 2, 2, 2],
      [5, 2, 3, 2], // 2 and 3 both at step 1: the higher id
      [8, 2, 1, 1], // follows nobody in the cascade
      [6, 3, 4, 3], // the follow made in the repost's own step counts
      [7, 3, 1, 1], // follows 5 only after its repost
    ]);
    expect(cascades[0]!.nodes.map((n) => n.t_ms / 3_600_000)).toEqual([0, 1, 1, 2, 2, 2, 3, 3]);
    expect(tree(cascades[1]!)).toEqual([[6, 1, null, 0], [7, 3, 6, 1]]);
    expect(tree(cascades[2]!)).toEqual([[1, 2, null, 0]]);
  });

  it('when the run recorded repost paths then parents are the authors of the reposts seen, whatever the follows say', async () => {
    // Same reposts of post 10, now with the post each was seen as: 3 saw 2's repost (100) although it follows only
    // the root's author at the time of a rebuild; 5 saw the original; 6 saw 3's repost (101); 7 saw 8's repost (104).
    const via: Record<number, number> = { 100: 10, 101: 100, 102: 100, 103: 10, 104: 10, 105: 10, 106: 101, 107: 104, 108: 30 };
    const db = await makeDb([...SIM_TREE, ...Object.entries(via).map(([id, v]) => `UPDATE posts SET via_post_id = ${v}, via_source = 'home' WHERE post_id = ${id}`)]);
    try {
      const [c10, c30] = await withSimDb(db.dbPath, async (h) => simCascades(h, await trackedPosts(h, track({ seeds: false })), true));
      expect(c10!.method).toBe('recorded');
      expect(tree(c10!)).toEqual([
        [1, 0, null, 0],
        [2, 1, 1, 1],
        [3, 1, 2, 2], // via 100, 2's repost — recorded, though a rebuild would say the root
        [4, 2, 2, 2],
        [5, 2, 1, 1],
        [8, 2, 1, 1],
        [6, 3, 3, 3],
        [7, 3, 8, 2],
      ]);
      expect(tree(c30!)).toEqual([[6, 1, null, 0], [7, 3, 6, 1]]);
    } finally {
      db.cleanup();
    }
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
