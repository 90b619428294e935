import { describe, expect, it } from 'vitest';
import type { HerdingArmName, HerdingPoint, HerdingResult } from '../../src/analysis/herding.js';
import { herdingChart } from '../../src/report/sections/herding.js';
import { herdingOverSeeds, type RunHerding } from '../../src/sweep/herding.js';
import { renderLines } from '../helpers/vega.js';

/** A run's result with only the agents' measure: arm → [mean at age 0, mean at age 1]; horizon 1. */
function run(group: string, runId: string, means: Record<HerdingArmName, [number, number]>, effects: { up: number; down: number }): RunHerding {
  const series: HerdingPoint[] = (Object.entries(means) as [HerdingArmName, [number, number]][]).flatMap(([arm, m]) =>
    m.map((mean, age) => ({ arm, age, measure: 'agents' as const, posts: 10, mean, sd: 1, lo: mean - 1, hi: mean + 1 })),
  );
  const result: HerdingResult = {
    horizon: 1,
    enrolled: { up: 10, down: 10, control: 10 },
    series,
    final: series.filter((p) => p.age === 1),
    effects: [
      { arm: 'up', measure: 'agents', diff: effects.up, lo: effects.up - 1, hi: effects.up + 1 },
      { arm: 'down', measure: 'agents', diff: effects.down, lo: effects.down - 1, hi: effects.down + 1 },
    ],
  };
  return { group, runId, result };
}

const T1 = 12.706; // t95, 1 degree of freedom (two seeds)

describe('herdingOverSeeds', () => {
  it('when seeds are the replicates then each arm’s mean is the mean of the runs’ means, with a t-interval over seeds, and the differences are averaged per run', () => {
    const runs = [
      run('all runs', 'a', { up: [0, 2], down: [0, 1], control: [0, 1] }, { up: 1, down: 0 }),
      run('all runs', 'b', { up: [0, 4], down: [0, 1], control: [0, 2] }, { up: 2, down: -1 }),
    ];
    const { points, groups } = herdingOverSeeds(runs);
    // up at age 1: runs 2 and 4 → mean 3, sd √2, half-width 12.706 · √2 / √2.
    expect(points.find((p) => p.arm === 'up' && p.age === 1)).toEqual({ arm: 'up', age: 1, measure: 'agents', mean: 3, lo: 3 - T1, hi: 3 + T1, n: 2 });
    // down at age 1: 1 and 1 → no spread.
    expect(points.find((p) => p.arm === 'down' && p.age === 1)).toEqual({ arm: 'down', age: 1, measure: 'agents', mean: 1, lo: 1, hi: 1, n: 2 });
    expect(points.map((p) => `${p.arm}${p.age}`)).toEqual(['up0', 'up1', 'down0', 'down1', 'control0', 'control1']);
    expect(groups).toHaveLength(1);
    const g = groups[0]!;
    expect(g).toMatchObject({ group: 'all runs', horizon: 1, runs: 2 });
    expect(g.final.find((f) => f.arm === 'control')).toEqual({ arm: 'control', measure: 'agents', n: 2, mean: 1.5, lo: 1.5 - T1 * 0.5, hi: 1.5 + T1 * 0.5 });
    // up − control per run: 1 and 2 → 1.5, sd 1/√2, half-width 12.706 · 0.5; down − control: 0 and −1.
    const [up, down] = g.effects;
    expect(up).toMatchObject({ arm: 'up', measure: 'agents', n: 2, mean: 1.5 });
    expect(up!.lo).toBeCloseTo(1.5 - T1 * 0.5, 10);
    expect(up!.hi).toBeCloseTo(1.5 + T1 * 0.5, 10);
    expect(down).toMatchObject({ arm: 'down', mean: -0.5 });
  });

  it('when other parameters are swept then each combination is averaged apart and drawn in its own row, without a vega warning', async () => {
    const runs = [
      run('recsys.kind=twitter', 'a', { up: [0, 5], down: [0, 1], control: [0, 1] }, { up: 4, down: 0 }),
      run('recsys.kind=twitter', 'b', { up: [0, 7], down: [0, 2], control: [0, 2] }, { up: 5, down: 0 }),
      run('recsys.kind=random', 'c', { up: [0, 2], down: [0, 1], control: [0, 1] }, { up: 1, down: 0 }),
    ];
    const { points, groups } = herdingOverSeeds(runs);
    expect(groups.map((g) => [g.group, g.runs])).toEqual([['recsys.kind=twitter', 2], ['recsys.kind=random', 1]]);
    expect(points.find((p) => p.group === 'recsys.kind=twitter' && p.arm === 'up' && p.age === 1)?.mean).toBe(6);
    // One run: its mean, no interval.
    expect(points.find((p) => p.group === 'recsys.kind=random' && p.arm === 'up' && p.age === 1)).toMatchObject({ mean: 2, lo: 2, hi: 2, n: 1 });
    const { messages, lines } = await renderLines(herdingChart(points, { nTitle: 'seeds', intervalOver: 'over seeds' }));
    expect(messages).toEqual([]);
    expect(lines).toEqual([2, 2, 2, 2, 2, 2]); // two groups × three arms, one measure, ages 0-1
  });
});
