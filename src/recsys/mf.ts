import type { Interactions } from '../channel/snapshot.js';
import { Rng } from '../common/rng.js';
import type { RecsysConfig } from '../config/types.js';
import { sampleNegative } from './learn/bpr.js';
import { embeddingFeeds } from './learn/feeds.js';
import { buildIndex, type InteractionIndex, unionSorted, uniqueSorted } from './learn/interaction-index.js';
import { StateReader, StateWriter } from './learn/state-codec.js';
import { gaussianInit, permutation, remapRows, sigmoid, softplus } from './learn/tables.js';
import type { Recommender, RecommenderOptions } from './types.js';

/**
 * Matrix factorisation trained with BPR (Rendle et al. 2009): every user and every post it
 * could have engaged with get a vector; SGD on sampled (user, engaged post, unengaged post)
 * triples pushes u·i above u·j. Each refresh continues from the previous refresh's vectors
 * (warm start) with `epochs` passes over the standing likes and reposts of the whole run.
 */

export interface MfParams {
  readonly factors: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly regularization: number;
}

export const MF_DEFAULTS: MfParams = { factors: 32, epochs: 5, learningRate: 0.05, regularization: 0.001 };

/** Starting spread of a new vector: small, so early dot products stay in sigmoid's linear range. */
const INIT_STD = 0.1;
const STATE_TAG = 'mf/1';

export function mfParams(config: RecsysConfig): MfParams {
  return {
    factors: config.factors ?? MF_DEFAULTS.factors,
    epochs: config.epochs ?? MF_DEFAULTS.epochs,
    learningRate: config.learning_rate ?? MF_DEFAULTS.learningRate,
    regularization: config.regularization ?? MF_DEFAULTS.regularization,
  };
}

/** Vectors of every user and post seen so far, rows in ascending id order. */
export interface MfModel {
  users: Int32Array;
  items: Int32Array;
  userVecs: Float32Array;
  itemVecs: Float32Array;
  /** Step of the last refresh that trained it; -1 before any. */
  step: number;
}

export function emptyMf(): MfModel {
  return { users: new Int32Array(0), items: new Int32Array(0), userVecs: new Float32Array(0), itemVecs: new Float32Array(0), step: -1 };
}

/**
 * Grows the model to every user and post of `interactions` (new rows from the seeded
 * initialiser, known rows kept) and returns the interaction graph over its rows.
 */
export function coverMf(model: MfModel, interactions: Interactions, seed: number, factors: number): InteractionIndex {
  const users = unionSorted(model.users, uniqueSorted(interactions.users));
  const items = unionSorted(model.items, uniqueSorted(interactions.posts));
  model.userVecs = remapRows(model.users, model.userVecs, users, factors, gaussianInit(seed, 'recsys-mf-user', factors, INIT_STD));
  model.itemVecs = remapRows(model.items, model.itemVecs, items, factors, gaussianInit(seed, 'recsys-mf-item', factors, INIT_STD));
  model.users = users;
  model.items = items;
  return buildIndex(interactions, users, items);
}

/**
 * One pass of BPR-SGD: a triple per edge, edges in random order, a uniform negative each.
 * Returns the mean BPR loss −log σ(u·i − u·j) of the triples, each measured before its update.
 */
export function mfEpoch(model: MfModel, index: InteractionIndex, params: MfParams, rng: Rng): number {
  const { factors: D, learningRate: lr, regularization: reg } = params;
  const P = model.userVecs;
  const Q = model.itemVecs;
  const order = permutation(index.edges, rng);
  let loss = 0;
  let n = 0;
  for (let k = 0; k < order.length; k++) {
    const e = order[k]!;
    const u = index.edgeUsers[e]!;
    const j = sampleNegative(index, u, rng);
    if (j < 0) continue;
    const pu = u * D;
    const qi = index.userItems[e]! * D;
    const qj = j * D;
    let x = 0;
    for (let d = 0; d < D; d++) x += P[pu + d]! * (Q[qi + d]! - Q[qj + d]!);
    loss += softplus(-x);
    n++;
    const g = sigmoid(-x);
    for (let d = 0; d < D; d++) {
      const wu = P[pu + d]!;
      const wi = Q[qi + d]!;
      const wj = Q[qj + d]!;
      P[pu + d] = wu + lr * (g * (wi - wj) - reg * wu);
      Q[qi + d] = wi + lr * (g * wu - reg * wi);
      Q[qj + d] = wj + lr * (-g * wu - reg * wj);
    }
  }
  return n === 0 ? 0 : loss / n;
}

export function createMf({ seed, feedSize, config }: RecommenderOptions): Recommender {
  const params = mfParams(config);
  const D = params.factors;
  let model = emptyMf();
  return {
    kind: 'mf',
    refresh(snapshot) {
      const index = coverMf(model, snapshot.interactions(), seed, D);
      for (let e = 0; e < params.epochs; e++) mfEpoch(model, index, params, Rng.derive(seed, 'recsys-mf', snapshot.step, e));
      model.step = snapshot.step;
      return embeddingFeeds(snapshot, index, model.userVecs, model.itemVecs, D, feedSize);
    },
    saveState() {
      return new StateWriter(STATE_TAG)
        .number(D)
        .number(model.step)
        .int32s(model.users)
        .int32s(model.items)
        .float32s(model.userVecs)
        .float32s(model.itemVecs)
        .finish();
    },
    loadState(bytes) {
      const r = new StateReader(bytes, STATE_TAG);
      const dim = r.number();
      if (dim !== D) throw new Error(`recsys state: mf saved with ${dim} factors, configured ${D}`);
      const step = r.number();
      const users = r.int32s();
      const items = r.int32s();
      const userVecs = r.float32s();
      const itemVecs = r.float32s();
      r.end();
      model = { users, items, userVecs, itemVecs, step };
    },
  };
}
