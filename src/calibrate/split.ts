/**
 * Which real cascades a calibration can use and how they are split. A real cascade is paired
 * (analysis/track.ts) with the opening post whose dataset id is its `source_post` (or, without
 * one, its own id); that is known before any run from the experiment's dataset, the way the
 * run's setup makes its opening posts. The held-out split is deterministic: paired cascades are
 * ordered by a hash of (experiment seed, cascade id) and the first round(holdout × n) — at least
 * one, at most n − 1 — are held out; both sides keep the file's order.
 */
import { combineSeed } from '../common/rng.js';
import type { Experiment } from '../config/load.js';
import { buildPopulation, initialDataset } from '../engine/setup.js';

export interface PairedCascades {
  /** Cascade ids in file order whose source post is one of the run's opening posts. */
  readonly paired: readonly string[];
  /** The others, with the source post they name. */
  readonly unpaired: readonly { readonly cascade_id: string; readonly source_post: string }[];
}

export interface CascadeSplit {
  readonly train: readonly string[];
  readonly heldout: readonly string[];
}

/** Too few paired cascades for a held-out NRMSE, or a split that cannot be made. */
export class SplitError extends Error {
  readonly code = 'calibrate.too_few_cascades';
}

/** The experiment's real cascades and whether each has a simulated partner (loads its dataset). */
export async function pairedCascades(exp: Experiment): Promise<PairedCascades> {
  const pop = await buildPopulation(exp);
  const rows = pop.dataset?.loaded.cascades?.rows ?? [];
  // As the run pairs them: a source_post given on any row of the cascade, else the cascade's id.
  const sources = new Map<string, string | undefined>();
  for (const n of rows) if (sources.get(n.cascade) === undefined) sources.set(n.cascade, n.sourcePost || undefined);
  if (sources.size === 0) return { paired: [], unpaired: [] };
  const opening = new Set(initialDataset(exp, pop).posts.flatMap((p) => (p.datasetId === undefined ? [] : [p.datasetId])));
  const paired: string[] = [];
  const unpaired: { cascade_id: string; source_post: string }[] = [];
  for (const [id, given] of sources) {
    const source = given ?? id;
    if (opening.has(source)) paired.push(id);
    else unpaired.push({ cascade_id: id, source_post: source });
  }
  return { paired, unpaired };
}

/** Splits paired cascades into train and held-out (see the module comment). */
export function splitCascades(paired: readonly string[], holdout: number, seed: number): CascadeSplit {
  if (!(holdout > 0 && holdout < 1)) throw new SplitError(`--holdout must be a share between 0 and 1 (exclusive), got ${holdout}`);
  const n = paired.length;
  if (n < 2) {
    throw new SplitError(
      `calibrate needs at least 2 real cascades paired with the run's opening posts (one to fit on, one held out), found ${n}; ` +
        'give each cascade a source_post naming an opening post (<user id>#<k> for previous_posts, or a dataset.posts id by an account some cohort takes), or pass --against <cascades file>',
    );
  }
  const k = Math.min(n - 1, Math.max(1, Math.round(holdout * n)));
  const key = new Map(paired.map((id) => [id, combineSeed([seed, 'calibrate-holdout', id])]));
  const held = new Set([...paired].sort((a, b) => key.get(a)! - key.get(b)! || (a < b ? -1 : a > b ? 1 : 0)).slice(0, k));
  return { train: paired.filter((id) => !held.has(id)), heldout: paired.filter((id) => held.has(id)) };
}
