import type { Interactions } from '../channel/snapshot.js';
import { Rng } from '../common/rng.js';
import type { RecsysConfig } from '../config/types.js';
import { adamStep, type Moments, zeroMoments } from './learn/adam.js';
import { fillTriples } from './learn/bpr.js';
import { embeddingFeeds } from './learn/feeds.js';
import { buildIndex, unionSorted, uniqueSorted } from './learn/interaction-index.js';
import { layerMean, nodeTables, type NodeTables, type Propagation, propagationOf } from './learn/propagation.js';
import { StateReader, StateWriter } from './learn/state-codec.js';
import { gaussianInit, permutation, remapRows, sigmoid, softplus } from './learn/tables.js';
import type { Recommender, RecommenderOptions } from './types.js';

/**
 * LightGCN (He et al. 2020): layer-0 vectors of users and posts are smoothed over the
 * interaction graph, E_k+1 = Â E_k with Â = D^-½ A D^-½, and the final vector is the mean of
 * layers 0..K; the score is the dot product of final vectors. Only layer 0 is learned, with
 * BPR on the final vectors and Adam. Each refresh continues from the previous one's vectors.
 */

export interface LightGcnParams {
  readonly factors: number;
  readonly layers: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly regularization: number;
}

export const LIGHTGCN_DEFAULTS: LightGcnParams = { factors: 32, layers: 2, epochs: 5, learningRate: 0.01, regularization: 0.001 };

/**
 * Adam steps per epoch; the epoch's edges are split evenly among them. A step propagates over
 * the whole graph 2K times (forward and backward), so the step count, not the batch size, sets
 * the cost: small graphs get up to MAX_STEPS_PER_EPOCH steps (learning visibly within a refresh), large
 * ones as many as fit EPOCH_WORK edge-layers, e.g. 2 per epoch at 500k edges and 2 layers.
 */
export const MAX_STEPS_PER_EPOCH = 16;
const EPOCH_WORK = 2_500_000;

export function stepsPerEpoch(edges: number, layers: number): number {
  return Math.max(1, Math.min(MAX_STEPS_PER_EPOCH, Math.floor(EPOCH_WORK / Math.max(1, edges * layers))));
}

/** The paper's initialisation, N(0, 0.1²). */
const INIT_STD = 0.1;
const STATE_TAG = 'lightgcn/1';

export function lightGcnParams(config: RecsysConfig): LightGcnParams {
  return {
    factors: config.factors ?? LIGHTGCN_DEFAULTS.factors,
    layers: config.layers ?? LIGHTGCN_DEFAULTS.layers,
    epochs: config.epochs ?? LIGHTGCN_DEFAULTS.epochs,
    learningRate: config.learning_rate ?? LIGHTGCN_DEFAULTS.learningRate,
    regularization: config.regularization ?? LIGHTGCN_DEFAULTS.regularization,
  };
}

/** Layer-0 vectors and their Adam moments, rows in ascending id order. */
export interface LightGcnModel {
  users: Int32Array;
  items: Int32Array;
  e0: NodeTables;
  userMoments: Moments;
  itemMoments: Moments;
  /** Adam steps taken so far (bias correction). */
  t: number;
  step: number;
}

export function emptyLightGcn(): LightGcnModel {
  return { users: new Int32Array(0), items: new Int32Array(0), e0: { u: new Float32Array(0), i: new Float32Array(0) }, userMoments: zeroMoments(0), itemMoments: zeroMoments(0), t: 0, step: -1 };
}

/** Grows the model to every user and post of `interactions` and returns the graph over its rows. */
export function coverLightGcn(model: LightGcnModel, interactions: Interactions, seed: number, factors: number): Propagation {
  const users = unionSorted(model.users, uniqueSorted(interactions.users));
  const items = unionSorted(model.items, uniqueSorted(interactions.posts));
  const D = factors;
  const moved = (old: Int32Array, next: Int32Array, m: Moments): Moments => ({ m: remapRows(old, m.m, next, D), v: remapRows(old, m.v, next, D) });
  model.e0 = {
    u: remapRows(model.users, model.e0.u, users, D, gaussianInit(seed, 'recsys-lightgcn-user', D, INIT_STD)),
    i: remapRows(model.items, model.e0.i, items, D, gaussianInit(seed, 'recsys-lightgcn-item', D, INIT_STD)),
  };
  model.userMoments = moved(model.users, users, model.userMoments);
  model.itemMoments = moved(model.items, items, model.itemMoments);
  model.users = users;
  model.items = items;
  return propagationOf(buildIndex(interactions, users, items));
}

/** Scratch tables for a model's training and scoring, allocated once per refresh. */
export interface Workspace {
  final: NodeTables;
  grad: NodeTables;
  cur: NodeTables;
  next: NodeTables;
  triples: Int32Array;
  /** Occurrences of each user and post row in the current batch. */
  countU: Int32Array;
  countI: Int32Array;
}

export function workspaceFor(g: Propagation, factors: number, layers: number): Workspace {
  const batch = Math.ceil(g.index.edges / stepsPerEpoch(g.index.edges, layers));
  return { final: nodeTables(g, factors), grad: nodeTables(g, factors), cur: nodeTables(g, factors), next: nodeTables(g, factors), triples: new Int32Array(3 * batch), countU: new Int32Array(g.index.users.length), countI: new Int32Array(g.index.items.length) };
}

