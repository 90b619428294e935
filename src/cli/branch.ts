import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { PolicyUnavailableError } from '../agents/policies.js';
import { BranchError, branchRun } from '../engine/branch.js';
import { RunExistsError } from '../engine/run-folder.js';
import { endpointCliError } from './endpoint-errors.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { checkOutDir } from './out-dir.js';
import { runFailure, writeRunOutputs } from './run-guard.js';
import { wholeNumber } from './numbers.js';
import { printOutcome } from './run.js';
import { simDbOf } from './run-dir.js';

interface BranchCommandOptions {
  atStep: number;
  set: string[];
  out?: string;
  force?: boolean;
  report: boolean;
  quiet?: boolean;
  preflight: boolean;
}

export function registerBranch(program: Command): void {
  program
    .command('branch')
    .description('a counterfactual run: the parent run up to a step, then the experiment with --set changes')
    .argument('<run-dir>', 'the parent: results/<experiment>/<run-id>')
    .requiredOption('--at-step <n>', 'first step that runs with the changes', wholeNumber('--at-step', 1))
    .option('--set <path=value...>', 'changes from that step on, e.g. --set recsys.kind=random (repeatable)', [])
    .option('--out <dir>', 'results root (default: the parent\'s)')
    .option('--force', 'replace an existing branch folder')
    .option('--no-report', 'skip writing report.html')
    .option('--no-preflight', 'start without first checking that every model endpoint answers')
    .option('-q, --quiet', 'no progress output')
    .action(async (parentDir: string, opts: BranchCommandOptions) => {
      simDbOf(parentDir, 'branch');
      if (opts.out !== undefined) checkOutDir(opts.out);
      try {
        const outcome = await branchRun(parentDir, {
          resultsRoot: opts.out ?? dirname(dirname(resolve(parentDir))),
          atStep: opts.atStep,
          overrides: opts.set,
          force: opts.force,
          quiet: opts.quiet,
          preflight: opts.preflight,
          command: process.argv.slice(2),
          ...(opts.quiet ? {} : { note: (message: string) => void process.stderr.write(`note: ${message}\n`) }),
        });
        const outputs = opts.report && outcome.info.status === 'completed' ? await writeRunOutputs(outcome.dir) : null;
        printOutcome({ ...outcome, reportPath: outputs?.reportPath ?? null, analysisPath: outputs?.analysisPath ?? null });
      } catch (err) {
        const endpoints = endpointCliError(err);
        if (endpoints) throw endpoints;
        if (err instanceof BranchError || err instanceof RunExistsError || err instanceof PolicyUnavailableError) {
          throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
        }
        throw runFailure(err);
      }
    });
}
