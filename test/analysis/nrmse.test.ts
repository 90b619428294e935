import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCascades } from '../../src/analysis/nrmse.js';
import { withSimDb } from '../../src/analysis/open.js';
import { propagationOf } from '../../src/analysis/propagation.js';
import { DEFAULT_TRACK, type AnalysisSettings } from '../../src/analysis/settings.js';
import { makeDb, realCascade, users, type TestDb } from './cascade-db.js';

const MIN = (k: number): string => `TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${k} MINUTE`;

/**
 * A run of one-minute steps 0..3 (4 minutes). Post 10 by user 1 is the opening post imported
 * from dataset post "tw1". Reposts with the post each was seen as:
 *   user 2 at minute 1, seen as post 10 (root)
 *   user 3 at minute 2, seen as 2's repost 100
 *   user 4 at minute 2, seen as post 10
 * so the simulated tree, read at minutes 0..4 (horizon 5m), has
 *   scale 1 2 4 4 4, depth 0 1 2 2 2, max breadth 0 1 2 2 2.
 *
 * Real cascade "tw1" (paired by its id): r at 0 s, x ← r at 30 s, y ← x at 90 s, z ← r at 200 s
 * (3.33 min), read at minutes 0..4:
 *   scale 1 2 3 3 4, depth 0 1 2 2 2, max breadth 0 1 1 1 2.
 * Real cascade "lost" names a source post the run does not have.
 */
const RUN: readonly string[] = [
  users([[1, 'agent'], [2, 'agent'], [3, 'agent'], [4, 'agent']]),
  `INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, via_post_id, via_source) VALUES
     (10, 1, 'source', 'original', NULL, 0, ${MIN(0)}, NULL, NULL),
     (100, 2, '', 'repost', 10, 1, ${MIN(1)}, 10, 'home'),
     (101, 3, '', 'repost', 10, 2, ${MIN(2)}, 100, 'home'),
     (102, 4, '', 'repost', 10, 2, ${MIN(2)}, 10, 'recsys')`,
  'INSERT INTO reposts VALUES (2, 10, 100, 1), (3, 10, 101, 2), (4, 10, 102, 2)',
  `INSERT INTO steps VALUES ${[0, 1, 2, 3].map((k) => `(${k}, ${MIN(k)}, 1, 1, 0)`).join(', ')}`,
  "INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES (10, 'tw1', false)",
  realCascade([['tw1', 'r', null, 0], ['tw1', 'x', 'r', 30], ['tw1', 'y', 'x', 90], ['tw1', 'z', 'r', 200], ['lost', 'q', null, 0], ['lost', 'w', 'q', 10]]),
  "UPDATE real_cascades SET source_post = 'nowhere' WHERE cascade_id = 'lost'",
];

const SETTINGS: AnalysisSettings = { track: { ...DEFAULT_TRACK, top: 0 }, horizonMs: 5 * 60_000 };

