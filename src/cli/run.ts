import type { Command } from 'commander';
import { PolicyUnavailableError } from '../agents/policies.js';
import { confirmationNeeded, estimateRun, machineLimits } from '../config/capacity.js';
import { canRelaunchHeap, relaunchedWithFlags } from './heap.js';
import { formatIssue, loadExperimentWithWarnings, type Experiment } from '../config/load.js';
import { parsePath } from '../config/overrides.js';
import { join } from 'node:path';
import { ReplayError } from '../engine/replay.js';
import { DatasetError } from '../data/dataset.js';
import { RunExistsError } from '../engine/run-folder.js';
import { runExperiment, type RunOutcome } from '../engine/run.js';
import { withoutSweep } from '../sweep/expand.js';
import { endpointCliError } from './endpoint-errors.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { checkOutDir } from './out-dir.js';
import { parseMaxSteps, parseSeed } from './numbers.js';
import { shown } from './run-dir.js';
import { runFailure, writeRunOutputs } from './run-guard.js';
import { withPlannedEndpoints } from '../launch/cluster-plan.js';
import { planOrFail } from './plan.js';

export interface RunCommandOptions {
  readonly out: string;
  readonly maxSteps?: number;
  readonly seed?: number;
  readonly set: readonly string[];
  readonly report: boolean;
  readonly quiet?: boolean;
  readonly force?: boolean;
  /** The experiment file as given (for run.json's git note). */
  readonly file?: string;
  /** A run folder whose recorded LLM responses answer this run's requests. */
  readonly replay?: string;
  /** Ask every endpoint before step 0 (default true; --no-preflight). */
  readonly preflight?: boolean;
  /** Run even when the estimate says it needs more than Node's heap limit or over a day (`--yes`). */
  readonly yes?: boolean;
  /** LLM requests go to `socialsim worker` processes through this Redis. */
  readonly redis?: string;
}

export interface RunCommandResult extends RunOutcome {
  readonly reportPath: string | null;
  /** analysis.duckdb, when the run wrote its analyses. */
  readonly analysisPath?: string | null;
}

export async function runCommand(file: string, opts: RunCommandOptions, argv: readonly string[] = []): Promise<RunCommandResult> {
  const loaded = loadForRun(file, opts);
  if (!opts.quiet) for (const w of loaded.warnings) process.stderr.write(`${w}\n`);
  return runLoadedExperiment(loaded.experiment, { ...opts, file }, argv);
}

/** The experiment `run` runs, and the warnings to print about it. */
function loadForRun(file: string, opts: RunCommandOptions): { experiment: Experiment; warnings: string[] } {
  // A sweep: block describes a family of runs, not this one: without it, the run's id is the
  // one the sweep gives the same parameters.
  const loaded = loadExperimentWithWarnings(file, { overrides: opts.set, ...(opts.seed === undefined ? {} : { seed: opts.seed }) });
  const warnings = loaded.warnings.map((w) => `warning: ${formatIssue(w)}`);
  if (loaded.experiment.sweep) warnings.push(sweepWarning(file, loaded.experiment));
  return { experiment: withoutSweep(loaded.experiment), warnings };
}

/**
 * What `run` says when the file describes a sweep: it runs the base experiment once, with the
 * file's own values of the swept paths, not the sweep's runs.
 */
export function sweepWarning(file: string, exp: Experiment): string {
  const matrix = Object.keys(exp.sweep?.matrix ?? {});
  const base = matrix.map((path) => `${path}=${shownValue(valueAt(exp, path))}`);
  const swept = [...matrix, ...(exp.sweep?.seeds || exp.sweep?.repeats ? ['seeds'] : [])];
  return (
    `warning: ${file} has a sweep: block (over ${swept.join(', ')}); ` +
    `\`run\` ignores it and runs the base experiment once (${[...base, `seed=${exp.seed}`].join(' ')}). ` +
    `To run the sweep: socialsim sweep ${file}`
  );
}

function valueAt(exp: Experiment, path: string): unknown {
  let node: unknown = exp;
  for (const seg of parsePath(path) ?? []) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
  return node;
}

