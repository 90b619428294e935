import { describe, expect, it } from 'vitest';
import { foldIntoUnit, nelderMead, SearchStopped, type BatchObjective } from '../../src/calibrate/nelder-mead.js';

/** A batch objective from a plain function, recording every point it was asked for. */
function objective(fn: (x: readonly number[]) => number): { f: BatchObjective; seen: (readonly number[])[]; batches: number[] } {
  const seen: (readonly number[])[] = [];
  const batches: number[] = [];
  return {
    seen,
    batches,
    f: async (points) => {
      batches.push(points.length);
      seen.push(...points);
      return points.map(fn);
    },
  };
}

const quadratic = (centre: readonly number[]) => (x: readonly number[]): number => x.reduce((s, v, i) => s + (v - centre[i]!) ** 2, 0);
/** Rosenbrock on [-2, 2]², as a function of the unit square: minimum 0 at (1, 1), i.e. u = (0.75, 0.75). */
const rosenbrock = (u: readonly number[]): number => {
  const [x, y] = u.map((v) => -2 + 4 * v) as [number, number];
  return 100 * (y - x * x) ** 2 + (1 - x) ** 2;
};

describe('nelderMead on the unit cube', () => {
  it('when the function is a shifted quadratic in 3-D then it finds the centre within 0.01', async () => {
    const { f } = objective(quadratic([0.2, 0.7, 0.55]));
    const r = await nelderMead(f, { dim: 3, budget: 200, seed: 1 });
    r.best.point.forEach((x, i) => expect(Math.abs(x - [0.2, 0.7, 0.55][i]!)).toBeLessThan(0.01));
    expect(r.evaluations).toHaveLength(200);
  });

  it('when the function is Rosenbrock then it finds its valley’s minimum within 0.02', async () => {
    const { f } = objective(rosenbrock);
    const r = await nelderMead(f, { dim: 2, budget: 400, seed: 7, start: [0.3, 0.4] });
    expect(Math.abs(r.best.point[0]! - 0.75)).toBeLessThan(0.02);
    expect(Math.abs(r.best.point[1]! - 0.75)).toBeLessThan(0.02);
    expect(r.best.value).toBeLessThan(1e-2);
  });

  it('when the minimum lies outside the cube then every evaluated point stays in [0, 1] and the best sits on the nearest face', async () => {
    const { f, seen } = objective(quadratic([1.6, -0.4]));
    const r = await nelderMead(f, { dim: 2, budget: 120, seed: 3, start: [0.9, 0.1] });
    expect(seen.every((p) => p.every((x) => x >= 0 && x <= 1))).toBe(true);
    expect(r.best.point[0]).toBeGreaterThan(0.99);
    expect(r.best.point[1]).toBeLessThan(0.01);
  });

  it('when run twice with one seed then the evaluated points are identical, and other seeds orient the first simplex otherwise', async () => {
    const a = objective(rosenbrock);
    const b = objective(rosenbrock);
    await nelderMead(a.f, { dim: 2, budget: 60, seed: 11 });
    await nelderMead(b.f, { dim: 2, budget: 60, seed: 11 });
    expect(b.seen).toEqual(a.seen);
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const c = objective(rosenbrock);
      await nelderMead(c.f, { dim: 2, budget: 3, seed });
      firsts.add(JSON.stringify(c.seen));
    }
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('when a budget is given then exactly that many points are evaluated, the first d + 1 in one batch', async () => {
    const { f, batches } = objective(quadratic([0.5, 0.5]));
    const r = await nelderMead(f, { dim: 2, budget: 17, seed: 1 });
    expect(r.evaluations).toHaveLength(17);
    expect(batches[0]).toBe(3);
    expect(batches.reduce((s, n) => s + n, 0)).toBe(17);
    await expect(nelderMead(f, { dim: 2, budget: 2, seed: 1 })).rejects.toThrow(/must cover the initial simplex of 3 points/);
  });

  it('when the function is flat then the simplex collapses and restarts instead of spending the budget on shrinks in place', async () => {
    const { f } = objective(() => 1);
    const r = await nelderMead(f, { dim: 2, budget: 200, seed: 5 });
    expect(r.restarts).toBeGreaterThan(0);
    expect(r.evaluations.some((e) => e.kind === 'restart')).toBe(true);
    // Ties go to the earliest point: the start.
    expect(r.best.index).toBe(0);
  });

  it('when the objective stops the search then the error reaches the caller', async () => {
    let calls = 0;
    const f: BatchObjective = async (points) => {
      if (++calls === 3) throw new SearchStopped('stop');
      return points.map(() => 1);
    };
    await expect(nelderMead(f, { dim: 2, budget: 50, seed: 1 })).rejects.toBeInstanceOf(SearchStopped);
  });

  it('when a coordinate leaves [0, 1] then it is mirrored back at the bound', () => {
    expect([foldIntoUnit(-0.2), foldIntoUnit(1.3), foldIntoUnit(0.4), foldIntoUnit(2.5)].map((x) => Number(x.toFixed(12)))).toEqual([0.2, 0.7, 0.4, 0.5]);
  });
});
