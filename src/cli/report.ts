import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport } from '../report/index.js';
import { reportSweep } from '../sweep/rereport.js';
import { SWEEP_FILES } from '../sweep/run-sweep.js';
import { wholeNumber } from './numbers.js';
import { shown, simDbOf } from './run-dir.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write report.html (self-contained, opens offline) for a run folder, or sweep-report.html and the recommender table for a sweep folder')
    .argument('<run-dir>', 'results/<experiment>/<run-id>, or a sweep folder results/<experiment>/sweep-<id>')
    .option('--out <path>', 'output file, or a folder (existing, or ending in /) to write <experiment>-<run-id>.html into (default: report.html in the run folder)')
    .option('--top <n>', 'posts in the top-posts table', wholeNumber('--top', 1))
    .action(async (runDir: string, opts: { out?: string; top?: number }) => {
      if (existsSync(join(runDir, SWEEP_FILES.info))) {
        process.stdout.write(`report: ${shown(await reportSweep(runDir))}\n`);
        return;
      }
      simDbOf(runDir, 'report');
      const path = await writeReport(runDir, { ...(opts.out ? { out: opts.out } : {}), ...(opts.top ? { topPosts: opts.top } : {}) });
      process.stdout.write(`report: ${shown(path)}\n`);
    });
}
