import { Rng } from '../../common/rng.js';
import { rowMap } from './interaction-index.js';

/**
 * Fills one new row of a table. Rows are initialised from a generator derived from the row's
 * own id, not from a shared stream, so a post gets the same starting vector whichever refresh
 * first sees it and whatever else appeared at the same time.
 */
export type RowInit = (id: number, table: Float32Array, offset: number) => void;

/** Gaussian rows N(0, std²) keyed by (seed, purpose, id). */
export function gaussianInit(seed: number, purpose: string, dim: number, std: number): RowInit {
  return (id, table, offset) => {
    const rng = Rng.derive(seed, purpose, id);
    for (let d = 0; d < dim; d++) table[offset + d] = rng.normal() * std;
  };
}

/**
 * `table` (rows of `dim` in the order of `oldIds`) laid out in the order of `newIds`: rows of
 * ids in both are copied, rows of new ids come from `init` (zeros without one, as for
 * optimiser moments), rows of ids no longer listed are dropped.
 */
export function remapRows(oldIds: Int32Array, table: Float32Array, newIds: Int32Array, dim: number, init?: RowInit): Float32Array {
  const out = new Float32Array(newIds.length * dim);
  const old = rowMap(oldIds);
  for (let r = 0; r < newIds.length; r++) {
    const id = newIds[r]!;
    const o = old.get(id);
    if (o !== undefined) out.set(table.subarray(o * dim, o * dim + dim), r * dim);
    else if (init) init(id, out, r * dim);
  }
  return out;
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
