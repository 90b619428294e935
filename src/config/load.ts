/**
 * Loads an experiment YAML: parse (keeping source positions), apply `--set` overrides, validate
 * against the JSON Schema (filling defaults), run the semantic checks, derive `clock.step_ms`,
 * convert durations and hourly activity to steps (durations.ts), freeze. Every problem found is
 * reported at once, as a `ConfigError` with located issues.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import {
  ConfigError,
  describeValue,
  formatPath,
  sortIssues,
  type ConfigIssue,
  type PathSegment,
} from './issues.js';
import { translateErrors, type RawIssue } from './messages.js';
import { applyOverride, isPrefix, parseOverride } from './overrides.js';
import { hasNode, positionOf } from './positions.js';
import { deepFreeze } from './resolve.js';
import { capacityIssues } from './capacity.js';
import { clusterChecks } from './cluster.js';
import { convertTimeSettings, durationMs } from './durations.js';
import { namesFiles, notRegularFile, pathPolicy } from './file-paths.js';
import { experimentValidator } from './schema.js';
import { herdingChecks } from './herding.js';
import { inheritRecsys, seedAndInterventionChecks } from './interventions.js';
import { resolveDatasetPaths, resolvePromptPaths } from './prompt-paths.js';
import { outsideRunWarnings } from './outside-run.js';
import { readSeedPostFiles } from './seed-posts.js';
import { maskSecrets } from './secrets.js';
import { semanticChecks } from './semantic.js';
import { documentData } from './yaml-data.js';
import type { Experiment, StatisticalModelConfig } from './types.js';

export { ConfigError, formatIssue, type ConfigIssue } from './issues.js';
export { configHash, legacyConfigHash, resolvedYaml } from './resolve.js';
export type { Experiment } from './types.js';

export interface LoadOptions {
  /** `--set path=value` strings, applied in order. */
  readonly overrides?: readonly string[];
  /** Replaces `seed` (the `--seed` flag). */
  readonly seed?: number;
  /**
   * Overrides written in the experiment file itself (a sweep's matrix values), applied after
   * `overrides`. Unlike the user's own, the file paths they set must stay in the data root.
   */
  readonly fileOverrides?: readonly string[];
}

export type ValidateResult =
  | { readonly ok: true; readonly experiment: Experiment; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** A loaded experiment and what the loader accepted with a caveat (a duration rounded to whole steps). */
export interface Loaded {
  readonly experiment: Experiment;
  readonly warnings: readonly ConfigIssue[];
}

/** A value that came from the command line rather than the file. */
interface Origin {
  readonly file: '--set' | '--seed';
  readonly raw: string;
  readonly pathText: string;
  readonly segments: readonly PathSegment[];
  /** Typed by the user (`--set`, `--seed`), not taken from the file (a sweep's matrix). */
  readonly fromUser: boolean;
}

export function loadExperiment(file: string, opts: LoadOptions = {}): Experiment {
  return loadExperimentWithWarnings(file, opts).experiment;
}

/** `loadExperiment`, with the warnings (file:line:col like issues) of durations rounded to steps. */
export function loadExperimentWithWarnings(file: string, opts: LoadOptions = {}): Loaded {
  let text: string;
  // Checked before reading: a FIFO would block forever, /proc/self/environ would be parsed and quoted.
  const irregular = notRegularFile(file);
  if (irregular) throw new ConfigError([{ file, path: '', message: `cannot read the experiment file: it ${irregular}` }]);
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ConfigError([{ file, path: '', message: `cannot read the experiment file: ${why}` }]);
  }
  return parseExperimentWithWarnings(text, file, opts);
}

/** `loadExperiment` for the CLI `validate` command: issues instead of an exception. */
export function validateFile(file: string, opts: LoadOptions = {}): ValidateResult {
  try {
    return { ok: true, ...loadExperimentWithWarnings(file, opts) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, issues: e.issues };
    throw e;
  }
}

