import type { Command } from 'commander';
import { loadExperiment, type Experiment } from '../config/load.js';
import { planCluster } from '../launch/cluster-plan.js';
import { formatPlan, planServers, PlanError, type ServerPlan } from '../launch/plan.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

export interface PlanCommandOptions {
  /** GPUs of this machine; absent when the experiment has a cluster inventory. */
  readonly gpus?: number;
  readonly set: readonly string[];
}

export function parseGpus(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new CliError('cli.bad_gpus', `--gpus must be a whole number of GPUs (0 or more), got "${value}"`, EXIT_INVALID_INPUT);
  }
  return n;
}

/**
 * `planServers` (one machine, `--gpus`) or `planCluster` (the file's `cluster.hosts`), with an
 * infeasible plan turned into a CliError (exit 2) listing every problem. Both sources of GPUs
 * at once would leave one of them silently ignored, so that is refused.
 */
export function planOrFail(experiment: Experiment, gpus: number | undefined): ServerPlan {
  if (experiment.cluster !== undefined && gpus !== undefined) {
    throw new CliError('cli.gpus_with_cluster', `--gpus is for one machine; this experiment lists its machines in cluster.hosts (${experiment.cluster.hosts.length}), which give the GPUs: drop --gpus`, EXIT_INVALID_INPUT);
  }
  if (experiment.cluster === undefined && gpus === undefined) {
    throw new CliError('cli.missing_gpus', `--gpus <n> is required: the GPUs of this machine (or list the machines in cluster.hosts)`, EXIT_INVALID_INPUT);
  }
  try {
    return experiment.cluster !== undefined ? planCluster(experiment) : planServers(experiment, { gpus: gpus! });
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
    .option('--gpus <n>', 'GPUs on this machine (indices 0..n-1); not with cluster.hosts', parseGpus)
    .option('--set <path=value...>', 'override any field (repeatable)', [])
    .action((file: string, opts: PlanCommandOptions) => {
      process.stdout.write(planCommand(file, opts));
    });
}
