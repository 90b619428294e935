import type { Rng } from '../../common/rng.js';
import { hasEdge, type InteractionIndex } from './interaction-index.js';

/** Rejection draws before giving up on a user who engaged with (almost) every item. */
const NEGATIVE_TRIES = 32;

/**
 * A uniformly drawn item row the user has no edge to, or -1 when none turned up: BPR's
 * "unobserved" item. Uniform over items (not over popularity) as in Rendle et al. 2009.
 */
export function sampleNegative(index: InteractionIndex, userRow: number, rng: Rng): number {
  const n = index.items.length;
  for (let t = 0; t < NEGATIVE_TRIES; t++) {
    const j = rng.int(n);
    if (!hasEdge(index, userRow, j)) return j;
  }
  return -1;
}

/**
 * BPR triples (user row, positive item row, negative item row) for the edges at positions
 * `order[from .. to)` of `index.userItems`, packed in threes into `out`; returns how many
 * were written (a triple is skipped when no negative exists).
 */
export function fillTriples(index: InteractionIndex, order: Int32Array, from: number, to: number, rng: Rng, out: Int32Array): number {
  let n = 0;
  for (let k = from; k < to; k++) {
    const e = order[k]!;
    const u = index.edgeUsers[e]!;
    const j = sampleNegative(index, u, rng);
    if (j < 0) continue;
    out[3 * n] = u;
    out[3 * n + 1] = index.userItems[e]!;
    out[3 * n + 2] = j;
    n++;
  }
  return n;
}
