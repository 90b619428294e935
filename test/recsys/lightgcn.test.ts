import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { coverLightGcn, createLightGcn, emptyLightGcn, LIGHTGCN_DEFAULTS, lightGcnEpoch, lightGcnParams, MAX_STEPS_PER_EPOCH, stepsPerEpoch, workspaceFor } from '../../src/recsys/lightgcn.js';
import { optionsFor } from '../helpers/recsys.js';
import { communitySnapshot, describeLearned } from './learn/communities.js';

describeLearned('lightgcn', createLightGcn, {});

describe('lightgcn', () => {
  it('when no parameters are given then the documented defaults apply', () => {
    expect(lightGcnParams(optionsFor('lightgcn', 10).config)).toEqual(LIGHTGCN_DEFAULTS);
    expect(LIGHTGCN_DEFAULTS).toEqual({ factors: 32, layers: 2, epochs: 5, learningRate: 0.01, regularization: 0.001 });
  });

  it('when trained epoch after epoch then the BPR loss goes down', () => {
    const model = emptyLightGcn();
    const g = coverLightGcn(model, communitySnapshot().interactions(), 1, 16);
    const params = { ...LIGHTGCN_DEFAULTS, factors: 16 };
    const ws = workspaceFor(g, 16, params.layers);
    const losses = Array.from({ length: 20 }, (_, e) => lightGcnEpoch(model, g, params, Rng.derive(1, 'test', e), ws));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(0.8 * mean(losses.slice(0, 3)));
  });

  it('when the number of layers changes then the feeds still follow the communities', () => {
    for (const layers of [1, 3]) {
      const feeds = createLightGcn(optionsFor('lightgcn', 5, { layers })).refresh(communitySnapshot());
      expect(feeds.get(1)![0], `layers ${layers}`).toBeGreaterThanOrEqual(100);
      expect(feeds.get(1)![0], `layers ${layers}`).toBeLessThan(110);
    }
  });

  it('when the graph grows then an epoch takes fewer, larger Adam steps', () => {
    expect(stepsPerEpoch(60, 2)).toBe(MAX_STEPS_PER_EPOCH);
    expect(stepsPerEpoch(500_000, 2)).toBe(2);
    expect(stepsPerEpoch(5_000_000, 3)).toBe(1);
  });
});
