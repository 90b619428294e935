import type { Command } from 'commander';
import { formatRunSummary, summarizeRun, type RunSummary } from '../analysis/index.js';
import { readRunInfo } from '../report/run-info.js';
import { simDbOf } from './run-dir.js';

/** The summary `inspect` prints: the database's figures, plus what run.json says of the dataset load. */
export async function inspectRun(runDir: string): Promise<RunSummary> {
  const summary = await summarizeRun(simDbOf(runDir));
  let datasetLoad;
  try {
    datasetLoad = readRunInfo(runDir)?.dataset_load;
  } catch {
    // an unreadable run.json: the database's figures still stand
  }
  return datasetLoad ? { ...summary, datasetLoad } : summary;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('summarise a run: agents, posts, actions by type and by step, top errors, dataset rows skipped')
    .argument('<run-dir>', 'results/<experiment>/<run-id>')
    .option('--json', 'print the summary as JSON')
    .action(async (runDir: string, opts: { json?: boolean }) => {
      const summary = await inspectRun(runDir);
      process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatRunSummary(summary) + '\n');
    });
}
