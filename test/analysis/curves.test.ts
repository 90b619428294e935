import { describe, expect, it } from 'vitest';
import { finalFigures, gridFor, gridMinutes, nrmse, nrmseByRange, rmse, treeCurves, type Curves, type TimedNode } from '../../src/analysis/curves.js';

/**
 * A tree read the reference way, worked out by hand (times in minutes):
 *
 *   R (0) ─┬─ A (1) ── B (2) ── D (4)
 *          ├─ C (2)
 *          └─ F (5) ── E (3)    E's row says it joined before its parent F (real data does this)
 *
 * scale counts every user whose time has come (R included): 1 2 4 5 6 7 at minutes 0..5.
 * depth and breadth see only users reachable from R through users already there, so E counts
 * there from minute 5: depth 0 1 2 2 3 3; max breadth (levels below R) 0 1 2 2 2 3
 * (minute 2: A, C at depth 1; minute 5: A, C, F at depth 1).
 */
/** The curves as plain arrays, for comparing with literals. */
const plain = (c: Curves): { scale: number[]; depth: number[]; breadth: number[] } => ({ scale: [...c.scale], depth: [...c.depth], breadth: [...c.breadth] });

const TREE: TimedNode[] = [
  { t: 0, depth: 0, parent: -1 }, // R
  { t: 1, depth: 1, parent: 0 }, // A
  { t: 2, depth: 2, parent: 1 }, // B
  { t: 2, depth: 1, parent: 0 }, // C
  { t: 4, depth: 3, parent: 2 }, // D
  { t: 3, depth: 2, parent: 6 }, // E
  { t: 5, depth: 1, parent: 0 }, // F
];

describe('cascade curves on an absolute minute axis', () => {
  it('when a tree is read every minute then scale counts the root, depth and breadth wait for the path from the root', () => {
    expect(plain(treeCurves(TREE, { stepMin: 1, points: 6 }))).toEqual({
      scale: [1, 2, 4, 5, 6, 7],
      depth: [0, 1, 2, 2, 3, 3],
      breadth: [0, 1, 2, 2, 2, 3],
    });
  });

  it('when the horizon runs past the last join then the curves hold their last value (padding)', () => {
    const c = plain(treeCurves(TREE, { stepMin: 1, points: 9 }));
    expect(c.scale.slice(5)).toEqual([7, 7, 7, 7]);
    expect(c.breadth.slice(5)).toEqual([3, 3, 3, 3]);
  });

  it('when the root is alone then scale is 1 and depth and max breadth are 0', () => {
    expect(plain(treeCurves([{ t: 0, depth: 0, parent: -1 }], { stepMin: 1, points: 3 }))).toEqual({ scale: [1, 1, 1], depth: [0, 0, 0], breadth: [0, 0, 0] });
    expect(finalFigures(TREE)).toEqual({ scale: 7, depth: 3, breadth: 3 });
  });

  it('when steps are coarser than a minute then the grid steps by the step length, up to the horizon', () => {
    expect(gridFor(150 * 60_000, 60_000)).toEqual({ stepMin: 1, points: 150 });
    expect(gridFor(150 * 60_000, 30_000)).toEqual({ stepMin: 1, points: 150 });
    expect(gridFor(150 * 60_000, 3 * 60_000)).toEqual({ stepMin: 3, points: 50 });
    expect(gridFor(150 * 60_000, 3_600_000)).toEqual({ stepMin: 60, points: 3 });
    expect(gridMinutes(gridFor(150 * 60_000, 3_600_000))).toEqual([0, 60, 120]);
    // read at minutes 0, 3: D (4) is not there yet
    expect([...treeCurves(TREE, { stepMin: 3, points: 2 }).scale]).toEqual([1, 5]);
  });
});

describe('the reference NRMSE', () => {
  it('when curves differ then it is the RMSE over the real curve’s maximum', () => {
    // diffs 0, −1, −2, −2, −3, −4: squares sum to 34 over 6 points; real max 7
    const sim = [1, 1, 2, 3, 3, 3];
    const real = [1, 2, 4, 5, 6, 7];
    expect(rmse(sim, real)).toBeCloseTo(Math.sqrt(34 / 6), 12);
    expect(nrmse(sim, real)).toBeCloseTo(Math.sqrt(34 / 6) / 7, 12);
    // the extra column divides by the range (7 − 1) instead
    expect(nrmseByRange(sim, real)).toBeCloseTo(Math.sqrt(34 / 6) / 6, 12);
  });

  it('when the real curve is 0 throughout then there is nothing to normalise by', () => {
    expect(nrmse([0, 1], [0, 0])).toBeNull();
    expect(nrmse([3, 3], [3, 3])).toBe(0);
    expect(nrmseByRange([3, 4], [3, 3])).toBeNull();
  });

  it('when the lengths differ then it throws (a bug in the caller)', () => {
    expect(() => nrmse([1], [1, 2])).toThrow(/length/);
  });
});
