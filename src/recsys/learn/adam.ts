/**
 * Adam (Kingma & Ba 2015) on one parameter table. The moments are tables of the same shape,
 * so a warm start remaps them row by row with the parameters; the step count `t` is shared
 * by all tables of a model and passed in.
 */
export interface Moments {
  m: Float32Array;
  v: Float32Array;
}

export const BETA1 = 0.9;
export const BETA2 = 0.999;
const EPS = 1e-8;

export function zeroMoments(size: number): Moments {
  return { m: new Float32Array(size), v: new Float32Array(size) };
}

/** One Adam update of `params` by `grads` at step `t` (1-based, already incremented). */
export function adamStep(params: Float32Array, grads: Float32Array, moments: Moments, t: number, lr: number): void {
  const { m, v } = moments;
  const c1 = 1 - Math.pow(BETA1, t);
  const c2 = 1 - Math.pow(BETA2, t);
  const stepSize = (lr * Math.sqrt(c2)) / c1;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i]!;
    const mi = BETA1 * m[i]! + (1 - BETA1) * g;
    const vi = BETA2 * v[i]! + (1 - BETA2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i]! -= (stepSize * mi) / (Math.sqrt(vi) + EPS);
  }
}
