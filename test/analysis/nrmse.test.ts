import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { compareCascades, nrmse, realGridCurves, simGridCurves } from '../../src/analysis/nrmse.js';
import { makeDb, REAL_TREE, SIM_TREE, type TestDb } from './cascade-db.js';

describe('nrmse', () => {
  it('when the curves are identical then it is 0', () => {
    expect(nrmse([0, 1, 3, 7], [0, 1, 3, 7])).toBe(0);
    expect(nrmse([0, 0], [0, 0])).toBe(0);
  });

  it('when the curves differ then it is RMSE over the real range', () => {
    // diffs 0, 1, 2, 3 → RMSE √3.5; real range 6
    expect(nrmse([0, 1, 2, 3], [0, 2, 4, 6])).toBeCloseTo(Math.sqrt(3.5) / 6, 12);
  });

  it('when the real curve is flat then it is RMSE over its mean, or null when that is 0', () => {
    expect(nrmse([1, 1, 1], [2, 2, 2])).toBe(0.5);
    expect(nrmse([1, 0], [0, 0])).toBeNull();
  });

  it('when the lengths differ then it throws (a bug in the caller)', () => {
    expect(() => nrmse([1], [1, 2])).toThrow(/length/);
  });
});

describe('normalised curves and comparison', () => {
  let both: TestDb;
  let simOnly: TestDb;
  beforeAll(async () => {
    [both, simOnly] = await Promise.all([makeDb([...SIM_TREE, ...REAL_TREE]), makeDb(SIM_TREE)]);
  });
  afterAll(() => {
    both?.cleanup();
    simOnly?.cleanup();
  });

  const pick = (rows: { scale: number; depth: number; breadth: number }[], m: 'scale' | 'depth' | 'breadth'): number[] => rows.map((r) => r[m]);

  it('when cascades are resampled on 5 points then the means over spreading cascades are exact', async () => {
    await withSimDb(both.dbPath, async (db) => {
      // post 10 lasts 3 steps, post 30 lasts 2; post 40 never spread and is left out
      const sim = await simGridCurves(db, 5);
      expect(sim.map((r) => r.u)).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(pick(sim, 'scale')).toEqual([0, 0, 1, 2.5, 4]);
      expect(pick(sim, 'depth')).toEqual([0, 0, 0.5, 1, 2]);
      expect(pick(sim, 'breadth')).toEqual([1, 1, 1.5, 2, 2.5]);
      // cascade a lasts 40 s, b is flat at its final value, c (root alone) is left out
      const real = await realGridCurves(db, 5);
      expect(pick(real, 'scale')).toEqual([0.5, 1, 2, 2.5, 3]);
      expect(pick(real, 'depth')).toEqual([0.5, 1, 1.5, 1.5, 2]);
      expect(pick(real, 'breadth')).toEqual([1, 1, 1.5, 2, 2]);
    });
  });

  it('when both sides have cascades then the NRMSE table matches the hand-computed values', async () => {
    const c = await withSimDb(both.dbPath, (db) => compareCascades(db, 5));
    expect(c.sim_cascades).toBe(2);
    expect(c.real_cascades).toBe(2);
    expect(c.grid).toHaveLength(10);
    const byMetric = Object.fromEntries(c.nrmse.map((r) => [r.metric, r]));
    // scale: diffs −.5, −1, −1, 0, 1 → RMSE √.65 over range 2.5
    expect(byMetric['scale']?.nrmse).toBeCloseTo(Math.sqrt(0.65) / 2.5, 12);
    // depth: diffs −.5, −1, −1, −.5, 0 → RMSE √.5 over range 1.5
    expect(byMetric['depth']?.nrmse).toBeCloseTo(Math.sqrt(0.5) / 1.5, 12);
    // breadth: diffs 0, 0, 0, 0, .5 → RMSE √.05 over range 1
    expect(byMetric['breadth']?.nrmse).toBeCloseTo(Math.sqrt(0.05), 12);
    expect(byMetric['scale']).toMatchObject({ sim_final: 4, real_final: 3 });
  });

  it('when there is no real data then NRMSE is null and only simulated curves come back', async () => {
    const c = await withSimDb(simOnly.dbPath, (db) => compareCascades(db, 5));
    expect(c.real_cascades).toBe(0);
    expect(new Set(c.grid.map((g) => g.source))).toEqual(new Set(['sim']));
    expect(c.nrmse.map((r) => [r.metric, r.nrmse, r.real_final])).toEqual([
      ['scale', null, null],
      ['depth', null, null],
      ['breadth', null, null],
    ]);
  });

  it('when asked for fewer than 2 grid points then it refuses', async () => {
    await expect(withSimDb(both.dbPath, (db) => simGridCurves(db, 1))).rejects.toThrow(/grid points/);
  });
});
