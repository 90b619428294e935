import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withSimDb } from '../analysis/open.js';
import { formatTimeline, parseStepRange, timelineHtml, TimelineError, userTimeline } from '../analysis/timeline.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { shown, simDbOf } from './run-dir.js';

export function registerTimeline(program: Command): void {
  program
    .command('timeline')
    .description("one account's run step by step: what it was shown, what it did, what it wrote, who followed it, its model's prompts and answers")
    .argument('<run-dir>', 'results/<experiment>/<run-id>')
    .requiredOption('--user <id|username>', 'the account: its user id or username')
    .option('--steps <a..b>', 'only these steps (3..7, 3.., ..7 or 5)')
    .option('--json', 'print the timeline as JSON')
    .option('--html <file>', 'also write it as a self-contained HTML page')
    .action(async (runDir: string, opts: { user: string; steps?: string; json?: boolean; html?: string }) => {
      const db = simDbOf(runDir);
      try {
        const steps = opts.steps === undefined ? undefined : parseStepRange(opts.steps);
        const timeline = await withSimDb(db, (h) => userTimeline(h, opts.user, steps));
        process.stdout.write(opts.json ? `${JSON.stringify(timeline, null, 2)}\n` : `${formatTimeline(timeline)}\n`);
        if (opts.html) {
          writeFileSync(opts.html, timelineHtml(timeline));
          process.stderr.write(`wrote ${shown(opts.html)}\n`);
        }
      } catch (err) {
        if (err instanceof TimelineError) throw new CliError('timeline.invalid', err.message, EXIT_INVALID_INPUT);
        throw err;
      }
    });
}
