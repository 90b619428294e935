import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { PolicyUnavailableError } from '../agents/policies.js';
import { BranchError, branchRun } from '../engine/branch.js';
import { RunExistsError } from '../engine/run-folder.js';
import { writeReport } from '../report/index.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
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
    .option('-q, --quiet', 'no progress output')
    .action(async (parentDir: string, opts: BranchCommandOptions) => {
      simDbOf(parentDir, 'branch');
      try {
        const outcome = await branchRun(parentDir, {
          resultsRoot: opts.out ?? dirname(dirname(resolve(parentDir))),
          atStep: opts.atStep,
          overrides: opts.set,
          force: opts.force,
          quiet: opts.quiet,
          command: process.argv.slice(2),
          ...(opts.quiet ? {} : { note: (message: string) => void process.stderr.write(`note: ${message}\n`) }),
        });
        const reportPath = opts.report && outcome.info.status === 'completed' ? await writeReport(outcome.dir) : null;
        printOutcome({ ...outcome, reportPath });
      } catch (err) {
        if (err instanceof BranchError || err instanceof RunExistsError || err instanceof PolicyUnavailableError) {
          throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
        }
        throw err;
      }
    });
}
