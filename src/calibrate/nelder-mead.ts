/**
 * Nelder–Mead on the unit cube [0, 1]^d, derivative-free and deterministic for a seed.
 *
 * - Start: the simplex `start`, start + s_i·step·e_i (i = 1..d), each sign s_i = ±1 drawn from
 *   the seed and flipped when that vertex would leave the cube; `step` defaults to 0.25.
 * - Moves (Lagarias et al. 1998, the standard coefficients): reflection (α = 1), expansion
 *   (γ = 2), outside and inside contraction (ρ = 0.5), shrink towards the best vertex (σ = 0.5).
 *   A reflected or expanded point outside the cube is folded back into it coordinate by
 *   coordinate (−x for x < 0, 2 − x for x > 1), so every point evaluated lies in the bounds;
 *   contractions and shrinks stay inside the hull of points already inside.
 * - Ties are broken by the order the points were evaluated in (earlier wins).
 * - When the simplex has collapsed (every vertex within `tolerance` of the best in every
 *   coordinate) before the budget is spent, it restarts around the best vertex with a fresh
 *   simplex of the initial size, its signs drawn again from the seed (restart k uses stream k).
 * - Budget: the number of points evaluated, initial simplex included; the search stops when it
 *   is spent (a shrink that would pass it evaluates what fits, then stops).
 *
 * Points are evaluated in batches where the method allows (the initial simplex, a restart, a
 * shrink): `f` gets a batch and returns one value per point, which is where a caller evaluates
 * in parallel. A value of NaN counts as +∞ (worst).
 */
import { Rng } from '../common/rng.js';

/** Why a point was evaluated. */
export type MoveKind = 'initial' | 'reflect' | 'expand' | 'contract-out' | 'contract-in' | 'shrink' | 'restart';

export type BatchObjective = (points: readonly (readonly number[])[], kind: MoveKind) => Promise<readonly number[]>;

export interface NelderMeadOptions {
  readonly dim: number;
  /** Points to evaluate at most (≥ dim + 1). */
  readonly budget: number;
  readonly seed: number;
  /** In the unit cube; default the centre. */
  readonly start?: readonly number[];
  /** Initial simplex edge in unit-cube coordinates; default 0.25. */
  readonly step?: number;
  /** Collapse threshold in unit-cube coordinates; default 1e-3. */
  readonly tolerance?: number;
}

export interface Evaluation {
  /** 0-based, in evaluation order. */
  readonly index: number;
  readonly point: readonly number[];
  readonly value: number;
  readonly kind: MoveKind;
}

export interface NelderMeadResult {
  readonly best: Evaluation;
  readonly evaluations: readonly Evaluation[];
  readonly restarts: number;
}

export const DEFAULT_STEP = 0.25;
export const DEFAULT_TOLERANCE = 1e-3;
const ALPHA = 1;
const GAMMA = 2;
const RHO = 0.5;
const SIGMA = 0.5;

/** Folds a coordinate back into [0, 1] (a mirror at each bound). */
export function foldIntoUnit(x: number): number {
  let y = x;
  for (let k = 0; k < 8 && (y < 0 || y > 1); k++) y = y < 0 ? -y : 2 - y;
  return Math.min(1, Math.max(0, y));
}

const fold = (p: readonly number[]): number[] => p.map(foldIntoUnit);
const affine = (a: readonly number[], b: readonly number[], t: number): number[] => a.map((x, i) => x + t * (x - b[i]!));
const toward = (from: readonly number[], to: readonly number[], t: number): number[] => from.map((x, i) => x + t * (to[i]! - x));
const worse = (a: Evaluation, b: Evaluation): boolean => a.value > b.value || (a.value === b.value && a.index > b.index);

