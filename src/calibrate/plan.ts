/**
 * What a calibration is before anything runs: the experiment (with `--set` and `--against`),
 * the checked parameter space and where the search starts, the seeds of every point, the
 * paired cascades and their split, the calibration id and folder; and, for a point of the unit
 * cube, its runs — each an ordinary experiment (`--set path=value` per parameter, `seed`) whose
 * config hash names its run folder, like a sweep's.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, configHash, parseExperiment, type Experiment } from '../config/load.js';
import { canonicalJson } from '../config/resolve.js';
import { withoutSweep } from '../sweep/expand.js';
import { lossSettings } from './loss.js';
import type { AnalysisSettings } from '../analysis/settings.js';
import { assignment, checkSpace, parseSpace, ParamError, startOf, toValue, type ParamSpec } from './space.js';
import { pairedCascades, splitCascades, type CascadeSplit, type PairedCascades } from './split.js';

export interface CalibrationInput {
  /** `--params path=lo..hi`, in order. */
  readonly params: readonly string[];
  /** A cascades file replacing the experiment's dataset.cascades (relative to the working directory). */
  readonly against?: string;
  /** Runs per point: seeds experiment.seed, +1, … */
  readonly seeds: number;
  /** Share of paired cascades held out. */
  readonly holdout: number;
  /** `--set path=value` on the experiment. */
  readonly overrides?: readonly string[];
}

export interface CalibrationPlan {
  /** The experiment file, absolute. */
  readonly file: string;
  readonly text: string;
  /** The `--set` overrides, then the one `--against` makes. */
  readonly baseOverrides: readonly string[];
  readonly against: string | null;
  /** The experiment the runs vary (no sweep block). */
  readonly base: Experiment;
  readonly specs: readonly ParamSpec[];
  /** Where the search starts, in the unit cube. */
  readonly start: readonly number[];
  readonly seeds: readonly number[];
  readonly holdout: number;
  readonly cascades: PairedCascades;
  readonly split: CascadeSplit;
  /** How each run's cascades are read for the loss. */
  readonly settings: AnalysisSettings;
  readonly id: string;
  /** `<results>/<experiment>/calibrate-<id>`. */
  readonly dir: string;
  readonly resultsRoot: string;
}

export interface PointRun {
  readonly seed: number;
  readonly runId: string;
  readonly configHash: string;
  readonly experiment: Experiment;
  /** `<results>/<experiment>/<runId>`. */
  readonly runDir: string;
}

/** Version of the search, in the id: a change to the optimiser gets a new calibration folder. */
const OPTIMISER = 'nelder-mead/unit-cube/1';

export async function planCalibration(file: string, input: CalibrationInput, resultsRoot: string): Promise<CalibrationPlan> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file, path: '', message: `cannot read the experiment file: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}` }]);
  }
  if (!Number.isInteger(input.seeds) || input.seeds < 1) throw new ParamError(`--seeds must be a whole number ≥ 1, got ${input.seeds}`);
  let against: string | null = null;
  const baseOverrides = [...(input.overrides ?? [])];
  if (input.against !== undefined) {
    against = resolve(input.against);
    if (!existsSync(against) || !statSync(against).isFile()) throw new ParamError(`--against ${input.against}: no such file (${against})`);
    baseOverrides.push(`dataset.cascades=${JSON.stringify({ path: against })}`);
  }
  const base = withoutSweep(parseExperiment(text, file, { overrides: baseOverrides }));
  const specs = parseSpace(input.params);
  checkSpace(specs, text, file, baseOverrides, base);
  const cascades = await pairedCascades(base);
  const split = splitCascades(cascades.paired, input.holdout, base.seed);
  const seeds = Array.from({ length: input.seeds }, (_, i) => base.seed + i);
  const settings = lossSettings(base);
  const id = createHash('sha256')
    .update(
      canonicalJson({
        optimiser: OPTIMISER,
        experiment: configHash(base),
        horizon_ms: settings.horizonMs,
        params: specs.map((s) => ({ path: s.segments.map(String), lo: s.lo, hi: s.hi, scale: s.scale, integer: s.integer })),
        seeds,
        split,
      }),
    )
    .digest('hex')
    .slice(0, 12);
  return {
    file: resolve(file),
    text,
    baseOverrides,
    against,
    base,
    specs,
    start: specs.map((s) => startOf(s, base)),
    seeds,
    holdout: input.holdout,
    cascades,
    split,
    settings,
    id,
    dir: join(resultsRoot, base.name, `calibrate-${id}`),
    resultsRoot,
  };
}

/** The parameter values at unit point `u`. */
export const valuesAt = (plan: CalibrationPlan, u: readonly number[]): number[] => plan.specs.map((s, i) => toValue(s, u[i]!));

/** The runs of the point with these values: one per seed. */
export function pointRuns(plan: CalibrationPlan, values: readonly number[]): PointRun[] {
  const overrides = [...plan.baseOverrides, ...plan.specs.map((s, i) => assignment(s, values[i]!))];
  return plan.seeds.map((seed) => {
    const experiment = withoutSweep(parseExperiment(plan.text, plan.file, { overrides, seed }));
    const hash = configHash(experiment);
    const runId = hash.slice(0, 12);
    return { seed, runId, configHash: hash, experiment, runDir: join(plan.resultsRoot, experiment.name, runId) };
  });
}

/**
 * When the runs go on well past what the loss reads (the horizon after the source posts, which
 * open the run), the steps that would do: same losses, shorter runs. Null when they do not.
 */
export function horizonHint(plan: CalibrationPlan): string | null {
  const stepMin = plan.base.clock.step_ms / 60_000;
  const span = plan.base.clock.timesteps * stepMin;
  const horizon = plan.settings.horizonMs / 60_000;
  const enough = Math.ceil(horizon / stepMin - 1e-9);
  if (plan.base.clock.timesteps <= enough + 1) return null;
  return `note: the runs last ${span} min but the loss reads only ${horizon} min after each source post; --set clock.timesteps=${enough} runs only the steps the loss reads (shorter runs, other run ids)`;
}

