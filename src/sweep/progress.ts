import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';

/** How a sweep reports progress: a live board on a terminal, one line per finished run otherwise. */
export interface SweepProgress {
  /** A run started; `steps` is its planned step count. */
  started(key: string, label: string, runDir: string, steps: number): void;
  /** A run ended; `line` is what the plain log prints for it. */
  finished(key: string, line: string): void;
  stop(): void;
}

/** Steps a running run has committed, from its run.json (written after every step). */
function stepsDone(runDir: string): number {
  const p = join(runDir, 'run.json');
  if (!existsSync(p)) return 0;
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { steps_completed?: number }).steps_completed ?? 0;
  } catch {
    return 0; // caught mid-rename; the next poll reads it
  }
}

export function createSweepProgress(total: number, log: (line: string) => void, opts: { quiet?: boolean } = {}): SweepProgress {
  if (opts.quiet) return { started() {}, finished() {}, stop() {} };
  if (!process.stderr.isTTY) return { started() {}, finished: (_k, line) => log(line), stop() {} };

  const multi = new cliProgress.MultiBar(
    { stream: process.stderr, hideCursor: true, clearOnComplete: false, format: '{label} {bar} {value}/{total} {unit}' },
    cliProgress.Presets.shades_classic,
  );
  const overall = multi.create(total, 0, { label: 'sweep'.padEnd(32), unit: 'runs' });
  const running = new Map<string, { bar: cliProgress.SingleBar; runDir: string }>();
  // One bar per running run, its steps polled from run.json.
  const timer = setInterval(() => {
    for (const { bar, runDir } of running.values()) bar.update(stepsDone(runDir));
  }, 500);
  let done = 0;
  return {
    started(key, label, runDir, steps) {
      running.set(key, { bar: multi.create(steps, 0, { label: label.slice(0, 32).padEnd(32), unit: 'steps' }), runDir });
    },
    finished(key, line) {
      const r = running.get(key);
      if (r) {
        multi.remove(r.bar);
        running.delete(key);
      }
      multi.log(`${line}\n`);
      overall.update(++done);
    },
    stop() {
      clearInterval(timer);
      multi.stop();
    },
  };
}
