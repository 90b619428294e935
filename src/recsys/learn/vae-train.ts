import type { Rng } from '../../common/rng.js';
import { adamStep } from './adam.js';
import { scoreBlock } from './rank.js';
import { permutation } from './tables.js';
import { encode, encodedBuffers, type Encoded, PARAM_NAMES, type ParamName, type VaeInputs, type VaeNet, type VaeShape, type VaeTraining } from './vae.js';

/**
 * Training of the Mult-VAE network (see vae.ts for the model and loss). Users go through
 * the decoder four at a time: the output layer (V rows of F weights, read for the logits and
 * read again with its gradient written for the backward pass) is the whole cost, and one
 * sweep over it serves four users, as the scoring kernel's register block does.
 */

/** Largest number of users per Adam step. */
const MAX_BATCH = 256;
/** Fewest Adam steps per epoch, so that a small run still learns at each refresh. */
const MIN_STEPS = 8;
const GROUP = 4;

/** One user of a group: its dropped-out input, encoder state and latent draw. */
interface Slot {
  readonly kept: Int32Array;
  nKept: number;
  /** Input weight of each kept row: 1/‖x‖, rescaled by dropout. */
  w: number;
  readonly enc: Encoded;
  readonly eps: Float64Array;
  readonly dout: Float64Array;
  readonly dpre: Float64Array;
  /** Σ exp(logit − max) over the vocabulary. */
  sum: number;
}

/** Gradient buffers (one per parameter table) and scratch, reused across batches. */
export interface VaeWork {
  readonly grads: Record<ParamName, Float32Array>;
  readonly slots: readonly Slot[];
  /** GROUP × F latent draws, as the scoring kernel wants them. */
  readonly z: Float32Array;
  readonly dz: Float64Array;
  /** GROUP × V logits, then exp(logit − max). */
  readonly logits: Float32Array;
}

export function vaeWork(net: VaeNet, shape: VaeShape, inputs: VaeInputs): VaeWork {
  const { hidden: H, factors: F } = shape;
  let maxItems = 0;
  for (let k = 0; k + 1 < inputs.ptr.length; k++) maxItems = Math.max(maxItems, inputs.ptr[k + 1]! - inputs.ptr[k]!);
  const grads = {} as Record<ParamName, Float32Array>;
  for (const name of PARAM_NAMES) grads[name] = new Float32Array(net[name].length);
  const slots = Array.from({ length: GROUP }, (): Slot => ({ kept: new Int32Array(maxItems), nKept: 0, w: 0, enc: encodedBuffers(shape), eps: new Float64Array(F), dout: new Float64Array(2 * F), dpre: new Float64Array(H), sum: 0 }));
  return { grads, slots, z: new Float32Array(GROUP * F), dz: new Float64Array(GROUP * F), logits: new Float32Array(GROUP * net.vocab.length) };
}

/**
 * The batch-mean loss of users `batch` (indexes into `inputs`) and its gradient, left in
 * work.grads. Dropout masks and ε come from `rng` in user order, so the same rng state
 * gives the same loss.
 */
export function batchGradient(net: VaeNet, shape: VaeShape, train: VaeTraining, inputs: VaeInputs, batch: ArrayLike<number>, rng: Rng, work: VaeWork): number {
  for (const name of PARAM_NAMES) work.grads[name].fill(0);
  let total = 0;
  const scale = 1 / batch.length;
  const group: number[] = [];
  for (let k = 0; k < batch.length; k += GROUP) {
    group.length = 0;
    for (let b = k; b < Math.min(batch.length, k + GROUP); b++) group.push(batch[b]!);
    total += groupPass(net, shape, train, inputs, group, scale, rng, work);
  }
  return total * scale;
}

/**
 * One epoch: users in random order, in batches of ⌈users / 8⌉ (at most 256), an Adam step per
 * batch on the batch-mean loss. Returns the mean loss per user over the epoch.
 */
export function vaeEpoch(net: VaeNet, shape: VaeShape, train: VaeTraining, inputs: VaeInputs, rng: Rng): number {
  const n = inputs.users.length;
  if (n === 0 || net.vocab.length === 0) return 0;
  const work = vaeWork(net, shape, inputs);
  const order = permutation(n, rng);
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(n / MIN_STEPS)));
  let total = 0;
  for (let from = 0; from < n; from += size) {
    const batch = order.subarray(from, Math.min(n, from + size));
    total += batchGradient(net, shape, train, inputs, batch, rng, work) * batch.length;
    net.t++;
    for (const name of PARAM_NAMES) adamStep(net[name], work.grads[name], net.moments[name], net.t, train.learningRate);
  }
  return total / n;
}

