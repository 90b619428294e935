import cliProgress from 'cli-progress';
import type { StepReport } from './simulate.js';

export interface Progress {
  step(report: StepReport): void;
  /** A line about something happening now (an endpoint going down), between the step lines. */
  note(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  /** Where to write (default stderr). */
  readonly stream?: NodeJS.WritableStream;
  /** Draw a bar instead of one line per step (default: whether the stream is a terminal). */
  readonly tty?: boolean;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * One step's line. Steps are numbered from 0, as in the database, `inspect`, events.jsonl and
 * `--at-step`; "(k/n done)" counts the steps completed, as `completed: k/n steps` does:
 * `step 0 (1/24 done) …` is the first step, `step 23 (24/24 done)` the last.
 */
export function stepLine(r: StepReport, total: number): string {
  return (
    `step ${r.step} (${r.step + 1}/${total} done) ${r.simTime} active=${fmt(r.activeAgents)} actions=${fmt(r.actions)} failed=${fmt(r.failed)} ` +
    `${fmt((r.actions / Math.max(r.wallMs, 1)) * 1000)} actions/s`
  );
}

/** The terminal bar: steps done of the run, then the 0-based number of the step just finished. */
export const BAR_FORMAT = 'steps done {bar} {value}/{total} | step {step} ({sim}) | {actions} actions | {rate} actions/s';

/** A bar on stderr when it is a terminal; plain log lines (one per step) otherwise. */
export function createProgress(total: number, startAt: number, opts: ProgressOptions = {}): Progress {
  if (opts.quiet) return { step() {}, note() {}, stop() {} };
  const stream = opts.stream ?? process.stderr;
  let actions = 0;
  let wall = 0;
  if (opts.tty ?? (stream as { isTTY?: boolean }).isTTY === true) {
    const bar = new cliProgress.SingleBar(
      { format: BAR_FORMAT, stream, hideCursor: true, ...(opts.tty ? { noTTYOutput: true, notTTYSchedule: 0 } : {}) },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, startAt, { actions: '0', rate: '0', step: '-', sim: '' });
    return {
      step(r) {
        actions += r.actions;
        wall += r.wallMs;
        bar.update(r.step + 1, { actions: fmt(actions), rate: fmt((actions / Math.max(wall, 1)) * 1000), step: String(r.step), sim: r.simTime });
      },
      // Writes the note over the bar's line; the bar comes back below it at its next update.
      note(line) {
        stream.write(`\r\x1b[K${line}\n`);
      },
      stop: () => bar.stop(),
    };
  }
  return {
    step(r) {
      stream.write(stepLine(r, total) + '\n');
    },
    note(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
