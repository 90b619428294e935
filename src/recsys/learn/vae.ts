import { Rng } from '../../common/rng.js';
import { type Moments, zeroMoments } from './adam.js';
import { gaussianInit, remapRows } from './tables.js';

/**
 * The Mult-VAE network (Liang et al. 2018) over a vocabulary of V posts:
 *   x̃ = dropout(x / ‖x‖)                      x: the user's 0/1 engagement vector
 *   a = tanh(x̃ W_enc + b_enc)                 H hidden units
 *   [μ, log σ²] = a W_head + b_head           F latent dimensions each
 *   z = μ + ε σ (training) or μ (scoring)
 *   π = softmax(W_dec z + b_dec)              one probability per vocabulary post
 * loss = −Σ_j x_j log π_j + β · KL(N(μ, σ²) ‖ N(0, I)), averaged over a batch of users.
 * The decoder is linear (the paper puts a tanh layer of H units before the output): the
 * output layer dominates the cost, and V·F instead of V·H per user is what makes a full
 * softmax over thousands of posts for 10k users affordable each refresh.
 */
export interface VaeNet {
  /** Post id of each vocabulary row, ascending. */
  vocab: Int32Array;
  /** V × H: the input row of each post. */
  enc: Float32Array;
  /** V × F: the output row of each post. */
  dec: Float32Array;
  /** V. */
  decBias: Float32Array;
  /** H. */
  encBias: Float32Array;
  /** H × 2F: row h holds the μ weights then the log σ² weights. */
  head: Float32Array;
  /** 2F. */
  headBias: Float32Array;
  moments: Record<ParamName, Moments>;
  /** Adam steps so far. */
  t: number;
}

export const PARAM_NAMES = ['enc', 'dec', 'decBias', 'encBias', 'head', 'headBias'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export interface VaeShape {
  readonly hidden: number;
  readonly factors: number;
}

export interface VaeTraining {
  readonly learningRate: number;
  readonly klWeight: number;
  readonly dropout: number;
}

/** Per-post rows start at N(0, 0.1²): with a unit-norm input, the hidden pre-activations start in tanh's linear range. */
const ROW_STD = 0.1;

export function newVaeNet(seed: number, shape: VaeShape): VaeNet {
  const { hidden: H, factors: F } = shape;
  const head = new Float32Array(H * 2 * F);
  // Glorot-normal for the one fixed-size matrix.
  const rng = Rng.derive(seed, 'recsys-multvae-head');
  const std = Math.sqrt(2 / (H + 2 * F));
  for (let k = 0; k < head.length; k++) head[k] = rng.normal() * std;
  const empty = new Float32Array(0);
  const net: VaeNet = { vocab: new Int32Array(0), enc: empty, dec: empty, decBias: empty, encBias: new Float32Array(H), head, headBias: new Float32Array(2 * F), moments: {} as Record<ParamName, Moments>, t: 0 };
  for (const name of PARAM_NAMES) net.moments[name] = zeroMoments(net[name].length);
  return net;
}

/** The net over a new vocabulary: rows of posts kept, new posts' rows from the seeded initialiser, dropped posts forgotten. */
export function revocab(net: VaeNet, vocab: Int32Array, seed: number, shape: VaeShape): void {
  const { hidden: H, factors: F } = shape;
  const old = net.vocab;
  const rows = (name: 'enc' | 'dec' | 'decBias', width: number): void => {
    const init = name === 'decBias' ? undefined : gaussianInit(seed, `recsys-multvae-${name}`, width, ROW_STD);
    net[name] = remapRows(old, net[name], vocab, width, init);
    const m = net.moments[name];
    net.moments[name] = { m: remapRows(old, m.m, vocab, width), v: remapRows(old, m.v, vocab, width) };
  };
  rows('enc', H);
  rows('dec', F);
  rows('decBias', 1);
  net.vocab = vocab;
}

/** Users' engagement vectors over the vocabulary: vocabulary rows of user k are rows[ptr[k] .. ptr[k+1]]. */
export interface VaeInputs {
  readonly users: Int32Array;
  readonly ptr: Int32Array;
  readonly rows: Int32Array;
}

/** Hidden pre-activations, activations and head output of one user. */
export interface Encoded {
  readonly pre: Float64Array;
  readonly a: Float64Array;
  /** [μ, log σ²]. */
  readonly out: Float64Array;
}

export function encodedBuffers(shape: VaeShape): Encoded {
  return { pre: new Float64Array(shape.hidden), a: new Float64Array(shape.hidden), out: new Float64Array(2 * shape.factors) };
}

/** a = tanh(x̃ W_enc + b_enc) and out = [μ, log σ²], for input rows `kept[0 .. nKept)` each weighing `w`. */
export function encode(net: VaeNet, shape: VaeShape, kept: Int32Array, nKept: number, w: number, e: Encoded): void {
  const { hidden: H, factors: F } = shape;
  const { pre, a, out } = e;
  for (let h = 0; h < H; h++) pre[h] = net.encBias[h]!;
  for (let k = 0; k < nKept; k++) {
    const o = kept[k]! * H;
    for (let h = 0; h < H; h++) pre[h]! += w * net.enc[o + h]!;
  }
  for (let h = 0; h < H; h++) a[h] = Math.tanh(pre[h]!);
  const F2 = 2 * F;
  for (let c = 0; c < F2; c++) out[c] = net.headBias[c]!;
  for (let h = 0; h < H; h++) {
    const ah = a[h]!;
    const o = h * F2;
    for (let c = 0; c < F2; c++) out[c]! += ah * net.head[o + c]!;
  }
}

/** μ of every user (no dropout): the vectors the decoder rows are scored against. */
export function latentMeans(net: VaeNet, shape: VaeShape, inputs: VaeInputs): Float32Array {
  const F = shape.factors;
  const n = inputs.users.length;
  const e = encodedBuffers(shape);
  const mu = new Float32Array(n * F);
  for (let k = 0; k < n; k++) {
    const from = inputs.ptr[k]!;
    const count = inputs.ptr[k + 1]! - from;
    encode(net, shape, inputs.rows.subarray(from, from + count), count, 1 / Math.sqrt(count), e);
    for (let f = 0; f < F; f++) mu[k * F + f] = e.out[f]!;
  }
  return mu;
}
