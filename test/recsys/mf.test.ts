import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { coverMf, createMf, emptyMf, MF_DEFAULTS, mfEpoch, mfParams } from '../../src/recsys/mf.js';
import { optionsFor } from '../helpers/recsys.js';
import { B_LIKE, communitySnapshot, describeLearned, FRESH_POST } from './learn/communities.js';

// A few refreshes' worth of training in one: SGD from a cold start needs more passes than
// the 5 a warm-started refresh gets.
describeLearned('mf', createMf, { epochs: 60 });

describe('mf', () => {
  it('when no parameters are given then the documented defaults apply', () => {
    expect(mfParams(optionsFor('mf', 10).config)).toEqual(MF_DEFAULTS);
    expect(MF_DEFAULTS).toEqual({ factors: 32, epochs: 5, learningRate: 0.05, regularization: 0.001 });
  });

  it('when trained epoch after epoch then the BPR loss goes down', () => {
    const model = emptyMf();
    const index = coverMf(model, communitySnapshot().interactions(), 1, 16);
    const params = { ...MF_DEFAULTS, factors: 16 };
    const losses = Array.from({ length: 40 }, (_, e) => mfEpoch(model, index, params, Rng.derive(1, 'test', e)));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
  });

  it('when refreshed step after step with the default 5 epochs then the warm start lets the communities emerge', () => {
    const rec = createMf(optionsFor('mf', 12));
    let feeds = rec.refresh(communitySnapshot(0));
    for (let step = 1; step < 12; step++) feeds = rec.refresh(communitySnapshot(step));
    const feed = feeds.get(B_LIKE)!;
    expect(feed.slice(0, 8).sort()).toEqual([203, 204, 205, 206, 207, 208, 209, FRESH_POST]);
  });

  it('when new users and posts appear then known vectors are kept and new ones added', () => {
    const model = emptyMf();
    coverMf(model, communitySnapshot().interactions(), 1, 4);
    const before = model.itemVecs.slice(model.items.indexOf(109) * 4, model.items.indexOf(109) * 4 + 4);
    coverMf(model, communitySnapshot(11, [[40, 109], [40, 400]]).interactions(), 1, 4);
    expect(model.users).toContain(40);
    expect(model.items).toContain(400);
    expect(model.itemVecs.slice(model.items.indexOf(109) * 4, model.items.indexOf(109) * 4 + 4)).toEqual(before);
  });
});