function shownValue(v: unknown): string {
  return v === undefined ? '(default)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** `runCommand` on an experiment already loaded with `opts.set` / `opts.seed` applied. */
export async function runLoadedExperiment(given: Experiment, opts: RunCommandOptions, argv: readonly string[] = []): Promise<RunCommandResult> {
  // With a cluster inventory the servers listen on the hosts the plan gives (launched, by hand or by Slurm).
  const experiment = given.cluster !== undefined ? withPlannedEndpoints(given, planOrFail(given, undefined)) : given;
  const tooBig = confirmationNeeded(estimateRun(experiment as unknown as Record<string, unknown>), machineLimits(), canRelaunchHeap());
  if (tooBig && !opts.yes) throw new CliError('run.needs_yes', `${tooBig}; pass --yes to run it anyway`, EXIT_INVALID_INPUT);
  checkOutDir(opts.out);
  if (opts.redis !== undefined) checkRedisUrl(opts.redis);
  let outcome: RunOutcome;
  try {
    outcome = await runExperiment(experiment, {
      resultsRoot: opts.out,
      quiet: opts.quiet,
      command: argv.map(withoutPassword),
      maxSteps: opts.maxSteps,
      force: opts.force,
      ...(opts.file ? { experimentFile: opts.file } : {}),
      ...(opts.replay ? { replayFrom: opts.replay } : {}),
      ...(opts.redis !== undefined ? { redis: opts.redis } : {}),
      preflight: opts.preflight ?? true,
    });
  } catch (err) {
    const endpoints = endpointCliError(err);
    if (endpoints) throw endpoints;
    if (err instanceof PolicyUnavailableError || err instanceof RunExistsError || err instanceof ReplayError || err instanceof DatasetError) {
      throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
    }
    throw runFailure(err);
  }
  if (!opts.quiet && (outcome.info.git_dirty || outcome.info.experiment_file_dirty)) {
    const what = outcome.info.experiment_file_dirty ? 'the experiment file has uncommitted changes' : 'the repository has uncommitted changes';
    process.stderr.write(`warning: ${what}; run.json records it, but this run may not be reproducible from a commit\n`);
  }
  const finished = opts.report && experiment.report.auto && outcome.info.status === 'completed';
  const outputs = finished ? await writeRunOutputs(outcome.dir, { topPosts: experiment.report.top_posts }) : null;
  return { ...outcome, reportPath: outputs?.reportPath ?? null, analysisPath: outputs?.analysisPath ?? null };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an experiment into a new results folder and write its report')
    .argument('[file]', 'experiment YAML (default with --replay: the replayed run\'s experiment.resolved.yaml)')
    .option('--out <dir>', 'results root', 'results')
    .option('--seed <n>', 'replace the experiment seed', parseSeed)
    .option('--set <path=value...>', 'override any field, e.g. --set clock.timesteps=48 (repeatable)', [])
    .option('--max-steps <n>', 'stop (resumably) after this many steps; continue with `socialsim resume`', parseMaxSteps)
    .option('--force', 'replace an existing run folder of this exact experiment')
    .option('--yes', 'run even when the estimate says it needs more than a day (or, run in-process, more than Node\'s heap limit)')
    .option('--replay <run-dir>', 'answer every LLM request from that run\'s recorded responses (no model needed); into <run-id>-replay')
    .option('--no-report', 'skip writing report.html')
    .option('--no-preflight', 'start without first checking that every model endpoint answers')
    .option('--redis <url>', 'send LLM agents\' requests to `socialsim worker` processes through this Redis (redis://host:port)')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string | undefined, opts: RunCommandOptions) => {
      const source = file ?? (opts.replay ? join(opts.replay, 'experiment.resolved.yaml') : undefined);
      if (!source) throw new CliError('cli.no_file', 'run needs an experiment file (or --replay <run-dir>)', EXIT_INVALID_INPUT);
      const loaded = loadForRun(source, opts);
      // Before the warnings: a run that restarts with a larger heap prints them once, from there.
      if (await relaunchedWithFlags(estimateRun(loaded.experiment as unknown as Record<string, unknown>, opts.redis), opts.quiet)) return;
      if (!opts.quiet) for (const w of loaded.warnings) process.stderr.write(`${w}\n`);
      printOutcome(await runLoadedExperiment(loaded.experiment, { ...opts, file: source }, process.argv.slice(2)), opts.maxSteps !== undefined);
    });
}

/** Refuses a --redis value that is not a Redis URL (exit 2). */
export function checkRedisUrl(url: string): void {
  if (!/^rediss?:\/\/[^/]/.test(url)) {
    throw new CliError('cli.bad_redis_url', `--redis must be a Redis URL such as redis://127.0.0.1:6379, got "${withoutPassword(url)}"`, EXIT_INVALID_INPUT);
  }
}

/** A command-line word with a URL's password starred out (run.json records the command). */
export function withoutPassword(word: string): string {
  return word.replace(/(rediss?:\/\/[^:/@]*:)[^@/]*@/g, '$1***@');
}

/** `pausedOnPurpose`: a --max-steps stop is a success (exit 0); a Ctrl-C stop exits 130. */
export function printOutcome(result: RunCommandResult, pausedOnPurpose = false): void {
  const { info } = result;
  const n = (x: number): string => x.toLocaleString('en-US');
  process.stdout.write(
    `${info.status}: ${info.steps_completed}/${info.timesteps} steps, ${n(info.agents)} agents, ` +
      `${n(info.actions)} actions (${n(info.failed_actions)} rejected) in ${(info.wall_ms / 1000).toFixed(1)} s\n` +
      `run folder: ${shown(result.dir)}\n` +
      (result.reportPath ? `report:     ${shown(result.reportPath)}\n` : '') +
      (result.analysisPath ? `analyses:   ${shown(result.analysisPath)}\n` : '') +
      (info.status === 'interrupted' ? `continue with: socialsim resume ${shown(result.dir)}\n` : ''),
  );
  if (info.status === 'interrupted' && !pausedOnPurpose) process.exitCode = 130;
}
