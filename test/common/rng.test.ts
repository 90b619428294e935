import { describe, expect, it } from 'vitest';
import { combineSeed, Rng } from '../../src/common/rng.js';

const draws = (r: Rng, n: number): number[] => Array.from({ length: n }, () => r.nextU32());

describe('Rng', () => {
  it('when derived from the same parts then two generators give the same stream', () => {
    expect(draws(Rng.derive(7, 'policy', 3, 12), 100)).toEqual(draws(Rng.derive(7, 'policy', 3, 12), 100));
    expect(draws(new Rng(123), 50)).toEqual(draws(new Rng(123), 50));
  });

  it('when any part differs (value, type or order) then the stream differs', () => {
    const base = draws(Rng.derive(7, 'policy', 3, 12), 10);
    for (const other of [
      Rng.derive(8, 'policy', 3, 12),
      Rng.derive(7, 'policz', 3, 12),
      Rng.derive(7, 'policy', 4, 12),
      Rng.derive(7, 'policy', 3, 13),
      Rng.derive(7, 'policy', 12, 3),
      Rng.derive(7, 'policy', 3),
      Rng.derive(7, 'policy', 3, 12, 0),
    ]) {
      expect(draws(other, 10)).not.toEqual(base);
    }
  });

  it('when a deriver is keyed by a prefix then each generator it gives is the one derive gives for prefix and last part', () => {
    const ofAgent = Rng.deriver(7, 'policy', 3);
    for (const last of [0, 12, -5, 2 ** 40 + 3, 'x']) expect(draws(ofAgent(last), 20)).toEqual(draws(Rng.derive(7, 'policy', 3, last), 20));
    expect(draws(Rng.deriver()(9), 5)).toEqual(draws(Rng.derive(9), 5));
  });

  it('when consecutive agent ids are derived then their seeds are all distinct', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => combineSeed([1, 'activation', 5, i])));
    expect(seeds.size).toBe(10_000);
  });

  it('when next() is drawn then values lie in [0, 1) with mean ≈ 0.5', () => {
    const r = new Rng(1);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });

  it('when int(n) is drawn then it is an integer in [0, n) and every value occurs about equally', () => {
    const r = Rng.derive(2, 'int');
    for (const n of [1, 2, 7, 10]) {
      const counts = new Array<number>(n).fill(0);
      const N = 5000 * n;
      for (let i = 0; i < N; i++) {
        const k = r.int(n);
        if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`int(${n}) gave ${k}`);
        counts[k]!++;
      }
      for (const c of counts) {
        expect(c).toBeGreaterThan(0.9 * 5000);
        expect(c).toBeLessThan(1.1 * 5000);
      }
    }
  });

  it('when chance(p) is drawn then it succeeds about p of the time, never for 0 and always for 1', () => {
    const r = new Rng(3);
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (r.chance(0.3)) hits++;
    expect(hits / 20_000).toBeGreaterThan(0.29);
    expect(hits / 20_000).toBeLessThan(0.31);
    for (let i = 0; i < 1000; i++) {
      if (r.chance(0)) throw new Error('chance(0) succeeded');
      if (!r.chance(1)) throw new Error('chance(1) failed');
    }
  });

  it('when sample(k) is drawn then it returns k distinct items of the list', () => {
    const r = new Rng(4);
    const items = Array.from({ length: 30 }, (_, i) => i * 10);
    for (let t = 0; t < 200; t++) {
      const k = t % 31;
      const s = r.sample(items, k);
      expect(s).toHaveLength(k);
      expect(new Set(s).size).toBe(k);
      expect(s.every((x) => items.includes(x))).toBe(true);
    }
  });

  it('when sample(k) asks for more than the list holds then it returns the whole list, shuffled, without touching the input', () => {
    const r = new Rng(5);
    const items = [1, 2, 3, 4, 5];
    const s = r.sample(items, 10);
    expect([...s].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(r.sample([], 3)).toEqual([]);
  });

  it('when sample draws one item many times then each item is about equally likely', () => {
    const r = new Rng(6);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[r.sample([0, 1, 2, 3, 4], 2)[1]!]!++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('when pick is called then it returns an item of the list and throws on an empty one', () => {
    const r = new Rng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(r.pick(['a', 'b', 'c']));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
    expect(() => r.pick([])).toThrow(/empty/);
  });

  for (const [a, b] of [
    [2, 5],
    [0.5, 0.5],
    [0.8, 3.2],
    [10, 2],
  ] as const) {
    it(`when beta(${a}, ${b}) is drawn then values are in [0, 1] with mean ≈ a/(a+b)`, () => {
      const r = Rng.derive(8, 'beta', a, b);
      let sum = 0;
      const N = 20_000;
      for (let i = 0; i < N; i++) {
        const x = r.beta(a, b);
        if (!(x >= 0 && x <= 1)) throw new Error(`beta gave ${x}`);
        sum += x;
      }
      expect(Math.abs(sum / N - a / (a + b))).toBeLessThan(0.01);
    });
  }

  it('when gamma(shape) is drawn then its mean ≈ shape, also below 1', () => {
    const r = new Rng(9);
    for (const shape of [0.5, 1, 3]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += r.gamma(shape);
      expect(Math.abs(sum / 20_000 - shape)).toBeLessThan(0.05 * shape + 0.01);
    }
  });

  it('when normal() is drawn then mean ≈ 0 and variance ≈ 1', () => {
    const r = new Rng(10);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });

  it('when integer seed parts differ, including negatives and values past 2^32, then the seeds differ', () => {
    const seeds = [-1, 0, 1, 4294967296, 4294967297, -4294967296, 2 ** 40].map((n) => combineSeed([n, 'policy', 3, 5]));
    expect(new Set(seeds).size).toBe(seeds.length);
    expect(combineSeed([1])).not.toBe(combineSeed(['1']));
  });
});
