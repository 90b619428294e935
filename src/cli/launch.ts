import type { Command } from 'commander';
import { join } from 'node:path';
import { loadExperiment } from '../config/load.js';
import { launchServers, LaunchError, type RunningServers } from '../launch/launch.js';
import { formatPlan, type ServerPlan } from '../launch/plan.js';
import { CliError } from './errors.js';
import { parseGpus, planOrFail } from './plan.js';
import { parseMaxSteps, parseSeed } from './numbers.js';
import { printOutcome, runLoadedExperiment, type RunCommandOptions, type RunCommandResult } from './run.js';
import { shown } from './run-dir.js';

export interface LaunchCommandOptions extends RunCommandOptions {
  readonly gpus: number;
  /** Print the plan and the commands; start nothing. */
  readonly dryRun?: boolean;
}

export interface LaunchCommandResult {
  readonly plan: ServerPlan;
  /** Null on a dry run. */
  readonly run: RunCommandResult | null;
}

/** Where launch writes server logs: `<out>/<experiment>/servers/`. */
export const serverLogDir = (out: string, experiment: string): string => join(out, experiment, 'servers');

/**
 * Plan → start the servers → run the experiment as `socialsim run` does → stop the servers
 * (also when the run throws). Progress goes to stderr unless quiet.
 */
export async function launchCommand(file: string, opts: LaunchCommandOptions, argv: readonly string[] = []): Promise<LaunchCommandResult> {
  const experiment = loadExperiment(file, { overrides: opts.set, ...(opts.seed === undefined ? {} : { seed: opts.seed }) });
  const plan = planOrFail(experiment, opts.gpus);
  const logDir = serverLogDir(opts.out, experiment.name);
  if (opts.dryRun) {
    process.stdout.write(formatPlan(plan));
    process.stdout.write(`\ndry run: nothing started (server logs would go to ${shown(logDir)}/)\n`);
    return { plan, run: null };
  }
  const log = opts.quiet ? undefined : (line: string): void => void process.stderr.write(`launch: ${line}\n`);
  if (!opts.quiet) process.stderr.write(formatPlan(plan) + '\n');
  let servers: RunningServers;
  try {
    servers = await launchServers(plan, { ...(log ? { log } : {}), logDir });
  } catch (err) {
    if (err instanceof LaunchError) throw new CliError(err.code, err.message, 1);
    throw err;
  }
  try {
    return { plan, run: await runLoadedExperiment(experiment, opts, argv) };
  } finally {
    await servers.stop();
  }
}

export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description('start the inference servers the plan gives, run the experiment, stop the servers')
    .argument('<file>', 'experiment YAML')
    .requiredOption('--gpus <n>', 'GPUs on this machine (indices 0..n-1)', parseGpus)
    .option('--out <dir>', 'results root (server logs go to <out>/<experiment>/servers/)', 'results')
    .option('--seed <n>', 'replace the experiment seed', parseSeed)
    .option('--set <path=value...>', 'override any field, e.g. --set models.llama8b.ports=[8000,8001] (repeatable)', [])
    .option('--max-steps <n>', 'stop (resumably) after this many steps', parseMaxSteps)
    .option('--dry-run', 'print the plan and the commands; start nothing')
    .option('--yes', 'run even when the estimate says it needs more memory than Node\'s heap limit or more than a day')
    .option('--no-report', 'skip writing report.html')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, opts: LaunchCommandOptions) => {
      const { run } = await launchCommand(file, opts, process.argv.slice(2));
      if (run) printOutcome(run, opts.maxSteps !== undefined);
    });
}
