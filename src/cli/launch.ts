import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateRun } from '../config/capacity.js';
import { relaunchedWithFlags } from './heap.js';
import { loadExperiment, type Experiment } from '../config/load.js';
import { launchServers, LaunchError, type RunningServers } from '../launch/launch.js';
import { formatPlan, type ServerPlan } from '../launch/plan.js';
import { withPlannedEndpoints } from '../launch/cluster-plan.js';
import { slurmScript } from '../launch/slurm.js';
import { argvLine, remoteStart, remoteStop, sshArgv, sshProgram } from '../launch/ssh.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { parseGpus, planOrFail } from './plan.js';
import { parseMaxSteps, parseSeed } from './numbers.js';
import { printOutcome, runLoadedExperiment, type RunCommandOptions, type RunCommandResult } from './run.js';
import { shown } from './run-dir.js';

export interface LaunchCommandOptions extends RunCommandOptions {
  /** GPUs of this machine; absent when the experiment has `cluster.hosts`. */
  readonly gpus?: number;
  /** Print the plan and the commands; start nothing. */
  readonly dryRun?: boolean;
  /** `slurm`: write a batch script instead of launching. */
  readonly emit?: string;
  /** Where `--emit` writes; stdout when absent. */
  readonly script?: string;
}

/** The stop grace `launch` gives each server; the remote stop command waits as long. */
const STOP_GRACE_S = 10;

/** The ssh lines a cluster launch would run: each instance's start, then its stop. */
function sshLines(plan: ServerPlan, program: readonly string[], pidDir: string): string {
  const starts = plan.instances.map((i) => argvLine(sshArgv(program, i, remoteStart(i, pidDir))));
  const stops = plan.instances.map((i) => argvLine(sshArgv(program, i, remoteStop(i, pidDir, STOP_GRACE_S))));
  return `\nssh commands (start, each lasting as long as its server):\n${starts.map((l) => `  ${l}`).join('\n')}\n` +
    `\nssh commands (stop, after the run):\n${stops.map((l) => `  ${l}`).join('\n')}\n`;
}

/** `--emit slurm`: the batch script to stdout or `--script`; the run line repeats --seed and --set. */
function emitScript(file: string, experiment: Experiment, opts: LaunchCommandOptions): void {
  if (opts.emit !== 'slurm') throw new CliError('cli.bad_emit', `--emit takes slurm, got "${opts.emit}"`, EXIT_INVALID_INPUT);
  if (experiment.cluster === undefined) throw new CliError('cli.emit_needs_cluster', '--emit slurm needs the machines in cluster.hosts (one Slurm node per host)', EXIT_INVALID_INPUT);
  const runArgs = [...(opts.seed === undefined ? [] : ['--seed', String(opts.seed)]), ...opts.set.flatMap((s) => ['--set', s])];
  const text = slurmScript(experiment, { file, out: opts.out, runArgs });
  if (opts.script === undefined) process.stdout.write(text);
  else writeFileSync(opts.script, text, { mode: 0o755 });
}

export interface LaunchCommandResult {
  readonly plan: ServerPlan;
  /** Null on a dry run. */
  readonly run: RunCommandResult | null;
}

/** Where launch writes server logs: `<out>/<experiment>/servers/`. */
export const serverLogDir = (out: string, experiment: string): string => join(out, experiment, 'servers');

/**
 * Plan → start the servers (here, or over ssh on the cluster's hosts) → run the experiment as
 * `socialsim run` does → stop the servers (also when the run throws). Progress goes to stderr
 * unless quiet. `--emit slurm` writes a batch script instead and starts nothing.
 */
export async function launchCommand(file: string, opts: LaunchCommandOptions, argv: readonly string[] = []): Promise<LaunchCommandResult> {
  const experiment = loadExperiment(file, { overrides: opts.set, ...(opts.seed === undefined ? {} : { seed: opts.seed }) });
  const plan = planOrFail(experiment, opts.gpus);
  if (opts.emit !== undefined) {
    emitScript(file, experiment, opts);
    return { plan, run: null };
  }
  const logDir = serverLogDir(opts.out, experiment.name);
  const ssh = experiment.cluster && { program: sshProgram(experiment.cluster), pidDir: experiment.cluster.pid_dir };
  if (opts.dryRun) {
    process.stdout.write(formatPlan(plan));
    if (ssh) process.stdout.write(sshLines(plan, ssh.program, ssh.pidDir));
    process.stdout.write(`\ndry run: nothing started (server logs would go to ${shown(logDir)}/)\n`);
    return { plan, run: null };
  }
  const log = opts.quiet ? undefined : (line: string): void => void process.stderr.write(`launch: ${line}\n`);
  if (!opts.quiet) process.stderr.write(formatPlan(plan) + '\n');
  let servers: RunningServers;
  try {
    servers = await launchServers(plan, { ...(log ? { log } : {}), logDir, stopGraceMs: STOP_GRACE_S * 1000, ...(ssh ? { ssh } : {}) });
  } catch (err) {
    if (err instanceof LaunchError) throw new CliError(err.code, err.message, 1);
    throw err;
  }
  try {
    // The run reaches each instance at its host's address (the same plan runLoadedExperiment makes).
    return { plan, run: await runLoadedExperiment(withPlannedEndpoints(experiment, plan), opts, argv) };
  } finally {
    await servers.stop();
  }
}

export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description('start the inference servers the plan gives, run the experiment, stop the servers')
    .argument('<file>', 'experiment YAML')
    .option('--gpus <n>', 'GPUs on this machine (indices 0..n-1); not with cluster.hosts', parseGpus)
    .option('--out <dir>', 'results root (server logs go to <out>/<experiment>/servers/)', 'results')
    .option('--seed <n>', 'replace the experiment seed', parseSeed)
    .option('--set <path=value...>', 'override any field, e.g. --set models.llama8b.ports=[8000,8001] (repeatable)', [])
    .option('--max-steps <n>', 'stop (resumably) after this many steps', parseMaxSteps)
    .option('--dry-run', 'print the plan and the commands (with a cluster, the ssh lines); start nothing')
    .option('--emit <kind>', 'slurm: write a Slurm batch script for the cluster instead of launching')
    .option('--script <file>', 'where --emit writes the script (default: stdout)')
    .option('--yes', 'run even when the estimate says it needs more than a day (or, run in-process, more than Node\'s heap limit)')
    .option('--no-report', 'skip writing report.html')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, opts: LaunchCommandOptions) => {
      if (!opts.dryRun && opts.emit === undefined) {
        // Before any server starts: a run larger than this heap continues in a process with one that fits.
        const experiment = loadExperiment(file, { overrides: opts.set, ...(opts.seed === undefined ? {} : { seed: opts.seed }) });
        if (await relaunchedWithFlags(estimateRun(experiment as unknown as Record<string, unknown>), opts.quiet)) return;
      }
      const { run } = await launchCommand(file, opts, process.argv.slice(2));
      if (run) printOutcome(run, opts.maxSteps !== undefined);
    });
}