/** The final vectors (mean of layers) into ws.final. */
export function forward(model: LightGcnModel, g: Propagation, params: LightGcnParams, ws: Workspace): NodeTables {
  layerMean(g, model.e0, params.layers, params.factors, ws.final, ws.cur, ws.next);
  return ws.final;
}

/**
 * One epoch: the edges in random order, split into stepsPerEpoch batches; per batch a
 * forward pass, the mean BPR loss and its gradient on the final vectors, that gradient
 * carried back to layer 0 through the same propagation, L2 on the batch's layer-0 rows
 * (as in the paper), and an Adam step. Returns the mean BPR loss over the epoch's triples.
 */
export function lightGcnEpoch(model: LightGcnModel, g: Propagation, params: LightGcnParams, rng: Rng, ws: Workspace): number {
  const { factors: D, regularization: reg } = params;
  const edges = g.index.edges;
  if (edges === 0) return 0;
  const order = permutation(edges, rng);
  const batch = Math.ceil(edges / stepsPerEpoch(edges, params.layers));
  let loss = 0;
  let seen = 0;
  for (let from = 0; from < edges; from += batch) {
    const n = fillTriples(g.index, order, from, Math.min(edges, from + batch), rng, ws.triples);
    if (n === 0) continue;
    const f = forward(model, g, params, ws);
    const G = ws.grad;
    G.u.fill(0);
    G.i.fill(0);
    for (let k = 0; k < n; k++) {
      const pu = ws.triples[3 * k]! * D;
      const pi = ws.triples[3 * k + 1]! * D;
      const pj = ws.triples[3 * k + 2]! * D;
      let x = 0;
      for (let d = 0; d < D; d++) x += f.u[pu + d]! * (f.i[pi + d]! - f.i[pj + d]!);
      loss += softplus(-x);
      const c = -sigmoid(-x) / n;
      for (let d = 0; d < D; d++) {
        const fu = f.u[pu + d]!;
        G.u[pu + d]! += c * (f.i[pi + d]! - f.i[pj + d]!);
        G.i[pi + d]! += c * fu;
        G.i[pj + d]! -= c * fu;
      }
    }
    seen += n;
    // ws.final is free again: it receives the layer-0 gradient.
    const G0 = ws.final;
    layerMean(g, G, params.layers, D, G0, ws.cur, ws.next);
    // L2 on the batch's layer-0 rows, as a sequential pass weighted by how often each row
    // occurs in the batch: the same gradient as per triple, without 3 random row reads each.
    ws.countU.fill(0);
    ws.countI.fill(0);
    for (let k = 0; k < n; k++) {
      ws.countU[ws.triples[3 * k]!]!++;
      ws.countI[ws.triples[3 * k + 1]!]!++;
      ws.countI[ws.triples[3 * k + 2]!]!++;
    }
    addDecay(G0.u, model.e0.u, ws.countU, D, reg / n);
    addDecay(G0.i, model.e0.i, ws.countI, D, reg / n);
    model.t++;
    adamStep(model.e0.u, G0.u, model.userMoments, model.t, params.learningRate);
    adamStep(model.e0.i, G0.i, model.itemMoments, model.t, params.learningRate);
  }
  return seen === 0 ? 0 : loss / seen;
}

/** grad[row] += s · count[row] · e0[row] for every row occurring in the batch. */
function addDecay(grad: Float32Array, e0: Float32Array, count: Int32Array, D: number, s: number): void {
  for (let r = 0; r < count.length; r++) {
    const c = count[r]!;
    if (c === 0) continue;
    const w = s * c;
    const o = r * D;
    for (let d = 0; d < D; d++) grad[o + d]! += w * e0[o + d]!;
  }
}

export function createLightGcn({ seed, feedSize, config }: RecommenderOptions): Recommender {
  const params = lightGcnParams(config);
  const D = params.factors;
  let model = emptyLightGcn();
  return {
    kind: 'lightgcn',
    refresh(snapshot) {
      const g = coverLightGcn(model, snapshot.interactions(), seed, D);
      const ws = workspaceFor(g, D, params.layers);
      for (let e = 0; e < params.epochs; e++) lightGcnEpoch(model, g, params, Rng.derive(seed, 'recsys-lightgcn', snapshot.step, e), ws);
      model.step = snapshot.step;
      const f = forward(model, g, params, ws);
      return embeddingFeeds(snapshot, g.index, f.u, f.i, D, feedSize);
    },
    saveState() {
      const w = new StateWriter(STATE_TAG).number(D).number(model.step).number(model.t).int32s(model.users).int32s(model.items);
      for (const a of [model.e0.u, model.e0.i, model.userMoments.m, model.userMoments.v, model.itemMoments.m, model.itemMoments.v]) w.float32s(a);
      return w.finish();
    },
    loadState(bytes) {
      const r = new StateReader(bytes, STATE_TAG);
      const dim = r.number();
      if (dim !== D) throw new Error(`recsys state: lightgcn saved with ${dim} factors, configured ${D}`);
      const step = r.number();
      const t = r.number();
      const users = r.int32s();
      const items = r.int32s();
      const e0 = { u: r.float32s(), i: r.float32s() };
      const userMoments = { m: r.float32s(), v: r.float32s() };
      const itemMoments = { m: r.float32s(), v: r.float32s() };
      r.end();
      model = { users, items, e0, userMoments, itemMoments, t, step };
    },
  };
}
