/**
 * The parameter space of a calibration: `--params path=lo..hi` (optionally `log:` and/or `int:`
 * before the range), each checked against the experiment the way `--set path=value` is — the
 * path must be a field of the schema that this experiment uses, and both bounds must load and
 * validate — so every error names the parameter. The optimiser works on the unit cube; `toValue`
 * and `toUnit` map a coordinate to the parameter's value and back.
 */
import type { PathSegment } from '../config/issues.js';
import { ConfigError, formatIssue, parseExperiment, type Experiment } from '../config/load.js';
import { parsePath } from '../config/overrides.js';
import { checkSweepPath } from '../sweep/paths.js';

export interface ParamSpec {
  /** As given, e.g. `models.stat.repost_base=log:0.01..0.3`. */
  readonly raw: string;
  /** The path as written before `=`. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly lo: number;
  readonly hi: number;
  /** `log`: the unit coordinate is uniform in ln(value) (needs lo > 0). */
  readonly scale: 'linear' | 'log';
  /** Values are whole numbers (rounded after the scale's map). */
  readonly integer: boolean;
}

/** A `--params` problem: the message names the parameter and says how to fix it. */
export class ParamError extends Error {
  readonly code = 'calibrate.bad_param';
}

/** Significant digits a fitted (non-integer) value keeps: readable YAML and stable run ids. */
export const SIGNIFICANT_DIGITS = 4;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses `path=[log:][int:]lo..hi`; throws ParamError. Checks the syntax only (see `checkSpace`). */
export function parseParamSpec(raw: string): ParamSpec {
  const fail = (why: string): never => {
    throw new ParamError(`--params ${raw}: ${why}`);
  };
  const eq = raw.indexOf('=');
  if (eq < 0) fail('expected path=lo..hi, e.g. models.stat.repost_base=0.05..0.8 (or log:0.01..0.3, int:5..50)');
  const path = raw.slice(0, eq).trim();
  const segments = parsePath(path) ?? fail(`malformed path "${path}": expected keys joined by dots, e.g. models.stat.repost_base or cohorts[0].activity`);
  let range = raw.slice(eq + 1).trim();
  let scale: ParamSpec['scale'] = 'linear';
  let integer = false;
  for (;;) {
    const prefix = /^(log|int):/.exec(range);
    if (!prefix) break;
    if (prefix[1] === 'log') scale = 'log';
    else integer = true;
    range = range.slice(prefix[0].length).trim();
  }
  const dots = range.indexOf('..');
  if (dots < 0) fail(`expected a range lo..hi after "=", got "${range}"`);
  const [loText, hiText] = [range.slice(0, dots).trim(), range.slice(dots + 2).trim()];
  if (!NUMBER.test(loText) || !NUMBER.test(hiText)) fail(`bounds must be numbers, got "${loText}" and "${hiText}"`);
  const lo = Number(loText);
  const hi = Number(hiText);
  if (!(lo < hi)) fail(`the lower bound must be below the upper one, got ${lo}..${hi}`);
  if (scale === 'log' && lo <= 0) fail(`a log: range needs a lower bound above 0, got ${lo}`);
  if (integer && (!Number.isInteger(lo) || !Number.isInteger(hi))) fail(`an int: range needs whole-number bounds, got ${lo}..${hi}`);
  return { raw, path, segments, lo, hi, scale, integer };
}

/** Parses every `--params`; throws one ParamError listing every malformed one. */
export function parseSpace(raws: readonly string[]): ParamSpec[] {
  const out: ParamSpec[] = [];
  const problems: string[] = [];
  for (const raw of raws) {
    try {
      out.push(parseParamSpec(raw));
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length > 0) throw new ParamError(problems.join('\n'));
  return out;
}

/** Rounds a non-integer value to SIGNIFICANT_DIGITS; an integer parameter to a whole number. */
function tidy(spec: ParamSpec, v: number): number {
  const r = spec.integer ? Math.round(v) : Number(v.toPrecision(SIGNIFICANT_DIGITS));
  return Math.min(spec.hi, Math.max(spec.lo, r));
}

/** The value at unit coordinate `u` (clamped to [0, 1]). */
export function toValue(spec: ParamSpec, u: number): number {
  const t = Math.min(1, Math.max(0, u));
  const v = spec.scale === 'log' ? Math.exp(Math.log(spec.lo) + t * (Math.log(spec.hi) - Math.log(spec.lo))) : spec.lo + t * (spec.hi - spec.lo);
  return tidy(spec, v);
}

/** The unit coordinate of `value` (clamped to the range). */
export function toUnit(spec: ParamSpec, value: number): number {
  const v = Math.min(spec.hi, Math.max(spec.lo, value));
  return spec.scale === 'log' ? (Math.log(v) - Math.log(spec.lo)) / (Math.log(spec.hi) - Math.log(spec.lo)) : (v - spec.lo) / (spec.hi - spec.lo);
}

/** `path=<JSON value>`: the override that sets the parameter. */
export const assignment = (spec: ParamSpec, value: number): string => `${spec.path}=${JSON.stringify(value)}`;

/** The value at `segments` inside a loaded experiment, or undefined. */
export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(seg)];
  }
  return cur;
}