function syntaxIssues(doc: Document, text: string, lc: LineCounter, file: string): ConfigIssue[] {
  const seen = new Set<string>();
  const out: ConfigIssue[] = [];
  for (const err of doc.errors) {
    const { line, col } = lc.linePos(err.pos[0]);
    if (seen.has(`${line}:${col}`)) continue;
    seen.add(`${line}:${col}`);
    let message = err.message.charAt(0).toLowerCase() + err.message.slice(1);
    if (err.code === 'DUPLICATE_KEY') {
      const m = /^\s*("[^"\n]*"|'[^'\n]*'|[^:#\n,{}[\]]+?)\s*:/.exec(text.slice(err.pos[0]));
      const key = m?.[1]?.replace(/^["']|["']$/g, '') ?? '';
      message = `duplicate key${key ? ` "${key}"` : ''}: each key may appear only once in a mapping`;
    }
    out.push({ file, line, col, path: '', message: `YAML syntax error: ${message}` });
  }
  return out;
}

export function parseExperiment(text: string, file: string, opts: LoadOptions = {}): Experiment {
  return parseExperimentWithWarnings(text, file, opts).experiment;
}

export function parseExperimentWithWarnings(text: string, file: string, opts: LoadOptions = {}): Loaded {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) throw new ConfigError(syntaxIssues(doc, text, lc, file));
  const root = doc.contents;
  if (root === null) {
    throw new ConfigError([
      { file, line: 1, col: 1, path: '(root)', message: 'the file is empty; expected a mapping with at least "name" and "cohorts"' },
    ]);
  }
  if (!isMap(root)) {
    const pos = root.range ? lc.linePos(root.range[0]) : { line: 1, col: 1 };
    const got = isSeq(root) ? 'a list' : describeValue(documentData(doc, lc, file));
    throw new ConfigError([
      { file, ...pos, path: '(root)', message: `must be a mapping of keys (name:, cohorts:, ...) at the top level, got ${got}` },
    ]);
  }
  const data = documentData(doc, lc, file) as Record<string, unknown>;

  const issues: ConfigIssue[] = [];
  const origins: Origin[] = [];
  // `--set models.stat.x=…` on a file without `models` edits the default model, not a new one.
  if (data.models === undefined && (opts.overrides ?? []).some((o) => /^\s*models[.[]/.test(o))) {
    data.models = { stat: { provider: 'statistical' } };
  }
  const given = [...(opts.overrides ?? []).map((raw) => ({ raw, fromUser: true })), ...(opts.fileOverrides ?? []).map((raw) => ({ raw, fromUser: false }))];
  for (const { raw, fromUser } of given) {
    const r = parseOverride(raw);
    if (!r.ok) {
      issues.push({ file: '--set', path: maskSecrets(raw), message: r.message });
      continue;
    }
    const err = applyOverride(data, r.override);
    if (err) issues.push({ file: '--set', path: r.override.pathText, message: err });
    else origins.push({ file: '--set', raw: `--set ${maskSecrets(raw)}`, pathText: r.override.pathText, segments: r.override.segments, fromUser });
  }
  if (opts.seed !== undefined) {
    data.seed = opts.seed;
    origins.push({ file: '--seed', raw: `--seed ${opts.seed}`, pathText: 'seed', segments: ['seed'], fromUser: true });
  }

  const raws0: RawIssue[] = [];
  // A path is the user's own when the last override that set it was typed by the user.
  const fromCommandLine = (segs: readonly PathSegment[]): boolean => origins.findLast((o) => isPrefix(o.segments, segs))?.fromUser ?? false;
  const paths = pathPolicy(data, dirname(resolve(file)), fromCommandLine);
  raws0.push(...readSeedPostFiles(data, paths));
  inheritRecsys(data);
  const validate = experimentValidator();
  const raws: RawIssue[] = validate(data) ? [...raws0] : [...raws0, ...translateErrors(validate.errors ?? [])];
  // What this machine can run, from the counts (read defensively: they may be invalid too).
  raws.push(...capacityIssues(data));
  raws.push(...semanticChecks(data));
  raws.push(...clusterChecks(data));
  raws.push(...seedAndInterventionChecks(data));
  raws.push(...herdingChecks(data));
  raws.push(...resolvePromptPaths(data, paths));
  raws.push(...resolveDatasetPaths(data, paths));

  const locate = (r: RawIssue): ConfigIssue => {
    const path = formatPath(r.segments);
    const target = r.kind === 'parent' ? r.segments.slice(0, -1) : r.segments;
    for (let i = origins.length - 1; i >= 0; i--) {
      const o = origins[i] as Origin;
      if (isPrefix(o.segments, r.segments) || (isPrefix(target, o.segments) && !hasNode(doc, target))) {
        const from = formatPath(o.segments) === path ? '' : ` (from ${o.raw})`;
        return { file: o.file, path, message: r.message + from };
      }
    }
    const pos = positionOf(doc, lc, r.segments, r.kind);
    return pos ? { file, line: pos.line, col: pos.col, path, message: r.message } : { file, path, message: r.message };
  };
  const seen = new Set<string>();
  for (const issue of raws.map(locate)) {
    const key = `${issue.file}:${issue.line}:${issue.col}:${issue.path}:${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));

  // The paths are absolute now; the resolved copy in a run folder keeps the root they were checked against.
  // A path the user gave on the command line may lie outside: the resolved copy then allows it.
  if (paths.waived.length > 0) data.allow_outside_paths = true;
  else if (namesFiles(data) && !data.allow_outside_paths) data.data_root = paths.dataRoot;
  const clock = data.clock as Record<string, unknown>;
  clock.step_ms = durationMs(String(clock.step));
  // Durations and hourly activity become steps and per-step probabilities; the engine reads numbers.
  const times = convertTimeSettings(data, clock.step_ms as number);
  if (times.written.length > 0) data.as_written = times.written;
  const warnings = sortIssues([...times.warnings, ...outsideRunWarnings(data)].map(locate));
  return { experiment: deepFreeze(data as unknown as Experiment), warnings };
}

/** The statistical model with every default filled (what `provider: statistical` alone means). */
export function statisticalDefaults(): StatisticalModelConfig {
  const exp = parseExperiment('name: defaults\ncohorts: [{ name: a, count: 1, model: stat }]\n', '(defaults)');
  return exp.models['stat'] as StatisticalModelConfig;
}
