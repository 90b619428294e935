import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyUnavailableError } from '../agents/policies.js';
import { resumeRunOrBranch } from '../engine/branch.js';
import { ResumeError } from '../engine/run.js';
import { writeReport } from '../report/index.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { parseMaxSteps } from './numbers.js';
import { printOutcome } from './run.js';
import { simDbOf } from './run-dir.js';
import { resumeSweep } from '../sweep/run-sweep.js';
import { parseParallel, printSweepOutcome } from './sweep.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue an interrupted or crashed run after its last committed step, or a sweep\'s unfinished runs')
    .argument('<run-dir>', 'results/<experiment>/<run-id>, or a sweep folder results/<experiment>/sweep-<id>')
    .option('--parallel <n>', 'sweeps: runs at once', parseParallel, 1)
    .option('--max-steps <n>', 'stop (resumably) after this many steps', parseMaxSteps)
    .option('--no-report', 'skip writing report.html')
    .option('-q, --quiet', 'no progress output')
    .action(async (runDir: string, opts: { maxSteps?: number; report: boolean; quiet?: boolean; parallel: number }) => {
      if (existsSync(join(runDir, 'sweep.json'))) {
        printSweepOutcome(await resumeSweep(runDir, { parallel: opts.parallel, quiet: opts.quiet }));
        return;
      }
      simDbOf(runDir, 'resume');
      try {
        const outcome = await resumeRunOrBranch(runDir, { quiet: opts.quiet, maxSteps: opts.maxSteps, command: process.argv.slice(2) });
        const reportPath = opts.report && outcome.info.status === 'completed' ? await writeReport(outcome.dir) : null;
        printOutcome({ ...outcome, reportPath }, opts.maxSteps !== undefined);
      } catch (err) {
        if (err instanceof ResumeError || err instanceof PolicyUnavailableError) throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
        throw err;
      }
    });
}
