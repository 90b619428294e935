/**
 * Expands an experiment's `sweep:` block into its runs: the cartesian product of the matrix
 * values × seeds (or repeats), minus `exclude`d combinations, each loaded and validated like
 * `socialsim run --set path=value …`. Pure apart from reading the file; deterministic order
 * (matrix keys as written, first key outermost, seeds innermost).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, formatIssue, loadExperiment, parseExperiment, type ConfigIssue } from '../config/load.js';
import { canonicalJson, configHash, deepFreeze } from '../config/resolve.js';
import { formatPath } from '../config/issues.js';
import { positionOf } from '../config/positions.js';
import type { Experiment } from '../config/types.js';
import { checkSweepPath } from './paths.js';

export type ParamValue = unknown;

export interface SweepRun {
  /** Swept path → value, matrix keys in file order, then `seed` when seeds/repeats are used. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** `path=<JSON>`: the base overrides, then this run's values; `socialsim run <file> --set …` of these is this run. */
  readonly overrides: readonly string[];
  /** The run's experiment, without its `sweep` block. */
  readonly experiment: Experiment;
  readonly configHash: string;
  /** `configHash.slice(0, 12)`: the run folder is `<results>/<experiment>/<runId>`. */
  readonly runId: string;
}

/** `recsys.kind=random seed=2`: a run as the user reads it. */
export function runLabel(params: Readonly<Record<string, ParamValue>>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length > 0 ? parts.join(' ') : '(base)';
}

/** 12 hex digits identifying the expanded list (the sweep folder is `sweep-<this>`). */
export function sweepId(runs: readonly SweepRun[]): string {
  return createHash('sha256').update(canonicalJson(runs.map((r) => r.configHash))).digest('hex').slice(0, 12);
}

/** The experiment without its sweep block: what a sweep run's folder records. */
export function withoutSweep(exp: Experiment): Experiment {
  const { sweep: _sweep, ...rest } = exp;
  return deepFreeze(rest as Experiment);
}

function product(axes: readonly (readonly [string, readonly ParamValue[]])[]): Record<string, ParamValue>[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const [path, values] of axes) out = out.flatMap((combo) => values.map((v) => ({ ...combo, [path]: v })));
  return out;
}

const same = (a: ParamValue, b: ParamValue): boolean => canonicalJson(a) === canonicalJson(b);

export function expandSweep(file: string, baseOverrides: readonly string[] = []): SweepRun[] {
  const base = loadExperiment(file, { overrides: baseOverrides });
  const text = readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const at = (segments: (string | number)[], message: string): ConfigIssue => {
    const pos = positionOf(doc, lc, segments, 'value');
    const path = formatPath(segments);
    return pos ? { file, line: pos.line, col: pos.col, path, message } : { file, path, message };
  };
  const sweep = base.sweep;
  if (!sweep) {
    throw new ConfigError([{ file, path: 'sweep', message: 'the experiment has no sweep block; add sweep: { matrix: { recsys.kind: [random, popularity] }, seeds: [1, 2, 3] }' }]);
  }

  const issues: ConfigIssue[] = [];
  const axes: [string, readonly ParamValue[]][] = Object.entries(sweep.matrix).map(([k, v]) => [k, v]);
  for (const [path] of axes) {
    const err = checkSweepPath(path);
    if (err) issues.push(at(['sweep', 'matrix', path], err));
  }
  if (sweep.seeds !== undefined && sweep.repeats !== undefined) issues.push(at(['sweep', 'repeats'], 'use seeds or repeats, not both'));
  const seeds = sweep.seeds ?? (sweep.repeats !== undefined ? Array.from({ length: sweep.repeats }, (_, i) => base.seed + i) : undefined);
  if (seeds && axes.some(([p]) => p === 'seed')) issues.push(at(['sweep', 'matrix', 'seed'], 'seed is swept by seeds/repeats already; leave it out of the matrix'));
  if (seeds) axes.push(['seed', seeds]);
  const swept = new Set(axes.map(([p]) => p));
  (sweep.exclude ?? []).forEach((entry, i) => {
    for (const key of Object.keys(entry)) {
      if (!swept.has(key)) issues.push(at(['sweep', 'exclude', i, key], `"${key}" is not swept; exclude entries name paths of the matrix${seeds ? ' (or seed)' : ''}`));
    }
  });
  if (issues.length > 0) throw new ConfigError(issues);

  const combos = product(axes).filter((c) => !(sweep.exclude ?? []).some((e) => Object.entries(e).every(([k, v]) => same(c[k], v))));
  if (combos.length === 0) throw new ConfigError([at(['sweep', 'exclude'], 'every combination is excluded; nothing to run')]);

  const runs: SweepRun[] = [];
  const problems = new Map<string, ConfigIssue>();
  for (const params of combos) {
    const matrix = Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const overrides = [...baseOverrides, ...matrix];
    let exp: Experiment;
    try {
      exp = withoutSweep(parseExperiment(text, file, { overrides: baseOverrides, fileOverrides: matrix }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const i of err.issues) {
        const what = i.file === '--set' ? `${i.path}: ${i.message.replace(/ \(from --set [^)]*\)$/, '')}` : formatIssue(i);
        if (!problems.has(what)) problems.set(what, { file: `sweep run ${runLabel(params)}`, path: '', message: what });
      }
      continue;
    }
    const hash = configHash(exp);
    runs.push({ params, overrides, experiment: exp, configHash: hash, runId: hash.slice(0, 12) });
  }
  if (problems.size > 0) throw new ConfigError([...problems.values()]);

  const byId = new Map<string, SweepRun>();
  for (const r of runs) {
    const twin = byId.get(r.runId);
    if (twin) {
      throw new ConfigError([at(['sweep', 'matrix'], `runs ${runLabel(twin.params)} and ${runLabel(r.params)} are the same experiment; remove the duplicate value`)]);
    }
    byId.set(r.runId, r);
  }
  return runs;
}
