/**
 * fitted.yaml: the best point as a fragment of the experiment, in the experiment's own structure
 * (`models: { stat: { repost_base: 0.31 } }`), so its values can be merged into the file; a path
 * through a list (`cohorts[0].activity`) carries the whole list as the file has it, with the
 * value set, because merging replaces lists. The header repeats the values as `--set` flags.
 */
import { parseDocument, stringify } from 'yaml';
import type { PathSegment } from '../config/issues.js';
import { applyOverride, parseOverride } from '../config/overrides.js';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `assignments` (path=value overrides) as a fragment of `raw` (the experiment file's data, overrides applied). */
export function fragmentOf(raw: Record<string, unknown>, assignments: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const text of assignments) {
    const r = parseOverride(text);
    if (!r.ok) throw new Error(`fitted: ${r.message}`);
    const segs = r.override.segments;
    const list = segs.findIndex((s, i) => i > 0 && (typeof s === 'number' || /^(0|[1-9][0-9]*)$/.test(s)));
    if (list > 0) {
      // Copy the list the path runs through (once), then set the value inside the copy.
      const prefix = segs.slice(0, list);
      if (valueIn(out, prefix) === undefined) {
        const copy = structuredClone(valueIn(raw, prefix)) ?? [];
        const err = applyOverride(out, { raw: '', pathText: '', segments: prefix, value: copy });
        if (err) throw new Error(`fitted: ${err}`);
      }
    }
    const err = applyOverride(out, r.override);
    if (err) throw new Error(`fitted: ${err}`);
  }
  return out;
}

function valueIn(root: unknown, segs: readonly PathSegment[]): unknown {
  let cur = root;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(s)];
  }
  return cur;
}

/** Deep merge: mappings merge key by key, anything else (lists, scalars) is replaced by the fragment's. */
export function mergeFragment(base: Record<string, unknown>, fragment: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(fragment)) out[k] = isMap(v) && isMap(out[k]) ? mergeFragment(out[k], v) : structuredClone(v);
  return out;
}

/** The experiment file's data as written, with the base overrides applied (no validation, no defaults). */
export function rawExperiment(text: string, overrides: readonly string[]): Record<string, unknown> {
  const data = (parseDocument(text, { merge: true }).toJS() ?? {}) as Record<string, unknown>;
  for (const o of overrides) {
    const r = parseOverride(o);
    if (r.ok) applyOverride(data, r.override);
  }
  return data;
}

/** The text of fitted.yaml: a comment header, then the fragment. */
export function fittedYaml(fragment: Record<string, unknown>, assignments: readonly string[], header: readonly string[]): string {
  const lines = [...header, 'Merge into the experiment (mappings key by key; lists are given whole), or pass as overrides:', `  ${assignments.map((a) => `--set ${a}`).join(' ')}`];
  return lines.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' + stringify(fragment, { lineWidth: 0 });
}
