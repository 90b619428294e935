import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { kthLargest, offerAccepted, TopK } from '../../src/common/top-k.js';

/** Items 0..n-1 with scores from a small range (many ties) and ties = the item itself. */
function randomScores(seed: number, n: number): Float64Array {
  const rng = Rng.derive(seed, 'top-k-test');
  return Float64Array.from({ length: n }, () => rng.int(20) / 4);
}

function naiveBest(scores: Float64Array, k: number, accept: (item: number) => boolean = () => true): number[] {
  return Array.from(scores.keys())
    .filter((i) => accept(i) && scores[i] !== -Infinity)
    .sort((a, b) => scores[b]! - scores[a]! || b - a)
    .slice(0, k);
}

describe('top-k selection', () => {
  it('when offered a stream then TopK keeps the k best, best first, equal scores to the higher tie', () => {
    const best = new TopK(3);
    for (const [item, score, tie] of [[1, 0.5, 1], [2, 0.9, 2], [3, 0.5, 3], [4, 0.1, 4], [5, 0.9, 0]] as const) best.offer(item, score, tie);
    expect(best.rejects(0.5, 2)).toBe(true);
    expect(best.rejects(0.5, 4)).toBe(false);
    expect(best.drain()).toEqual([2, 5, 3]);
    expect(best.size).toBe(0);
  });

  it('when offered many tied scores then TopK matches a full sort', () => {
    for (const seed of [1, 2, 3]) {
      const scores = randomScores(seed, 500);
      const best = new TopK(25);
      scores.forEach((s, i) => best.offer(i, s, i));
      expect(best.drain()).toEqual(naiveBest(scores, 25));
    }
  });

  it('when asked for the k-th largest then kthLargest agrees with sorting, duplicates included', () => {
    for (const seed of [4, 5]) {
      const scores = randomScores(seed, 301);
      const sorted = Array.from(scores).sort((a, b) => b - a);
      for (const k of [1, 7, 150, 301]) expect(kthLargest(scores.slice(), scores.length, k)).toBe(sorted[k - 1]);
    }
  });

  it('when offering through offerAccepted then the result is that of offering every accepted item not scored −∞', () => {
    for (const seed of [6, 7]) {
      const scores = randomScores(seed, 400);
      const items = Int32Array.from(scores.keys());
      const ties = Int32Array.from(scores.keys());
      scores[17] = -Infinity;
      scores[18] = -Infinity;
      for (const accept of [(i: number) => i % 3 !== 0, (i: number) => i > 390, () => true]) {
        const best = new TopK(10);
        offerAccepted(best, items, scores, scores.length, ties, accept, new Float64Array(400));
        expect(best.drain()).toEqual(naiveBest(scores, 10, accept));
      }
    }
  });
});
