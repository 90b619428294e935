import type { Command } from 'commander';
import { runLabel } from '../sweep/expand.js';
import { runSweep, type SweepOutcome } from '../sweep/run-sweep.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { shown } from './run-dir.js';

export interface SweepCommandOptions {
  readonly out: string;
  readonly parallel: number;
  readonly dryRun?: boolean;
  readonly set: readonly string[];
  readonly quiet?: boolean;
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
    .option('-q, --quiet', 'no progress lines')
    .action(async (file: string, opts: SweepCommandOptions) => {
      const outcome = await runSweep(file, { resultsRoot: opts.out, parallel: opts.parallel, dryRun: opts.dryRun, overrides: opts.set, quiet: opts.quiet });
      if (opts.dryRun) {
        for (const r of outcome.runs) process.stdout.write(`${r.run_id}  ${r.config_hash}  ${runLabel(r.params)}\n`);
        process.stdout.write(`${outcome.runs.length} runs; sweep folder would be ${shown(outcome.dir)}\n`);
        return;
      }
      printSweepOutcome(outcome);
    });
}