/** Forward and backward for up to GROUP users; adds scale × their gradients to work.grads, returns their summed loss. */
function groupPass(net: VaeNet, shape: VaeShape, train: VaeTraining, inputs: VaeInputs, users: readonly number[], scale: number, rng: Rng, work: VaeWork): number {
  const { factors: F } = shape;
  const V = net.vocab.length;
  const nb = users.length;
  const { slots, z, dz, logits } = work;
  const beta = train.klWeight;
  const keep = 1 - train.dropout;
  let loss = 0;

  // Encoder and reparameterised draw, user by user; missing users of a short group get z = 0.
  z.fill(0);
  for (let b = 0; b < nb; b++) {
    const s = slots[b]!;
    const from = inputs.ptr[users[b]!]!;
    const count = inputs.ptr[users[b]! + 1]! - from;
    s.nKept = 0;
    for (let k = 0; k < count; k++) if (keep >= 1 || rng.next() < keep) s.kept[s.nKept++] = inputs.rows[from + k]!;
    // Normalise by the full count, then drop: dropout rescales survivors by 1/keep.
    s.w = 1 / Math.sqrt(count) / (keep > 0 ? keep : 1);
    encode(net, shape, s.kept, s.nKept, s.w, s.enc);
    const out = s.enc.out;
    for (let f = 0; f < F; f++) {
      const mu = out[f]!;
      const lv = out[F + f]!;
      s.eps[f] = rng.normal();
      z[b * F + f] = mu + s.eps[f]! * Math.exp(lv / 2);
      loss += beta * 0.5 * (-lv + Math.exp(lv) + mu * mu - 1);
    }
  }

  // Decoder forward: logits, then softmax numerators in place; −Σ_j log π_j over the targets.
  scoreBlock(z, 0, nb, net.dec, V, F, logits);
  for (let b = 0; b < nb; b++) {
    const row = logits.subarray(b * V, b * V + V);
    let max = -Infinity;
    for (let v = 0; v < V; v++) {
      const x = row[v]! + net.decBias[v]!;
      row[v] = x;
      if (x > max) max = x;
    }
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = Math.exp(row[v]! - max);
      row[v] = e;
      sum += e;
    }
    slots[b]!.sum = sum;
    const from = inputs.ptr[users[b]!]!;
    const to = inputs.ptr[users[b]! + 1]!;
    // A numerator that underflowed float32 counts as the smallest double, not −∞.
    for (let k = from; k < to; k++) loss -= Math.log(row[inputs.rows[k]!]! / sum || Number.MIN_VALUE);
  }

  // Decoder backward, dense part: d loss / d logit_bv = count_b · π_bv (the −x_bv part below),
  // written over the softmax numerators; then both products with it.
  for (let b = 0; b < nb; b++) {
    const c = ((inputs.ptr[users[b]! + 1]! - inputs.ptr[users[b]!]!) * scale) / slots[b]!.sum;
    const row = logits.subarray(b * V, b * V + V);
    for (let v = 0; v < V; v++) row[v]! *= c;
  }
  if (nb < GROUP) logits.fill(0, nb * V);
  for (let v = 0; v < V; v++) work.grads.decBias[v]! += logits[v]! + logits[V + v]! + logits[2 * V + v]! + logits[3 * V + v]!;
  denseDecoderBackward(net.dec, work.grads.dec, logits, z, dz, V, F);
  // The −x part, then the latent, head and encoder, user by user.
  const gDec = work.grads.dec;
  const gBias = work.grads.decBias;
  const dec = net.dec;
  for (let b = 0; b < nb; b++) {
    const s = slots[b]!;
    const zb = b * F;
    for (let k = inputs.ptr[users[b]!]!; k < inputs.ptr[users[b]! + 1]!; k++) {
      const o = inputs.rows[k]! * F;
      gBias[inputs.rows[k]!]! -= scale;
      for (let f = 0; f < F; f++) {
        dz[zb + f]! -= scale * dec[o + f]!;
        gDec[o + f]! -= scale * z[zb + f]!;
      }
    }
    encoderBackward(net, shape, beta * scale, s, dz.subarray(zb, zb + F), work.grads);
  }
  return loss;
}

/**
 * dz_b = Σ_v G[b,v] · dec_v and gDec_v += Σ_b G[b,v] · z_b for the four users of a group,
 * four latent dimensions at a time: the 16 dz sums and 16 z values stay in locals while a
 * pass over the vocabulary reads each G value, decoder weight and gradient once per block.
 */
