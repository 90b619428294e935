import { describe, expect, it } from 'vitest';
import { crossValidatedAuc } from '../../src/analysis/detector.js';
import { histogram, jensenShannon, ksDistance, rocAuc } from '../../src/analysis/divergence.js';
import { fleschReadingEase, styleOf, syllables } from '../../src/analysis/text-features.js';

describe('style features', () => {
  it('when a post mixes a tag, a mention, a link and an emoji then each is counted and the rest is worked out by hand', () => {
    const s = styleOf('Hello WORLD! #news @bob http://x.co 😀');
    // 5 + 1 + 6 + 1 + 5 + 1 + 4 + 1 + 11 + 1 + 1 code points.
    expect(s.length).toBe(37);
    // Words (the link removed): hello, world, news, bob — all distinct.
    expect(s.ttr).toBe(1);
    expect([s.hashtags, s.mentions, s.urls, s.emoji]).toEqual([1, 1, 1, 1]);
    // Letters: Hello 5, WORLD 5, news 4, bob 3, http 4, x 1, co 2 = 24, of which H W O R L D are capitals.
    expect(s.capitals).toBeCloseTo(6 / 24, 12);
    // 4 words, 1 sentence ("!"), syllables hel-lo 2 + world 1 + news 1 + bob 1 = 5.
    expect(s.readability).toBeCloseTo(206.835 - 1.015 * 4 - 84.6 * (5 / 4), 9);
  });

  it('when words repeat or there are none then the type-token ratio and readability say so', () => {
    expect(styleOf('the cat the dog').ttr).toBe(0.75);
    expect(styleOf('😀😀').ttr).toBe(0);
    expect(Number.isNaN(fleschReadingEase('😀 !!'))).toBe(true);
    expect(styleOf('ABC def').capitals).toBe(0.5);
  });

  it('when syllables are counted then vowel groups count, a silent final e does not, and every word has one', () => {
    expect(syllables('make')).toBe(1);
    expect(syllables('table')).toBe(2);
    expect(syllables('the')).toBe(1);
    expect(syllables('beautiful')).toBe(3); // eau, i, u
    expect(syllables('rhythm')).toBe(1); // y
  });
});

describe('distances', () => {
  it('when histograms are binned then values fall in [edge_i, edge_i+1), the ends take what lies beyond, and NaN is skipped', () => {
    // 0, 0.5 and −3 (below) in the first; 1, 1.99 in the second; 2 and 7 (beyond) in the last.
    expect(histogram([0, 0.5, 1, 1.99, 2, 7, -3, Number.NaN], [0, 1, 2, 3])).toEqual([3, 2, 2]);
  });

  it('when two histograms are compared then the Jensen–Shannon divergence is 0 for equal shapes, 1 bit for disjoint ones, and the hand-worked value between', () => {
    expect(jensenShannon([2, 2], [5, 5])).toBe(0);
    expect(jensenShannon([1, 0], [0, 1])).toBe(1);
    // P = (¾, ¼), Q = (¼, ¾), M = (½, ½): KL(P‖M) = ¾·log2(1.5) + ¼·log2(0.5), the same for Q.
    const kl = 0.75 * Math.log2(1.5) + 0.25 * Math.log2(0.5);
    expect(jensenShannon([3, 1], [1, 3])).toBeCloseTo(kl, 12);
    expect(Number.isNaN(jensenShannon([0, 0], [1, 1]))).toBe(true);
  });

  it('when two samples are compared then the KS statistic is the largest gap between their empirical CDFs', () => {
    // F_a − F_b at 1, 2, 3, 4: 1/3, 1/3, 1/3, 0.
    expect(ksDistance([1, 2, 3], [2, 3, 4])).toBeCloseTo(1 / 3, 12);
    expect(ksDistance([1, 2], [3, 4])).toBe(1);
    expect(ksDistance([5, 1, 3], [3, 5, 1])).toBe(0);
  });

  it('when scores are ranked then the AUC is the share of positive–negative pairs the positive wins, ties counting half', () => {
    // Pairs (pos, neg): (0.35, 0.1) win, (0.35, 0.4) loss, (0.8, 0.1) win, (0.8, 0.4) win → 3/4.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(rocAuc([1, 1], [true, false])).toBe(0.5);
    expect(rocAuc([3, 2, 1], [true, true, false])).toBe(1);
  });
});

describe('detector', () => {
  it('when one feature separates the classes then the cross-validated AUC is 1', () => {
    const x: number[][] = [];
    const y: boolean[] = [];
    for (let i = 0; i < 60; i++) {
      const sim = i % 2 === 0;
      x.push([sim ? 0 : 1, (i * 7) % 11]); // a link in every real post; a second, uninformative feature
      y.push(sim);
    }
    const r = crossValidatedAuc(x, y, x.map((_, i) => Math.floor(i / 2) % 5));
    expect(r.folds).toBe(5);
    expect(r.auc).toBe(1);
  });

  it('when every simulated post has a real twin then no detector can tell them apart: AUC 0.5', () => {
    const x: number[][] = [];
    const y: boolean[] = [];
    const fold: number[] = [];
    for (let i = 0; i < 40; i++) {
      const row = [(i * 13) % 17, (i * 5) % 3, i % 2];
      for (const sim of [true, false]) {
        x.push(row);
        y.push(sim);
        fold.push(i % 4);
      }
    }
    expect(crossValidatedAuc(x, y, fold).auc).toBe(0.5);
  });
});
