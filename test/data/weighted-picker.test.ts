import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { WeightedPicker } from '../../src/data/follow-graph.js';

/** The pick the slice table must reproduce: the first index whose cumulative weight exceeds the target, by binary search over everything. */
function plainPick(items: Int32Array, weights: Float64Array, rng: Rng): number {
  const cumulative = new Float64Array(items.length);
  let sum = 0;
  items.forEach((item, k) => (cumulative[k] = sum += weights[item]!));
  const target = rng.next() * sum;
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! <= target) lo = mid + 1;
    else hi = mid;
  }
  return items[lo]!;
}

describe('WeightedPicker', () => {
  it('when there are more items than table slices then every pick equals the plain search over the whole array', () => {
    const n = 200_000;
    const draw = new Rng(5);
    // Heavy-tailed weights with zeros among them, as influence and empty accounts give.
    const weights = Float64Array.from({ length: n }, () => (draw.chance(0.1) ? 0 : Math.pow(1 - draw.next(), -1 / 1.5)));
    const items = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const picker = new WeightedPicker(items, weights);
    const a = new Rng(9);
    const b = new Rng(9);
    const picks: number[] = [];
    const expected: number[] = [];
    for (let k = 0; k < 200; k++) {
      picks.push(picker.pick(a));
      expected.push(plainPick(items, weights, b));
    }
    expect(picks).toEqual(expected);
    expect(new Set(picks).size).toBeGreaterThan(150);
  });

  it('when every weight is zero then it picks the last item, as the plain search does', () => {
    const items = Int32Array.from([3, 1, 2]);
    expect(new WeightedPicker(items, new Float64Array(4)).pick(new Rng(1))).toBe(2);
  });
});
