import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { horizonHint, pointRuns, planCalibration, valuesAt, type CalibrationPlan } from '../calibrate/plan.js';
import { CALIBRATE_FILES, CalibrationRunError, pointLabel, runCalibration, summaryLines, type CalibrationOutcome } from '../calibrate/run-calibration.js';
import { ParamError, type ParamSpec } from '../calibrate/space.js';
import { SplitError } from '../calibrate/split.js';
import { DatasetError } from '../data/dataset.js';
import { planOf } from '../sweep/child-runner.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { checkOutDir } from './out-dir.js';
import { runFailure } from './run-guard.js';
import { wholeNumber } from './numbers.js';
import { shown } from './run-dir.js';
import { parseParallel } from './sweep.js';

export interface CalibrateCommandOptions {
  readonly params: readonly string[];
  readonly against?: string;
  readonly budget: number;
  readonly seeds: number;
  readonly holdout: number;
  readonly parallel: number;
  readonly out: string;
  readonly set: readonly string[];
  readonly dryRun?: boolean;
  readonly quiet?: boolean;
}

function parseHoldout(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new CliError('cli.bad_holdout', `--holdout must be a share between 0 and 1 (exclusive), e.g. 0.3; got "${value}"`, EXIT_INVALID_INPUT);
  return n;
}

const rangeText = (s: ParamSpec): string => `${s.lo}..${s.hi}${s.scale === 'log' ? ' log' : ''}${s.integer ? ' integer' : ''}`;

/** What `--dry-run` prints: the space, the split and the plan. */
export function dryRunText(plan: CalibrationPlan, opts: Pick<CalibrateCommandOptions, 'budget' | 'parallel'>): string {
  const width = Math.max(...plan.specs.map((s) => s.path.length));
  const start = valuesAt(plan, plan.start);
  const first = pointRuns(plan, start);
  const done = first.filter((r) => planOf(r.runDir) === 'skip').length;
  const horizon = plan.settings.horizonMs / 60_000;
  const hint = horizonHint(plan);
  const lines = [
    `calibrate ${plan.id}: ${shown(plan.file)} (${plan.base.name})${plan.against ? `, cascades from ${shown(plan.against)}` : ''}`,
    `parameters (Nelder–Mead on the unit cube, reflection into bounds; start at the experiment's values):`,
    ...plan.specs.map((s, i) => `  ${s.path.padEnd(width)}  ${rangeText(s).padEnd(22)} start ${start[i]}`),
    `cascades: ${plan.cascades.paired.length} paired${plan.cascades.unpaired.length > 0 ? `, ${plan.cascades.unpaired.length} without a simulated partner (left out: ${plan.cascades.unpaired.map((u) => u.cascade_id).join(', ')})` : ''}`,
    `  train (${plan.split.train.length}):    ${plan.split.train.join(', ')}`,
    `  held-out (${plan.split.heldout.length}): ${plan.split.heldout.join(', ')}   (holdout ${plan.holdout}, by cascade id and seed ${plan.base.seed})`,
    `loss: mean NRMSE over the train cascades × scale, depth, max breadth (null pairs left out), up to ${horizon} min after each source post; mean over seeds ${plan.seeds.join(', ')}`,
    `plan: up to ${opts.budget} trials × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'} = up to ${opts.budget * plan.seeds.length} runs (the first ${plan.specs.length + 1} trials together), ${opts.parallel} at once`,
    `first trial (${pointLabel(plan, start)}): runs ${first.map((r) => r.runId).join(', ')}${done > 0 ? ` (${done} finished already)` : ''}`,
    ...(hint ? [hint] : []),
    `folder: ${shown(plan.dir)}${existsSync(join(plan.dir, CALIBRATE_FILES.info)) ? ' (exists: its finished runs are reused)' : ''}`,
    'dry run: nothing ran',
  ];
  return lines.join('\n') + '\n';
}

/** Plans and runs `socialsim calibrate`; input problems become CliErrors with exit 2. */
export async function calibrateCommand(file: string, opts: CalibrateCommandOptions, signal?: AbortSignal): Promise<{ plan: CalibrationPlan; outcome: CalibrationOutcome | null }> {
  const t0 = performance.now();
  let plan: CalibrationPlan;
  try {
    plan = await planCalibration(file, { params: opts.params, ...(opts.against !== undefined ? { against: opts.against } : {}), seeds: opts.seeds, holdout: opts.holdout, overrides: opts.set }, opts.out);
  } catch (err) {
    if (err instanceof ParamError || err instanceof SplitError || err instanceof DatasetError) throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
    throw err;
  }
  if (opts.budget < plan.specs.length + 1) {
    throw new CliError('calibrate.small_budget', `--budget ${opts.budget} does not cover the first simplex: Nelder–Mead over ${plan.specs.length} parameters starts with ${plan.specs.length + 1} trials`, EXIT_INVALID_INPUT);
  }
  if (opts.dryRun) return { plan, outcome: null };
  checkOutDir(opts.out);
  try {
    const outcome = await runCalibration(plan, { budget: opts.budget, parallel: opts.parallel, quiet: opts.quiet, setupMs: performance.now() - t0, ...(signal ? { signal } : {}) });
    return { plan, outcome };
  } catch (err) {
    if (err instanceof CalibrationRunError) throw new CliError(err.code, `${err.message}\ncalibration.json in ${shown(plan.dir)} keeps the trials so far; run the same command again to carry on`, 1);
    throw runFailure(err);
  }
}

export function printCalibrationOutcome(o: CalibrationOutcome): void {
  process.stdout.write(
    summaryLines(o).join('\n') +
      `\ncalibration folder: ${shown(o.plan.dir)}\n` +
      (o.fittedPath ? `fitted:  ${shown(o.fittedPath)}\n` : '') +
      (o.reportPath ? `report:  ${shown(o.reportPath)}\n` : '') +
      (o.status === 'interrupted' ? 'interrupted: run the same command again to carry on (finished runs are reused)\n' : ''),
  );
  if (o.status === 'interrupted') process.exitCode = 130;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('fit statistical-policy parameters to real cascades (Nelder–Mead over mean NRMSE), with a held-out split')
    .argument('<file>', 'experiment YAML whose dataset has real cascades (or pass --against)')
    .option('--params <path=lo..hi>', 'a parameter and its range, e.g. models.stat.repost_base=0.01..0.3; log:lo..hi, int:lo..hi (repeatable)', collect, [])
    .option('--against <cascades>', 'cascades file (dataset.cascades format) to fit instead of the experiment\'s own')
    .option('--budget <n>', 'trials (points evaluated) at most; each trial is --seeds runs', wholeNumber('--budget', 1), 20)
    .option('--seeds <k>', 'runs per trial: seeds experiment seed, +1, …', wholeNumber('--seeds', 1), 2)
    .option('--holdout <share>', 'share of paired cascades held out (never fitted on)', parseHoldout, 0.3)
    .option('--parallel <n>', 'runs at once, each in its own process', parseParallel, 1)
    .option('--out <dir>', 'results root', 'results')
    .option('--set <path=value...>', 'override a field of the experiment (repeatable)', [])
    .option('--dry-run', 'print the parameter space, the split and the plan; run nothing')
    .option('-q, --quiet', 'no progress lines')
    .action(async (file: string, opts: CalibrateCommandOptions) => {
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.on('SIGINT', onSigint);
      try {
        const { plan, outcome } = await calibrateCommand(file, opts, abort.signal);
        if (!outcome) process.stdout.write(dryRunText(plan, opts));
        else printCalibrationOutcome(outcome);
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
