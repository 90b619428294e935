/**
 * The CLI two ways: `cli` starts the real binary (bin/socialsim.js) and waits for it; `cliInProcess`
 * runs the same command line in this process through runCommandLine (what main.ts runs), with
 * its stdout, stderr and exit code captured. A process costs Node's start, the command's imports
 * and a fresh DuckDB (about a second); in process, a command that only checks its input, or reads
 * a run, costs milliseconds. Keep a few cases of a file on the binary, where the claim is about
 * the process (exit codes as a shell sees them, signals, stdin, an error no await chain catches).
 */
import { spawnSync } from 'node:child_process';
import { runCommandLine } from '../../src/cli/command-line.js';

export const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
export const ROOT = new URL('../..', import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process (no colour), from `cwd`. */
export function cli(args: readonly string[], cwd = ROOT, timeout = 120_000): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Write = typeof process.stdout.write;

/** A stream's write that appends to `into` instead (and calls back like a write that finished). */
function capture(into: string[]): Write {
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as Write;
}

/** Puts back an own property as it was, or removes the one set over an inherited one. */
function restore(stream: NodeJS.WriteStream, key: 'isTTY' | 'write', was: PropertyDescriptor | undefined): void {
  if (was) Object.defineProperty(stream, key, was);
  else delete (stream as unknown as Record<string, unknown>)[key];
}

let busy = false;

/**
 * Runs the command line in this process from `cwd`, as the binary would: output captured, what
 * it throws mapped to a message and an exit code, stderr not a terminal, no colour. One at a
 * time (it swaps the process's streams, working folder and exit code, and puts them back).
 */
export async function cliInProcess(args: readonly string[], cwd = ROOT): Promise<CliResult> {
  if (busy) throw new Error('cliInProcess: one command at a time');
  busy = true;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = {
    out: Object.getOwnPropertyDescriptor(process.stdout, 'write'),
    err: Object.getOwnPropertyDescriptor(process.stderr, 'write'),
    outTty: Object.getOwnPropertyDescriptor(process.stdout, 'isTTY'),
    errTty: Object.getOwnPropertyDescriptor(process.stderr, 'isTTY'),
    cwd: process.cwd(),
    exitCode: process.exitCode,
    color: process.env.FORCE_COLOR,
  };
  process.stdout.write = capture(stdout);
  process.stderr.write = capture(stderr);
  Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true, writable: true });
  Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true, writable: true });
  process.env.FORCE_COLOR = '0';
  process.exitCode = undefined;
  process.chdir(cwd);
  try {
    await runCommandLine(['node', BIN, ...args]);
    const code = process.exitCode;
    return { code: code === undefined ? 0 : Number(code), stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.chdir(saved.cwd);
    process.exitCode = saved.exitCode;
    if (saved.color === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = saved.color;
    restore(process.stdout, 'isTTY', saved.outTty);
    restore(process.stderr, 'isTTY', saved.errTty);
    restore(process.stdout, 'write', saved.out);
    restore(process.stderr, 'write', saved.err);
    busy = false;
  }
}
