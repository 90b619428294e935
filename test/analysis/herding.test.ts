import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { herdingResult, tInterval, welchInterval, type HerdingPoint } from '../../src/analysis/herding.js';
import { withSimDb } from '../../src/analysis/open.js';
import { CHANNEL_DDL } from '../../src/channel/schema.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Six enrolled posts, votes in trace, run through step 4, horizon 2. Agents' net score by age
 * (age a counts votes up to the end of step k + a; k = the post's treatment step):
 *
 *   post arm     k  votes (step: voter ±1)                          a0  a1  a2
 *   10   up      1  s2 u2 +1, s2 u3 +1, s3 u3 unlike −1               0   2   1
 *   11   up      1  s2 u3 +1, s3 u1 +1                                0   1   2
 *   12   down    2  s3 u1 dislike −1, s4 u1 undo_dislike +1          0  −1   0
 *   13   down    2  s3 u2 +1                                         0   1   1
 *   14   control 2  s3 u1 like failed (0), s4 u1 +1, s4 platform +1  0   0   1  (the platform's vote is not an agent's)
 *   15   control 1  s2 u2 +1, s4 u3 +1 (after the horizon)           0   1   1
 *
 * The platform's own treatment votes sit in likes / dislikes (not in trace) and are not counted.
 */
async function handBuiltRun(): Promise<string> {
  const dir = tempDir();
  const path = join(dir, 'sim.duckdb');
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  for (const ddl of CHANNEL_DDL) await conn.run(ddl);
  const sql = [
    `INSERT INTO meta VALUES ('herding', '{"target":"posts","share":1,"arms":{"up":1,"down":1,"control":1},"from_step":0,"horizon":2}')`,
    `INSERT INTO users VALUES
      (1, 'u1', 'U1', '', 'c', 'stat', 'agent', '{}', 0), (2, 'u2', 'U2', '', 'c', 'stat', 'agent', '{}', 0),
      (3, 'u3', 'U3', '', 'c', 'stat', 'agent', '{}', 0), (9, 'platform_votes', 'Platform', '', 'platform', 'platform', 'platform', '{}', 1)`,
    `INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, root_id) VALUES
      (10, 1, 'a', 'original', NULL, 1, TIMESTAMP '2024-01-01 01:00:00', 10), (11, 2, 'b', 'original', NULL, 1, TIMESTAMP '2024-01-01 01:00:00', 11),
      (12, 3, 'c', 'original', NULL, 2, TIMESTAMP '2024-01-01 02:00:00', 12), (13, 1, 'd', 'quote', 10, 2, TIMESTAMP '2024-01-01 02:00:00', 13),
      (14, 2, 'e', 'original', NULL, 2, TIMESTAMP '2024-01-01 02:00:00', 14), (15, 3, 'f', 'original', NULL, 1, TIMESTAMP '2024-01-01 01:00:00', 15)`,
    `INSERT INTO herding VALUES (10, 'up', 1), (11, 'up', 1), (12, 'down', 2), (13, 'down', 2), (14, 'control', 2), (15, 'control', 1)`,
    `INSERT INTO likes VALUES (9, 10, 1), (9, 11, 1), (9, 14, 4)`,
    `INSERT INTO dislikes VALUES (9, 12, 2), (9, 13, 2)`,
    `INSERT INTO steps SELECT s, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (s) HOUR, 3, 1, 0 FROM range(0, 5) t(s)`,
  ];
  let seq = 0;
  const tr = (step: number, agent: number, action: string, post: number | null, ok = true): string =>
    `(${step}, ${seq++}, TIMESTAMP '2024-01-01 00:00:00', ${agent}, '${action}', '${post === null ? '{}' : `{"post_id": ${post}}`}', ${ok}, NULL, NULL)`;
  sql.push(`INSERT INTO trace VALUES ${[
    tr(2, 2, 'like', 10), tr(2, 3, 'like', 10), tr(2, 3, 'like', 11), tr(2, 2, 'like', 15), tr(2, 1, 'create_post', null),
    tr(3, 3, 'unlike', 10), tr(3, 1, 'like', 11), tr(3, 1, 'dislike', 12), tr(3, 2, 'like', 13), tr(3, 1, 'like', 14, false),
    tr(4, 1, 'undo_dislike', 12), tr(4, 1, 'like', 14), tr(4, 3, 'like', 15), tr(4, 9, 'like', 14),
  ].join(', ')}`);
  for (const s of sql) await conn.run(s);
  conn.closeSync();
  instance.closeSync();
  return path;
}

const T1 = 12.706; // t95 with 1 degree of freedom
const point = (arm: HerdingPoint['arm'], age: number, measure: HerdingPoint['measure'], mean: number, sd: number | null, half: number): HerdingPoint => ({
  arm,
  age,
  measure,
  posts: 2,
  mean,
  sd,
  lo: mean - half,
  hi: mean + half,
});

describe('herdingResult', () => {
  it('when posts were treated then each arm’s mean net score per step since treatment, with its t-interval over posts, is the hand count', async () => {
    const path = await handBuiltRun();
    const r = await withSimDb(path, (db) => herdingResult(db));
    expect(r).not.toBeNull();
    const rounded = (p: HerdingPoint) => ({ ...p, mean: round(p.mean), sd: p.sd === null ? null : round(p.sd), lo: round(p.lo), hi: round(p.hi) });
    const h = (T1 * Math.SQRT1_2) / Math.SQRT2; // sd 1/√2 over 2 posts
    const agents = [
      point('up', 0, 'agents', 0, 0, 0),
      point('up', 1, 'agents', 1.5, Math.SQRT1_2, h),
      point('up', 2, 'agents', 1.5, Math.SQRT1_2, h),
      point('down', 0, 'agents', 0, 0, 0),
      point('down', 1, 'agents', 0, Math.SQRT2, T1),
      point('down', 2, 'agents', 0.5, Math.SQRT1_2, h),
      point('control', 0, 'agents', 0, 0, 0),
      point('control', 1, 'agents', 0.5, Math.SQRT1_2, h),
      point('control', 2, 'agents', 1, 0, 0),
    ];
    const shift = { up: 1, down: -1, control: 0 } as const;
    const withTreatment = agents.map((p) => ({ ...p, measure: 'with treatment' as const, mean: p.mean + shift[p.arm], lo: p.lo + shift[p.arm], hi: p.hi + shift[p.arm] }));
    expect(r!.horizon).toBe(2);
    expect(r!.enrolled).toEqual({ up: 2, down: 2, control: 2 });
    expect(r!.series.map(rounded)).toEqual([...agents, ...withTreatment].map(rounded));
    expect(r!.final.map(rounded)).toEqual([...agents, ...withTreatment].filter((p) => p.age === 2).map(rounded));
    // Welch at the horizon: up (1.5, sd 1/√2, n 2) vs control (1, sd 0, n 2): se = 0.5, df = 1.
    expect(r!.effects.map((e) => ({ ...e, diff: round(e.diff), lo: round(e.lo), hi: round(e.hi) }))).toEqual([
      { arm: 'up', measure: 'agents', diff: 0.5, lo: round(0.5 - T1 * 0.5), hi: round(0.5 + T1 * 0.5) },
      { arm: 'down', measure: 'agents', diff: -0.5, lo: round(-0.5 - T1 * 0.5), hi: round(-0.5 + T1 * 0.5) },
      { arm: 'up', measure: 'with treatment', diff: 1.5, lo: round(1.5 - T1 * 0.5), hi: round(1.5 + T1 * 0.5) },
      { arm: 'down', measure: 'with treatment', diff: -1.5, lo: round(-1.5 - T1 * 0.5), hi: round(-1.5 + T1 * 0.5) },
    ]);
  });

  it('when the horizon reaches past the run then a post counts only at the ages the run got to', async () => {
    const path = await handBuiltRun();
    const r = await withSimDb(path, (db) => herdingResult(db, { horizon: 3 }));
    // Age 3 needs step k + 3 ≤ 4: only the step-1 posts 10, 11 (up) and 15 (control).
    const at3 = r!.series.filter((p) => p.age === 3 && p.measure === 'agents').map((p) => [p.arm, p.posts, p.mean]);
    expect(at3).toEqual([['up', 2, 1.5], ['control', 1, 2]]);
    // A single post has no spread: its interval is the mean itself, and a difference against it has no interval either.
    expect(r!.final.find((p) => p.arm === 'control' && p.measure === 'agents')).toMatchObject({ sd: null, lo: 2, hi: 2 });
    expect(r!.effects.find((e) => e.arm === 'up' && e.measure === 'agents')).toEqual({ arm: 'up', measure: 'agents', diff: -0.5, lo: -0.5, hi: -0.5 });
  });

  it('when the run had no herding experiment then there is no result', async () => {
    const path = await handBuiltRun();
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    await conn.run(`DELETE FROM meta WHERE key = 'herding'`);
    conn.closeSync();
    instance.closeSync();
    expect(await withSimDb(path, (db) => herdingResult(db))).toBeNull();
  });
});

describe('intervals', () => {
  it('when a group has spread then the t-interval is t95(n−1)·sd/√n around the mean', () => {
    // n 5, sd 2: 2.776 · 2 / √5 = 2.48293
    const { lo, hi } = tInterval(5, 10, 2);
    expect(lo).toBeCloseTo(10 - 2.48293, 4);
    expect(hi).toBeCloseTo(10 + 2.48293, 4);
    expect(tInterval(1, 3, null)).toEqual({ lo: 3, hi: 3 });
  });

  it('when two groups differ in size and spread then Welch’s interval uses the Welch–Satterthwaite degrees of freedom, rounded down', () => {
    // va = 4/10 = 0.4, vb = 1/5 = 0.2, se = √0.6 = 0.774597; df = 0.36 / (0.16/9 + 0.04/4) = 12.96 → 12, t = 2.179.
    const w = welchInterval({ posts: 10, mean: 3, sd: 2 }, { posts: 5, mean: 1, sd: 1 });
    expect(w.diff).toBe(2);
    expect(w.lo).toBeCloseTo(2 - 2.179 * 0.774597, 4);
    expect(w.hi).toBeCloseTo(2 + 2.179 * 0.774597, 4);
  });
});

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
