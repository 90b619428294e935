import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { shown } from './run-dir.js';
import { findRuns } from '../engine/run-list.js';
import { formatRunList } from './run-list.js';

/** What `socialsim list` prints for a results folder: a table, or JSON with `json`. */
export function listCommand(dir: string, opts: { readonly json?: boolean } = {}): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CliError('list.not_found', `no such folder: ${dir} (runs go to results/ unless run with --out)`, EXIT_INVALID_INPUT);
  }
  const folders = findRuns(dir);
  if (opts.json) return JSON.stringify(folders, null, 2) + '\n';
  if (folders.length === 0) return `no runs, sweeps or calibrations under ${shown(dir)}; start one with: socialsim run experiments/quickstart.yaml\n`;
  return formatRunList(folders);
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the runs, sweeps and calibrations under a results folder, newest first: status, experiment, seed, steps, when')
    .argument('[results-dir]', 'a results root or any folder beneath it', 'results')
    .option('--json', 'print them as JSON')
    .action((dir: string, opts: { json?: boolean }) => {
      process.stdout.write(listCommand(dir, opts));
    });
}
