/**
 * One run of a sweep (or of a calibration), in its own process (its own DuckDB writer), started
 * by `child-runner.ts`:
 *
 *   node dist/src/sweep/child.js run <experiment.yaml> <results-root> <experiment file> [--force] [--no-report] [--by=<command>]
 *   node dist/src/sweep/child.js resume <run-dir> [--no-report] [--by=<command>]
 *
 * (or `node --import <tsx loader> src/sweep/child.ts …` when dist/ is missing or stale).
 *
 * Writes the run's report.html when it completes, like `socialsim run`, unless --no-report.
 * `--by` names the command that started it in run.json (default sweep). Exit code 0 when the run
 * ended (whatever its status; run.json says which), 1 when it threw.
 *
 * It dies with the process that started it: its stdin is a pipe from that process, which the
 * kernel closes when the parent ends, however (kill -9 included). A child left running would
 * race the `resume` of its sweep; killed at once, its run folder is resumable like any other.
 */
import { markSweepChild } from '../common/test-hooks.js';
import { loadExperiment } from '../config/load.js';
import { resumeRun, runExperiment, type RunOutcome } from '../engine/run.js';
import { writeReport } from '../report/index.js';

function dieWithParent(): void {
  const die = (): void => void process.kill(process.pid, 'SIGKILL');
  process.stdin.on('end', die);
  process.stdin.on('error', die);
  process.stdin.resume();
  // The pipe alone must not keep this process alive once its run is done.
  (process.stdin as { unref?: () => void }).unref?.();
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const [mode, target, root, file] = argv.filter((a) => !a.startsWith('--'));
  const by = flags.find((f) => f.startsWith('--by='))?.slice('--by='.length) ?? 'sweep';
  const command = [by, ...argv.filter((a) => !a.startsWith('--by='))];
  let outcome: RunOutcome;
  if (mode === 'run' && target && root && file) {
    const exp = loadExperiment(target);
    outcome = await runExperiment(exp, { resultsRoot: root, quiet: true, command, force: flags.includes('--force'), experimentFile: file });
  } else if (mode === 'resume' && target) {
    outcome = await resumeRun(target, { quiet: true, command });
  } else {
    throw new Error(`usage: child.ts run <experiment.yaml> <results-root> <experiment file> [--force] [--no-report] [--by=<command>] | resume <run-dir> [--no-report] [--by=<command>]; got ${argv.join(' ')}`);
  }
  const exp = loadExperiment(`${outcome.dir}/experiment.resolved.yaml`);
  if (outcome.info.status === 'completed' && exp.report.auto && !flags.includes('--no-report')) await writeReport(outcome.dir, { topPosts: exp.report.top_posts });
  process.stdout.write(`${JSON.stringify({ dir: outcome.dir, status: outcome.info.status, wall_ms: outcome.info.wall_ms })}\n`);
}

markSweepChild();
dieWithParent();
main(process.argv.slice(2)).catch((err: unknown) => {
  // An error that names itself (a config error, an endpoint outage, a full disk) is one line in
  // the run's log, as on the command line; anything else keeps its stack for the bug report.
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  const line = !(err instanceof Error) ? `error: ${String(err)}` : typeof code === 'string' ? `error [${code}]: ${err.message}` : `error: ${err.stack ?? err.message}`;
  process.stderr.write(`${line}\n`);
  process.exitCode = 1;
});
