import type { Command } from 'commander';
import { formatRunSummary, summarizeRun } from '../analysis/index.js';
import { simDbOf } from './run-dir.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('summarise a run: agents, posts, actions by type and by step, top errors')
    .argument('<run-dir>', 'results/<experiment>/<run-id>')
    .option('--json', 'print the summary as JSON')
    .action(async (runDir: string, opts: { json?: boolean }) => {
      const summary = await summarizeRun(simDbOf(runDir));
      process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatRunSummary(summary) + '\n');
    });
}
