import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { SparseAccumulator } from '../../src/recsys/accumulator.js';

describe('sparse accumulator', () => {
  it.each([
    ['a small key space (dense)', 250_000],
    ['a large key space (hash table)', 1_000_000],
  ])('when rows add values per key over %s then each row gives every key once, summed, in first-added order', (_, keySpace) => {
    const acc = new SparseAccumulator(keySpace);
    const rng = Rng.derive(3, 'accumulator-test');
    // Rows small and large (a hash table starts small and doubles), reusing one accumulator.
    for (const [adds, keys] of [[10, 5], [50_000, 20_000], [3, keySpace], [2_000, 300]] as const) {
      const expected = new Map<number, number>();
      acc.begin(Math.min(adds, 64));
      for (let i = 0; i < adds; i++) {
        const key = rng.int(keys);
        const value = rng.int(8) / 8;
        acc.add(key, value);
        expected.set(key, (expected.get(key) ?? 0) + value);
      }
      const n = acc.end();
      expect(n).toBe(expected.size);
      expect(Array.from(acc.keys.subarray(0, n))).toEqual([...expected.keys()]);
      expect(Array.from(acc.values.subarray(0, n))).toEqual([...expected.values()]);
    }
  });
});
