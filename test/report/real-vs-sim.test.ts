import { dirname } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistributionRow } from '../../src/analysis/distributions.js';
import { ccdfChart, logTicks, realVsSimSection } from '../../src/report/sections/real-vs-sim.js';
import { VEGA_LITE_SCHEMA, type TopLevelSpec } from '../../src/report/types.js';
import { buildReport } from '../../src/report/write.js';
import { makeDb, REAL_TREE, SIM_TREE, type TestDb } from '../analysis/cascade-db.js';
import { crowdedAxisLabels, recordingLogger } from '../helpers/vega.js';

/** A heavy-tailed distribution over `values` users: n users with 1, fewer with more, up to `max`. */
function heavyTail(source: 'sim' | 'real', max: number): DistributionRow[] {
  const values = [...new Set(Array.from({ length: 120 }, (_, i) => Math.max(1, Math.round(max ** (i / 119)))))];
  const users = values.map((v) => Math.max(1, Math.round(500 / v)));
  const total = users.reduce((a, b) => a + b, 0);
  let left = total;
  return values.map((value, i) => {
    const row = { source, value, users: users[i]!, share: users[i]! / total, ccdf: left / total };
    left -= users[i]!;
    return row;
  });
}

let full: TestDb;
beforeAll(async () => {
  full = await makeDb([
    ...SIM_TREE,
    ...REAL_TREE,
    `INSERT INTO dataset_posts (post_id, dataset_id, track) VALUES (10, 'a', false)`,
    `INSERT INTO real_posts VALUES (100, 'original', NULL), (100, 'repost', NULL), (101, 'comment', NULL)`,
    `INSERT INTO real_follows VALUES (100, 101), (102, 101), (101, 100)`,
  ]);
});
afterAll(() => full?.cleanup());

describe('real-vs-sim charts', () => {
  it('when the section has cascades and distributions then its one legend sits above the charts at their left, not beside the widest row', async () => {
    const [s] = (await buildReport(dirname(full.dbPath), { sections: [realVsSimSection] })).sections;
    const { logger, messages } = recordingLogger();
    const view = new vega.View(vega.parse(compile(s!.spec!, { logger }).spec), { renderer: 'none', logger });
    await view.runAsync();
    type Box = { x1: number; x2: number; y1: number; y2: number };
    type Node = { role?: string; items?: Node[]; bounds?: Box };
    const top = (view.scenegraph() as unknown as { root: Node }).root.items![0]!;
    const legends = (top.items ?? []).filter((g) => g.role === 'legend').flatMap((g) => g.items ?? []);
    const charts = (top.items ?? []).filter((g) => g.role === 'scope').flatMap((g) => g.items ?? []);
    view.finalize();
    expect(messages).toEqual([]);
    expect(legends).toHaveLength(1);
    const legend = legends[0]!.bounds!;
    const first = charts[0]!.bounds!; // the paired-cascades row, the narrowest
    expect(legend.y2).toBeLessThanOrEqual(first.y1);
    expect(legend.x2).toBeLessThanOrEqual(first.x2);
  });

  it('when posts and followers per user span decades then no two axis labels run into each other', async () => {
    for (const max of [30, 300, 3000]) {
      const spec = { $schema: VEGA_LITE_SCHEMA, ...ccdfChart('Followers per user', 'followers', [...heavyTail('real', max), ...heavyTail('sim', max / 2)]) } as TopLevelSpec;
      expect(await crowdedAxisLabels(spec), `max ${max}`).toEqual([]);
    }
  });

  it('log ticks run 1-2-5 per decade over the data, to a tick at each end', () => {
    expect(logTicks(1, 300)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500]);
    expect(logTicks(3, 40)).toEqual([2, 5, 10, 20, 50]);
    expect(logTicks(1, 20000)).toEqual([1, 10, 100, 1000, 10000, 100000]); // more than three decades: powers of ten
    expect(logTicks(0.0023, 1, true)).toEqual([0.001, 0.01, 0.1, 1]);
    expect(logTicks(0, 1)).toEqual([]);
  });
});
