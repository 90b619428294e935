/**
 * `--set path=value` overrides, applied to the parsed YAML data before validation.
 * Paths: `clock.timesteps`, `cohorts[0].count`, `cohorts.0.count`, `models.stat.post_prob`.
 * Values are YAML scalars or flow collections: `48`, `true`, `[a, b]`, `"x"`.
 */
import { parseDocument } from 'yaml';
import type { PathSegment } from './issues.js';
import { looksSecretKey, maskSecrets } from './secrets.js';
import { ALIAS_BOMB_MESSAGE, isAliasExhaustion } from './yaml-data.js';

/** Path segments that would reach Object.prototype instead of a key of the experiment. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export interface Override {
  /** The text as given, e.g. `clock.timesteps=48`. */
  readonly raw: string;
  /** The path before `=`, as written. */
  readonly pathText: string;
  /** Strings are keys (or indexes, in a list); numbers come from `[n]`. */
  readonly segments: readonly PathSegment[];
  readonly value: unknown;
}

export type OverrideResult = { ok: true; override: Override } | { ok: false; message: string };

const KEY = /^[^.[\]=]+/;

/** Splits `a.b[0].c` into `['a', 'b', 0, 'c']`, or undefined when malformed or through `__proto__` and kin. */
export function parsePath(text: string): PathSegment[] | undefined {
  const segs: PathSegment[] = [];
  let rest = text.trim();
  let first = true;
  while (rest.length > 0) {
    const idx = /^\[(0|[1-9][0-9]*)\]/.exec(rest);
    if (idx && !first) {
      segs.push(Number(idx[1]));
      rest = rest.slice(idx[0].length);
      continue;
    }
    if (!first) {
      if (!rest.startsWith('.')) return undefined;
      rest = rest.slice(1);
    }
    const key = KEY.exec(rest);
    if (!key || FORBIDDEN_SEGMENTS.has(key[0].trim())) return undefined;
    segs.push(key[0].trim());
    rest = rest.slice(key[0].length);
    first = false;
  }
  return segs.length > 0 ? segs : undefined;
}

export function parseOverride(raw: string): OverrideResult {
  const eq = raw.indexOf('=');
  if (eq < 0) return { ok: false, message: `malformed override "${raw}": expected path=value, e.g. clock.timesteps=48` };
  const pathText = raw.slice(0, eq).trim();
  const forbidden = pathText.split(/[.[\]]/).map((s) => s.trim()).find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden !== undefined) {
    return { ok: false, message: `"${forbidden}" is not a key of the experiment (__proto__, constructor and prototype are refused in paths)` };
  }
  const segments = parsePath(pathText);
  if (!segments) {
    return { ok: false, message: `malformed path "${pathText}": expected keys joined by dots, e.g. cohorts[0].count or models.stat.post_prob` };
  }
  const valueText = raw.slice(eq + 1);
  if (valueText.trim() === '') return { ok: true, override: { raw, pathText, segments, value: '' } };
  const doc = parseDocument(valueText, { prettyErrors: false });
  if (doc.errors.length > 0) {
    // The yaml package's message quotes the text too: neither is shown under a secret-looking key.
    if (segments.some((s) => typeof s === 'string' && looksSecretKey(s))) return { ok: false, message: 'the value is not valid YAML (not shown: the key looks like a secret)' };
    return { ok: false, message: `value "${maskSecrets(valueText)}" is not valid YAML: ${maskSecrets(doc.errors[0]?.message ?? 'syntax error')}` };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    if (isAliasExhaustion(e)) return { ok: false, message: `value of "${pathText}": ${ALIAS_BOMB_MESSAGE}` };
    throw e;
  }
  return { ok: true, override: { raw, pathText, segments, value } };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const kindOf = (v: unknown): string =>
  Array.isArray(v) ? 'a list' : v === null || v === undefined ? 'empty' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;

/**
 * Sets the value inside `root`, creating missing mappings (or a list, for a `[n]` segment) on the
 * way. Returns an error message when the path runs through a scalar or past the end of a list.
 */
export function applyOverride(root: Record<string, unknown>, o: Override): string | undefined {
  let cur: unknown = root;
  for (let i = 0; i < o.segments.length; i++) {
    const seg = o.segments[i] as PathSegment;
    const last = i === o.segments.length - 1;
    const next = o.segments[i + 1];
    const fresh = (): unknown => (typeof next === 'number' ? [] : {});
    if (Array.isArray(cur)) {
      const idx = typeof seg === 'number' ? seg : /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : NaN;
      if (Number.isNaN(idx)) return `"${String(seg)}" is not a list index (the value there is a list)`;
      if (idx > cur.length) return `index ${idx} is past the end of a list of ${cur.length} item${cur.length === 1 ? '' : 's'}`;
      if (last) cur[idx] = o.value;
      else if (cur[idx] === undefined || cur[idx] === null) cur[idx] = fresh();
      cur = cur[idx];
    } else if (isRecord(cur)) {
      const key = String(seg);
      if (last) cur[key] = o.value;
      else if (cur[key] === undefined || cur[key] === null) cur[key] = fresh();
      cur = cur[key];
    } else {
      const at = o.segments.slice(0, i).map(String).join('.');
      return `cannot set "${o.pathText}": ${at} is ${kindOf(cur)}, not a mapping or list`;
    }
  }
  return undefined;
}

/** True when `prefix` is a prefix of `path`, comparing segments as strings. */
export function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}
