/**
 * A sweep's conditions: the combinations of swept parameters other than the seed, whose runs
 * (one per seed or repeat) are the replicates averaged in the sweep report.
 */
import type { IndexRow } from './index-db.js';

/** A parameter value as shown: strings bare, anything else as JSON. */
export const showParam = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The swept parameters that define a condition (every one but the seed). */
export const conditionKeys = (params: readonly string[]): string[] => params.filter((p) => p !== 'seed');

/** "random" when one parameter is swept, "recsys.kind=random window=6" for several, "all runs" when only seeds vary. */
export function conditionLabel(keys: readonly string[], params: Readonly<Record<string, unknown>>): string {
  if (keys.length === 0) return 'all runs';
  if (keys.length === 1) return showParam(params[keys[0]!]);
  return keys.map((k) => `${k}=${showParam(params[k])}`).join(' ');
}

/** Rows by condition, in the order conditions first appear. */
export function byCondition<R extends Pick<IndexRow, 'params'>>(params: readonly string[], rows: readonly R[]): Map<string, R[]> {
  const keys = conditionKeys(params);
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const label = conditionLabel(keys, r.params);
    out.set(label, [...(out.get(label) ?? []), r]);
  }
  return out;
}