/** Models some cohort, seed account or the recommender uses. */
function modelsInUse(exp: Experiment): Set<string> {
  const used = new Set<string>(exp.cohorts.map((c) => c.model));
  for (const s of exp.seeds) if (s.model) used.add(s.model);
  const embedding = (exp.recsys as { embedding_model?: string }).embedding_model;
  if (embedding) used.add(embedding);
  return used;
}

/**
 * Checks every parameter against the experiment (`text` of `file`, with the base overrides):
 * a schema field (not `name`, `sweep` or `seed`), not given twice, a model some cohort uses, and
 * both bounds load and validate with the value in place. Throws ParamError listing every problem.
 */
export function checkSpace(specs: readonly ParamSpec[], text: string, file: string, baseOverrides: readonly string[], base: Experiment): void {
  if (specs.length === 0) throw new ParamError('calibrate needs at least one --params path=lo..hi, e.g. --params models.stat.repost_base=0.01..0.3');
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const where = `--params ${spec.raw}`;
    const key = spec.segments.map(String).join('.');
    if (seen.has(key)) {
      problems.push(`${where}: ${spec.path} is given twice`);
      continue;
    }
    seen.add(key);
    if (String(spec.segments[0]) === 'seed') {
      problems.push(`${where}: the seed is not fitted; calibrate runs every point with --seeds seeds from the experiment's`);
      continue;
    }
    const bad = checkSweepPath(spec.path);
    if (bad) {
      problems.push(`${where}: ${bad.replace('cannot be swept: every run of a sweep shares the experiment name and has no sweep block', 'cannot be calibrated')}`);
      continue;
    }
    if (String(spec.segments[0]) === 'models' && spec.segments.length > 2) {
      const model = String(spec.segments[1]);
      if (base.models[model] === undefined) {
        problems.push(`${where}: the experiment has no model "${model}" (models: ${Object.keys(base.models).join(', ')})`);
        continue;
      }
      if (!modelsInUse(base).has(model)) {
        problems.push(`${where}: no cohort, seed account or recommender uses model "${model}", so it would change nothing`);
        continue;
      }
    }
    // Both bounds, and a value between them (not a whole number unless int:, so an integer field asks for int:).
    for (const bound of [spec.lo, spec.hi, toValue(spec, 0.5 + 1 / 7)]) {
      let exp: Experiment;
      try {
        exp = parseExperiment(text, file, { overrides: [...baseOverrides, assignment(spec, bound)] });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const hint = err.issues.some((i) => /integer/.test(i.message)) && !spec.integer ? ' (an integer field: write int:lo..hi)' : '';
        problems.push(`${where}: at ${bound}: ${err.issues.map((i) => formatIssue(i).replace(/^--set /, '')).join('; ')}${hint}`);
        break;
      }
      if (valueAt(exp, spec.segments) !== bound) {
        problems.push(`${where}: setting ${spec.path} to ${bound} does not show in the loaded experiment; the path does not apply to it`);
        break;
      }
    }
  }
  if (problems.length > 0) throw new ParamError(problems.join('\n'));
}

/** Where the search starts: the experiment's own value when numeric (clamped into the range), else the range's middle. */
export function startOf(spec: ParamSpec, base: Experiment): number {
  const v = valueAt(base, spec.segments);
  return typeof v === 'number' && Number.isFinite(v) ? toUnit(spec, v) : 0.5;
}
