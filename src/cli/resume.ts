import type { Command } from 'commander';
import { PolicyUnavailableError } from '../agents/policies.js';
import { ResumeError, resumeRun } from '../engine/run.js';
import { writeReport } from '../report/index.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { printOutcome } from './run.js';
import { simDbOf } from './run-dir.js';

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue an interrupted or crashed run after its last committed step')
    .argument('<run-dir>', 'results/<experiment>/<run-id>')
    .option('--max-steps <n>', 'stop (resumably) after this many steps', (v) => Number.parseInt(v, 10))
    .option('--no-report', 'skip writing report.html')
    .option('-q, --quiet', 'no progress output')
    .action(async (runDir: string, opts: { maxSteps?: number; report: boolean; quiet?: boolean }) => {
      simDbOf(runDir);
      try {
        const outcome = await resumeRun(runDir, { quiet: opts.quiet, maxSteps: opts.maxSteps, command: process.argv.slice(2) });
        const reportPath = opts.report && outcome.info.status === 'completed' ? await writeReport(outcome.dir) : null;
        printOutcome({ ...outcome, reportPath }, opts.maxSteps !== undefined);
      } catch (err) {
        if (err instanceof ResumeError || err instanceof PolicyUnavailableError) throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
        throw err;
      }
    });
}