function denseDecoderBackward(dec: Float32Array, gDec: Float32Array, G: Float32Array, z: Float32Array, dz: Float64Array, V: number, F: number): void {
  const V2 = 2 * V;
  const V3 = 3 * V;
  const F4 = F & ~3;
  for (let f = 0; f < F4; f += 4) {
    const z00 = z[f]!, z01 = z[f + 1]!, z02 = z[f + 2]!, z03 = z[f + 3]!;
    const z10 = z[F + f]!, z11 = z[F + f + 1]!, z12 = z[F + f + 2]!, z13 = z[F + f + 3]!;
    const z20 = z[2 * F + f]!, z21 = z[2 * F + f + 1]!, z22 = z[2 * F + f + 2]!, z23 = z[2 * F + f + 3]!;
    const z30 = z[3 * F + f]!, z31 = z[3 * F + f + 1]!, z32 = z[3 * F + f + 2]!, z33 = z[3 * F + f + 3]!;
    let d00 = 0, d01 = 0, d02 = 0, d03 = 0, d10 = 0, d11 = 0, d12 = 0, d13 = 0;
    let d20 = 0, d21 = 0, d22 = 0, d23 = 0, d30 = 0, d31 = 0, d32 = 0, d33 = 0;
    for (let v = 0; v < V; v++) {
      const g0 = G[v]!;
      const g1 = G[V + v]!;
      const g2 = G[V2 + v]!;
      const g3 = G[V3 + v]!;
      const o = v * F + f;
      const w0 = dec[o]!;
      const w1 = dec[o + 1]!;
      const w2 = dec[o + 2]!;
      const w3 = dec[o + 3]!;
      d00 += g0 * w0; d01 += g0 * w1; d02 += g0 * w2; d03 += g0 * w3;
      d10 += g1 * w0; d11 += g1 * w1; d12 += g1 * w2; d13 += g1 * w3;
      d20 += g2 * w0; d21 += g2 * w1; d22 += g2 * w2; d23 += g2 * w3;
      d30 += g3 * w0; d31 += g3 * w1; d32 += g3 * w2; d33 += g3 * w3;
      gDec[o]! += g0 * z00 + g1 * z10 + g2 * z20 + g3 * z30;
      gDec[o + 1]! += g0 * z01 + g1 * z11 + g2 * z21 + g3 * z31;
      gDec[o + 2]! += g0 * z02 + g1 * z12 + g2 * z22 + g3 * z32;
      gDec[o + 3]! += g0 * z03 + g1 * z13 + g2 * z23 + g3 * z33;
    }
    dz[f] = d00; dz[f + 1] = d01; dz[f + 2] = d02; dz[f + 3] = d03;
    dz[F + f] = d10; dz[F + f + 1] = d11; dz[F + f + 2] = d12; dz[F + f + 3] = d13;
    dz[2 * F + f] = d20; dz[2 * F + f + 1] = d21; dz[2 * F + f + 2] = d22; dz[2 * F + f + 3] = d23;
    dz[3 * F + f] = d30; dz[3 * F + f + 1] = d31; dz[3 * F + f + 2] = d32; dz[3 * F + f + 3] = d33;
  }
  for (let f = F4; f < F; f++) {
    for (let b = 0; b < GROUP; b++) {
      let d = 0;
      for (let v = 0; v < V; v++) d += G[b * V + v]! * dec[v * F + f]!;
      dz[b * F + f] = d;
    }
    for (let v = 0; v < V; v++) gDec[v * F + f]! += G[v]! * z[f]! + G[V + v]! * z[F + f]! + G[V2 + v]! * z[2 * F + f]! + G[V3 + v]! * z[3 * F + f]!;
  }
}

/** From d loss / d z through the reparameterisation, the KL term (weight `klScale`), the head and the encoder. */
function encoderBackward(net: VaeNet, shape: VaeShape, klScale: number, s: Slot, dz: Float64Array, grads: Record<ParamName, Float32Array>): void {
  const { hidden: H, factors: F } = shape;
  const { out, a } = s.enc;
  const { dout, dpre } = s;
  for (let f = 0; f < F; f++) {
    const mu = out[f]!;
    const lv = out[F + f]!;
    const sigma = Math.exp(lv / 2);
    dout[f] = dz[f]! + klScale * mu;
    dout[F + f] = dz[f]! * s.eps[f]! * 0.5 * sigma + klScale * 0.5 * (Math.exp(lv) - 1);
  }
  const F2 = 2 * F;
  for (let c = 0; c < F2; c++) grads.headBias[c]! += dout[c]!;
  for (let h = 0; h < H; h++) {
    const ah = a[h]!;
    const o = h * F2;
    let da = 0;
    for (let c = 0; c < F2; c++) {
      grads.head[o + c]! += ah * dout[c]!;
      da += net.head[o + c]! * dout[c]!;
    }
    dpre[h] = da * (1 - ah * ah);
  }
  for (let h = 0; h < H; h++) grads.encBias[h]! += dpre[h]!;
  for (let k = 0; k < s.nKept; k++) {
    const o = s.kept[k]! * H;
    for (let h = 0; h < H; h++) grads.enc[o + h]! += s.w * dpre[h]!;
  }
}
