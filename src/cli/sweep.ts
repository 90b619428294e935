import type { Command } from 'commander';
import { confirmationNeeded, estimateRun, machineLimits } from '../config/capacity.js';
import { expandSweep, runLabel } from '../sweep/expand.js';
import { runSweep, type SweepOutcome } from '../sweep/run-sweep.js';
import { endpointCliError } from './endpoint-errors.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { checkOutDir } from './out-dir.js';
import { runFailure } from './run-guard.js';
import { shown } from './run-dir.js';

export interface SweepCommandOptions {
  readonly out: string;
  readonly parallel: number;
  readonly dryRun?: boolean;
  readonly set: readonly string[];
  readonly quiet?: boolean;
  readonly preflight: boolean;
  /** Run even runs estimated to need more than Node's heap or over a day. */
  readonly yes?: boolean;
}

/** The first run of the sweep that needs `--yes` (see src/config/capacity.ts), as a CliError. */
function checkSweepSize(file: string, overrides: readonly string[]): void {
  for (const run of expandSweep(file, overrides)) {
    const tooBig = confirmationNeeded(estimateRun(run.experiment as unknown as Record<string, unknown>), machineLimits(), true);
    if (tooBig) throw new CliError('run.needs_yes', `sweep run ${runLabel(run.params)}: ${tooBig}; pass --yes to run the sweep anyway`, EXIT_INVALID_INPUT);
  }
}

export function parseParallel(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliError('cli.bad_parallel', `--parallel must be an integer ≥ 1, got "${value}"`, EXIT_INVALID_INPUT);
  return n;
}

/** The summary `socialsim sweep` prints on stdout (and the exit code it sets). */
export function printSweepOutcome(o: SweepOutcome): void {
  const count = (s: string): number => o.runs.filter((r) => r.status === s).length;
  const failed = o.runs.length - count('completed') - count('budget_exhausted');
  process.stdout.write(
    `sweep ${o.sweepId}: ${o.runs.length} runs, ${count('completed')} completed` +
      (failed > 0 ? `, ${failed} not completed (${o.runs.filter((r) => r.status !== 'completed').map((r) => `${r.run_id} ${r.status}`).join(', ')})` : '') +
      `\nsweep folder: ${shown(o.dir)}\nindex:        ${shown(`${o.dir}/sweep.duckdb`)}\n` +
      (o.reportPath ? `report:       ${shown(o.reportPath)}\n` : '') +
      (o.interrupted ? `continue with: socialsim sweep again (finished runs are skipped)\n` : ''),
  );
  if (o.interrupted) process.exitCode = 130;
  else if (failed > 0) process.exitCode = 1;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run every combination of an experiment\'s sweep: block (matrix × seeds) and index the results')
    .argument('<file>', 'experiment YAML with a sweep: block')
    .option('--out <dir>', 'results root', 'results')
    .option('--parallel <n>', 'runs at once, each in its own process', parseParallel, 1)
    .option('--dry-run', 'print the expanded runs (parameters, config hash, run id) and exit')
    .option('--set <path=value...>', 'override a field of the base experiment (repeatable)', [])
    .option('--no-preflight', 'start without first checking that every model endpoint answers')
    .option('-q, --quiet', 'no progress lines')
    .option('--yes', 'run even when a run is estimated to need more than a day')
    .action(async (file: string, opts: SweepCommandOptions) => {
      if (!opts.dryRun && !opts.yes) checkSweepSize(file, opts.set);
      if (!opts.dryRun) checkOutDir(opts.out);
      let outcome: SweepOutcome;
      try {
        outcome = await runSweep(file, { resultsRoot: opts.out, parallel: opts.parallel, dryRun: opts.dryRun, overrides: opts.set, quiet: opts.quiet, preflight: opts.preflight });
      } catch (err) {
        throw endpointCliError(err) ?? runFailure(err);
      }
      if (opts.dryRun) {
        for (const r of outcome.runs) process.stdout.write(`${r.run_id}  ${r.config_hash}  ${runLabel(r.params)}\n`);
        process.stdout.write(`${outcome.runs.length} runs; sweep folder would be ${shown(outcome.dir)}\n`);
        return;
      }
      printSweepOutcome(outcome);
    });
}
