import cliProgress from 'cli-progress';
import type { StepReport } from './simulate.js';

export interface Progress {
  step(report: StepReport): void;
  stop(): void;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A bar on stderr when it is a terminal; plain log lines (one per step) otherwise. */
export function createProgress(total: number, startAt: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { step() {}, stop() {} };
  let actions = 0;
  let wall = 0;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: 'steps {bar} {value}/{total} | {actions} actions | {rate} actions/s | step {sim}', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, startAt, { actions: '0', rate: '0', sim: '' });
    return {
      step(r) {
        actions += r.actions;
        wall += r.wallMs;
        bar.update(r.step + 1, { actions: fmt(actions), rate: fmt((actions / Math.max(wall, 1)) * 1000), sim: r.simTime });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    step(r) {
      process.stderr.write(
        `step ${r.step + 1}/${total} ${r.simTime} active=${fmt(r.activeAgents)} actions=${fmt(r.actions)} failed=${fmt(r.failed)} ` +
          `${fmt((r.actions / Math.max(r.wallMs, 1)) * 1000)} actions/s\n`,
      );
    },
    stop() {},
  };
}
