import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { newVaeNet, PARAM_NAMES, revocab } from '../../src/recsys/learn/vae.js';
import { batchGradient, vaeEpoch, vaeWork } from '../../src/recsys/learn/vae-train.js';
import { chooseVocabulary, createMultVae, MAX_VOCAB, MIN_VOCAB, MULTVAE_DEFAULTS, multVaeParams, vaeInputs, vocabularyCap } from '../../src/recsys/multvae.js';
import { optionsFor } from '../helpers/recsys.js';
import { communitySnapshot, describeLearned, FRESH_POST } from './learn/communities.js';

describeLearned('multvae', createMultVae, {});

const shape = { hidden: 8, factors: 5 };

function smallNet() {
  const snap = communitySnapshot();
  const net = newVaeNet(1, shape);
  revocab(net, chooseVocabulary(snap, snap.interactions()), 1, shape);
  return { net, inputs: vaeInputs(snap.interactions(), net.vocab) };
}

describe('multvae', () => {
  it('when no parameters are given then the documented defaults apply', () => {
    expect(multVaeParams(optionsFor('multvae', 10).config)).toEqual(MULTVAE_DEFAULTS);
    expect(MULTVAE_DEFAULTS).toEqual({ factors: 32, hidden: 128, epochs: 5, learningRate: 0.01, klWeight: 0.2, dropout: 0.5 });
  });

  it('when trained epoch after epoch then the loss goes down', () => {
    const { net, inputs } = smallNet();
    const train = { ...MULTVAE_DEFAULTS };
    const losses = Array.from({ length: 30 }, (_, e) => vaeEpoch(net, shape, train, inputs, Rng.derive(1, 'test', e)));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.9 * mean(losses.slice(0, 5)));
  });

  it('when a weight is nudged then the loss moves as the back-propagated gradient says', () => {
    const { net, inputs } = smallNet();
    const train = { ...MULTVAE_DEFAULTS, dropout: 0.3 };
    const work = vaeWork(net, shape, inputs);
    const batch = [0, 3, 7, 8, 10];
    const loss = (): number => batchGradient(net, shape, train, inputs, batch, Rng.derive(5, 'same draws'), work);
    loss();
    const grads = Object.fromEntries(PARAM_NAMES.map((n) => [n, work.grads[n].slice()]));
    const h = 1e-2;
    for (const name of PARAM_NAMES) {
      for (const at of [0, 5, net[name].length - 1]) {
        const w = net[name][at]!;
        net[name][at] = w + h;
        const up = loss();
        net[name][at] = w - h;
        const down = loss();
        net[name][at] = w;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(grads[name]![at]! - numeric), `${name}[${at}]: ${grads[name]![at]} vs ${numeric}`).toBeLessThan(1e-3 + 1e-2 * Math.abs(numeric));
      }
    }
  });

  it('when candidates outnumber the cap then the vocabulary keeps the most engaged and a share of older posts', () => {
    const snap = communitySnapshot();
    const vocab = [...chooseVocabulary(snap, snap.interactions(), 8)];
    expect(vocab).toHaveLength(8);
    // Two older posts (50–59) and the six most-engaged candidates, ties to the newer id.
    expect(vocab.filter((p) => p < 100)).toHaveLength(2);
    expect(vocab).toContain(209);
    expect(vocab).not.toContain(FRESH_POST);
    expect(vocab).toEqual([...vocab].sort((a, b) => a - b));
  });

  it('when the number of users grows then the vocabulary shrinks, within its bounds', () => {
    expect(vocabularyCap(100)).toBe(MAX_VOCAB);
    expect(vocabularyCap(10_000)).toBe(2_000);
    expect(vocabularyCap(1_000_000)).toBe(MIN_VOCAB);
  });
});