/** The simplex around `x`: x itself, then x ± step along each axis (signs from the seed's stream `round`). */
function simplexAround(x: readonly number[], step: number, seed: number, round: number): number[][] {
  const rng = Rng.derive(seed, 'nelder-mead', round);
  return x.map((_, i) => {
    const sign = rng.chance(0.5) ? 1 : -1;
    const v = [...x];
    const up = x[i]! + sign * step;
    v[i] = up >= 0 && up <= 1 ? up : x[i]! - sign * step;
    v[i] = Math.min(1, Math.max(0, v[i]!));
    return v;
  });
}

/** Thrown by the objective to stop the search (the evaluations so far are kept by the caller). */
export class SearchStopped extends Error {}

export async function nelderMead(f: BatchObjective, opts: NelderMeadOptions): Promise<NelderMeadResult> {
  const d = opts.dim;
  if (!Number.isInteger(d) || d < 1) throw new Error(`nelderMead: dim must be ≥ 1, got ${d}`);
  if (!Number.isInteger(opts.budget) || opts.budget < d + 1) throw new Error(`nelderMead: the budget (${opts.budget}) must cover the initial simplex of ${d + 1} points`);
  const step = opts.step ?? DEFAULT_STEP;
  const tol = opts.tolerance ?? DEFAULT_TOLERANCE;
  const start = fold(opts.start ?? new Array<number>(d).fill(0.5));
  const evaluations: Evaluation[] = [];
  const left = (): number => opts.budget - evaluations.length;

  const evaluate = async (points: readonly number[][], kind: MoveKind): Promise<Evaluation[]> => {
    const batch = points.slice(0, left());
    if (batch.length === 0) return [];
    const values = await f(batch, kind);
    if (values.length !== batch.length) throw new Error(`nelderMead: the objective returned ${values.length} values for ${batch.length} points`);
    return batch.map((point, i) => {
      const v = values[i]!;
      const e: Evaluation = { index: evaluations.length, point, value: Number.isNaN(v) ? Infinity : v, kind };
      evaluations.push(e);
      return e;
    });
  };
  const best = (): Evaluation => evaluations.reduce((a, b) => (worse(a, b) ? b : a));
  const result = (restarts: number): NelderMeadResult => ({ best: best(), evaluations, restarts });

  let simplex = await evaluate([start, ...simplexAround(start, step, opts.seed, 0)], 'initial');
  let restarts = 0;
  while (left() > 0) {
    simplex.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0));
    const b = simplex[0]!;
    const w = simplex[d]!;
    const secondWorst = simplex[d - 1]!;
    if (simplex.every((v) => v.point.every((x, i) => Math.abs(x - b.point[i]!) <= tol))) {
      restarts++;
      const fresh = await evaluate(simplexAround(b.point, step, opts.seed, restarts), 'restart');
      if (fresh.length < d) break;
      simplex = [b, ...fresh];
      continue;
    }
    const centroid = new Array<number>(d).fill(0);
    for (const v of simplex.slice(0, d)) v.point.forEach((x, i) => (centroid[i]! += x / d));

    const [r] = await evaluate([fold(affine(centroid, w.point, ALPHA))], 'reflect');
    if (!r) break;
    if (r.value < b.value) {
      // Better than the best: try going further.
      const [e] = await evaluate([fold(toward(centroid, r.point, GAMMA))], 'expand');
      simplex[d] = e && e.value < r.value ? e : r;
      continue;
    }
    if (r.value < secondWorst.value) {
      simplex[d] = r;
      continue;
    }
    const outside = r.value < w.value;
    const [c] = await evaluate([toward(centroid, outside ? r.point : w.point, RHO)], outside ? 'contract-out' : 'contract-in');
    if (!c) break;
    if (outside ? c.value <= r.value : c.value < w.value) {
      simplex[d] = c;
      continue;
    }
    const shrunk = await evaluate(simplex.slice(1).map((v) => toward(b.point, v.point, SIGMA)), 'shrink');
    if (shrunk.length < d) break;
    simplex = [b, ...shrunk];
  }
  return result(restarts);
}
