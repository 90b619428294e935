import type { Command } from 'commander';
import { loadExperiment, type Experiment } from '../config/load.js';
import { formatPlan, planServers, PlanError, type ServerPlan } from '../launch/plan.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

export interface PlanCommandOptions {
  readonly gpus: number;
  readonly set: readonly string[];
}

export function parseGpus(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new CliError('cli.bad_gpus', `--gpus must be a whole number of GPUs (0 or more), got "${value}"`, EXIT_INVALID_INPUT);
  }
  return n;
}

/** `planServers` with an infeasible plan turned into a CliError (exit 2) listing every problem. */
export function planOrFail(experiment: Experiment, gpus: number): ServerPlan {
  try {
    return planServers(experiment, { gpus });
  } catch (err) {
    if (err instanceof PlanError) throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
    throw err;
  }
}

/** Loads the experiment and plans its servers; returns the plan as text. */
export function planCommand(file: string, opts: PlanCommandOptions): string {
  return formatPlan(planOrFail(loadExperiment(file, { overrides: opts.set }), opts.gpus));
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('show which inference servers `launch` would start, on which GPUs and ports')
    .argument('<file>', 'experiment YAML')
    .requiredOption('--gpus <n>', 'GPUs on this machine (indices 0..n-1)', parseGpus)
    .option('--set <path=value...>', 'override any field (repeatable)', [])
    .action((file: string, opts: PlanCommandOptions) => {
      process.stdout.write(planCommand(file, opts));
    });
}