describe('real against simulated cascades, the reference way', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await makeDb(RUN);
  });
  afterAll(() => db?.cleanup());

  it('when a real cascade names its source post then it is paired with that post’s cascade and NRMSE is RMSE / max(real) per metric', async () => {
    const c = await withSimDb(db.dbPath, (h) => compareCascades(h, SETTINGS));
    expect(c.grid).toEqual({ stepMin: 1, points: 5 });
    const sim = (m: 'scale' | 'depth' | 'breadth'): number[] => c.curves.filter((p) => p.source === 'sim').map((p) => p[m]);
    const real = (m: 'scale' | 'depth' | 'breadth'): number[] => c.curves.filter((p) => p.source === 'real').map((p) => p[m]);
    expect([sim('scale'), sim('depth'), sim('breadth')]).toEqual([[1, 2, 4, 4, 4], [0, 1, 2, 2, 2], [0, 1, 2, 2, 2]]);
    expect([real('scale'), real('depth'), real('breadth')]).toEqual([[1, 2, 3, 3, 4], [0, 1, 2, 2, 2], [0, 1, 1, 1, 2]]);
    const by = Object.fromEntries(c.pairs.map((p) => [p.metric, p]));
    // scale: diffs 0 0 1 1 0 → RMSE √(2/5), real max 4; breadth: same diffs, real max 2; depth: equal
    expect(by['scale']).toMatchObject({ cascade_id: 'tw1', post_id: 10, method: 'recorded', sim_final: 4, real_final: 4 });
    expect(by['scale']!.nrmse).toBeCloseTo(Math.sqrt(0.4) / 4, 12);
    expect(by['scale']!.nrmse_range).toBeCloseTo(Math.sqrt(0.4) / 3, 12);
    expect(by['depth']!.nrmse).toBe(0);
    expect(by['breadth']!.nrmse).toBeCloseTo(Math.sqrt(0.4) / 2, 12);
    expect(c.summary.find((s) => s.metric === 'scale')).toMatchObject({ pairs: 1, sd: null });
    expect(c.unpaired).toEqual([{ cascade_id: 'lost', reason: expect.stringContaining('not among the run’s opening posts') }]);
    expect(c.tracked.map((t) => [t.post_id, t.reasons])).toEqual([[10, ['paired']]]);
    expect(c.run_span_min).toBe(4);
  });

  it('when two real cascades pair with runs’ posts then the summary is the mean and sample sd over pairs', async () => {
    const two = await makeDb([...RUN, realCascade([['tw1b', 'r', null, 0]]), "UPDATE real_cascades SET source_post = 'tw1' WHERE cascade_id = 'tw1b'"]);
    try {
      const c = await withSimDb(two.dbPath, (h) => compareCascades(h, SETTINGS));
      // tw1b is the root alone: scale 1 1 1 1 1 against sim 1 2 4 4 4 → diffs 0 1 3 3 3, RMSE √(28/5), max 1
      const a = Math.sqrt(0.4) / 4;
      const b = Math.sqrt(28 / 5);
      const s = c.summary.find((r) => r.metric === 'scale')!;
      expect(s.pairs).toBe(2);
      expect(s.mean).toBeCloseTo((a + b) / 2, 12);
      expect(s.sd).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 12);
      // depth and breadth of a lone root are 0 throughout: no NRMSE for that pair
      expect(c.summary.find((r) => r.metric === 'depth')).toMatchObject({ pairs: 1, mean: 0 });
    } finally {
      two.cleanup();
    }
  });

  it('when the source was an opening post then its reposts are timed half a step later (mid-step), as if the step had run its course', async () => {
    const opening = await makeDb([...RUN, "INSERT INTO meta VALUES ('opening_posts', '10')"]);
    try {
      const c = await withSimDb(opening.dbPath, (h) => compareCascades(h, SETTINGS));
      // reposts at 1.5, 2.5 and 2.5 minutes: read at minutes 0..4
      expect(c.curves.filter((p) => p.source === 'sim').map((p) => p.scale)).toEqual([1, 1, 2, 4, 4]);
      expect(c.cascades[0]!.nodes.map((n) => n.t_ms / 60_000)).toEqual([0, 1.5, 2.5, 2.5]);
    } finally {
      opening.cleanup();
    }
  });

  it('when the propagation of tracked posts is read then each curve runs from the post to the run’s end, one point a step', async () => {
    const c = await withSimDb(db.dbPath, (h) => compareCascades(h, SETTINGS));
    const p = propagationOf(c);
    expect(p.curves.map((r) => [r.minute, r.scale, r.depth, r.breadth])).toEqual([
      [0, 1, 0, 0],
      [1, 2, 1, 1],
      [2, 4, 2, 2],
      [3, 4, 2, 2],
    ]);
    expect(p.finals.map((f) => [f.post_id, f.scale, f.depth, f.breadth, f.last_repost_minute, f.method])).toEqual([[10, 4, 2, 2, 2, 'recorded']]);
  });
});
