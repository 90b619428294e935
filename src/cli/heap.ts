/**
 * A run larger than Node's default heap starts the CLI again with one that fits, instead of
 * dying minutes later in a V8 heap abort: `socialsim run` with a million agents needs a few GiB
 * of JS heap where Node gives about 4. A run that sends its LLM requests to workers starts again
 * with a coordinator's V8 flags (`COORDINATOR_FLAGS`: no memory reducer, a roomy old generation).
 * The new process gets the same command line, standard streams and signals; this one waits for
 * it and exits with its code.
 */
import { spawn } from 'node:child_process';
import { gib, heapFlagsFor, machineLimits, processFlagsFor, type RunEstimate } from '../config/capacity.js';

/** Set in the restarted process, so it never restarts again. */
const RELAUNCHED = 'SOCIALSIM_HEAP_RELAUNCHED';

/** The command line to start again, set by main.ts; null in a process that runs commands in-process (tests). */
let commandLine: readonly string[] | null = null;

export function allowHeapRelaunch(argv: readonly string[]): void {
  commandLine = argv;
}

/** Whether a run too large for this heap can restart with a larger one instead of needing --yes. */
export function canRelaunchHeap(): boolean {
  return commandLine !== null && process.env[RELAUNCHED] !== '1';
}

/**
 * Runs this command again with the V8 flags the estimate needs and returns true once it has
 * ended (process.exitCode is its exit code), or returns false at once when no restart is needed
 * or allowed (already restarted; running in-process; started with those flags).
 */
export async function relaunchedWithFlags(e: RunEstimate, quiet: boolean | undefined): Promise<boolean> {
  const argv = commandLine;
  if (argv === null || process.env[RELAUNCHED] === '1') return false;
  const flags = (processFlagsFor(e) ?? []).filter((f) => !process.execArgv.includes(f));
  if (flags.length === 0) return false;
  // Only the heap is worth a line: the memory reducer is the process's own business.
  if (!quiet && heapFlagsFor(e) !== null) {
    process.stderr.write(
      `${e.agents.toLocaleString('en-US')} agents need about ${gib(e.heapBytes)} of JS heap (Node's limit here is ${gib(machineLimits().heapLimitBytes)}): ` +
        `continuing in a process started with ${flags.join(' ')}\n`,
    );
  }
  const child = spawn(process.execPath, [...process.execArgv, ...flags, ...argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED]: '1' },
  });
  // Ctrl-C reaches the whole process group, the child included: this one only waits. A TERM or
  // HUP sent to this process alone is passed on.
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  const passedOn: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  const ignoreInt = (): void => undefined;
  process.on('SIGINT', ignoreInt);
  for (const s of passedOn) process.on(s, forward);
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`could not start a process with a larger heap: ${err.message}\n`);
      resolve(70);
    });
    child.on('exit', (status, signal) => resolve(status ?? 128 + signalNumber(signal)));
  });
  process.off('SIGINT', ignoreInt);
  for (const s of passedOn) process.off(s, forward);
  process.exitCode = code;
  return true;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : signal === 'SIGHUP' ? 1 : 15;
}
