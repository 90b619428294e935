import type { Command } from 'commander';
import { writeReport } from '../report/index.js';
import { shown, simDbOf } from './run-dir.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write report.html (self-contained, opens offline) for a run folder')
    .argument('<run-dir>', 'results/<experiment>/<run-id>')
    .option('--out <path>', 'output file or folder (default: the run folder)')
    .option('--top <n>', 'posts in the top-posts table', (v) => Number.parseInt(v, 10))
    .action(async (runDir: string, opts: { out?: string; top?: number }) => {
      simDbOf(runDir);
      const path = await writeReport(runDir, { ...(opts.out ? { out: opts.out } : {}), ...(opts.top ? { topPosts: opts.top } : {}) });
      process.stdout.write(`report: ${shown(path)}\n`);
    });
}
