/**
 * Whether a `--set`-style path names a field of the experiment schema: `recsys.kind`,
 * `cohorts[0].count`, `models.stat.post_prob` (any model name; the field of any provider).
 */
import { formatPath, type PathSegment } from '../config/issues.js';
import { parsePath } from '../config/overrides.js';
import { deref, experimentSchema, type SchemaNode } from '../config/schema.js';
import { didYouMean } from '../config/suggest.js';

/** Paths a sweep may not vary: the run folder lives under `name`, and a run has no sweep. */
const FIXED = new Set(['name', 'sweep']);

/** The schema nodes a value at `node` may match (oneOf / anyOf branches flattened). */
function branches(node: SchemaNode | undefined): SchemaNode[] {
  const s = deref(node);
  if (!s) return [];
  const alts = [...((s.oneOf as SchemaNode[] | undefined) ?? []), ...((s.anyOf as SchemaNode[] | undefined) ?? [])];
  return alts.length === 0 ? [s] : alts.flatMap(branches);
}

function child(node: SchemaNode, seg: PathSegment): { next: SchemaNode[]; keys: string[] } {
  const keys = Object.keys(node.properties ?? {});
  const items = node.items;
  if ((typeof seg === 'number' || /^(0|[1-9][0-9]*)$/.test(seg)) && typeof items === 'object' && items !== null) {
    return { next: branches(items as SchemaNode), keys };
  }
  const key = String(seg);
  const prop = node.properties?.[key];
  if (prop) return { next: branches(prop), keys };
  const extra = node.additionalProperties;
  if (typeof extra === 'object' && extra !== null) return { next: branches(extra as SchemaNode), keys };
  return { next: [], keys };
}

/** Undefined when `text` is a sweepable path, else what is wrong with it (with a hint). */
export function checkSweepPath(text: string): string | undefined {
  const segs = parsePath(text);
  if (!segs) return `malformed path "${text}": expected keys joined by dots, e.g. cohorts[0].count or models.stat.post_prob`;
  if (FIXED.has(String(segs[0]))) return `"${text}" cannot be swept: every run of a sweep shares the experiment name and has no sweep block`;
  let nodes = branches(experimentSchema());
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as PathSegment;
    const next: SchemaNode[] = [];
    const keys = new Set<string>();
    for (const n of nodes) {
      const c = child(n, seg);
      next.push(...c.next);
      for (const k of c.keys) keys.add(k);
    }
    if (next.length === 0) {
      const at = formatPath(segs.slice(0, i));
      return `"${text}" is not a field of the experiment: ${at} has no "${String(seg)}"${didYouMean(String(seg), keys)}`;
    }
    nodes = next;
  }
  return undefined;
}
