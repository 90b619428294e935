/**
 * What a branch may change. A branch re-executes its parent's steps 0 … k−1 with the parent's
 * experiment, so the platform it continues on — its accounts, their personas, the follow graph
 * and the opening posts, all made at step 0 — is the parent's; from step k the branch's
 * experiment rebuilds the population in memory to know who acts and how. Any setting that
 * changes who lives in the run would make the two disagree (a cohort of 500 over 1,000 accounts:
 * half of them silently never act again), so those are refused:
 *
 * - `seed` (every persona and the follow graph derive from it);
 * - everything under `dataset` (its files, `generate` settings included);
 * - the cohorts: how many, and each one's `name`, `count`, `personas`, `activity` (personas
 *   are drawn around it; a `{ per_hour }` activity is compared as written, so another
 *   `clock.step` converting it again is fine);
 * - the scripted accounts: how many, and each one's `name`, `kind`, `bio`, `followed_by`,
 *   `followed_by_interests`.
 *
 * Everything else acts during the run and may change from the branch point: the recommender,
 * the models and which model a cohort uses, budgets, scripted posts and labels (and a scripted
 * account's `model`, `interests`, `activity`), interventions, surveys, activation, platform
 * rules, herding, browse, the clock's length and step.
 */
import type { Experiment } from '../config/types.js';

/** The parts of an experiment that decide who lives in the run. */
function population(exp: Experiment): Record<string, unknown> {
  return {
    seed: exp.seed,
    dataset: exp.dataset,
    cohorts: exp.cohorts.map((c) => ({
      name: c.name,
      count: c.count,
      personas: c.personas,
      activity: c.hourly_activity ? { per_hour: c.hourly_activity.per_hour } : c.activity,
    })),
    seeds: exp.seeds.map((s) => ({
      name: s.name,
      kind: s.kind,
      bio: s.bio,
      followed_by: s.followed_by,
      followed_by_interests: s.followed_by_interests,
    })),
  };
}

export interface PopulationChange {
  /** As `--set` writes it, e.g. `cohorts[0].count`. */
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

const show = (v: unknown): string => (v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v));

function diff(a: unknown, b: unknown, path: string, out: PopulationChange[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push({ path, before: `${a.length} entries`, after: `${b.length} entries` });
      return;
    }
    a.forEach((x, i) => diff(x, b[i], `${path}[${i}]`, out));
    return;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) diff(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: show(a), after: show(b) });
}

/** The population settings a branch's experiment changes from its parent's (none: it may branch). */
export function populationChanges(parent: Experiment, branch: Experiment): PopulationChange[] {
  const out: PopulationChange[] = [];
  diff(population(parent), population(branch), '', out);
  return out;
}
