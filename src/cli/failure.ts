/**
 * The last word on an error that reaches the top of the CLI: one line with a stable code for
 * anything the user can fix (bad input, a refused run, the system saying no), and for anything
 * else — a bug — "this is a bug" plus the path of a log file holding the stack trace, never the
 * trace itself. Nothing printed or logged carries the value of an API key from the environment.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { looksSecretKey, maskSecrets } from '../config/secrets.js';
import { redactText } from '../llm/redact.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

export const EXIT_BUG = 70;

/** Values of environment variables whose names look like secrets (OPENAI_API_KEY, HF_TOKEN …). */
function environmentSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, v]) => looksSecretKey(name) && typeof v === 'string' && v.length >= 8)
    .map(([, v]) => v as string);
}

export function clean(text: string): string {
  return maskSecrets(redactText(text, environmentSecrets()));
}

/** The project's stable error codes are dotted lower-case words: `config.invalid`, `dataset.columns`. */
const STABLE_CODE = /^[a-z]+\.[a-z_]+$/;

/** Where a bug's trace goes: $XDG_STATE_HOME (or ~/.local/state)/socialsim/bugs, else the temp folder. */
function bugFolder(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  for (const dir of [join(base, 'socialsim', 'bugs'), join(tmpdir(), 'socialsim-bugs')]) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // Next candidate.
    }
  }
  return tmpdir();
}

/** Writes the bug's log; its path, or null when even that fails. */
export function writeBugLog(err: unknown, argv: readonly string[], version: string): string | null {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(bugFolder(), `bug-${stamp}-${process.pid}.log`);
  const trace = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const text = [`socialsim ${version} on Node ${process.version} (${process.platform})`, `command: socialsim ${argv.join(' ')}`, '', trace, ''].join('\n');
  try {
    writeFileSync(file, clean(text), { mode: 0o600 });
    return file;
  } catch {
    return null;
  }
}

/** Prints the one line (two for a bug) and returns the exit code. */
export function reportFailure(err: unknown, argv: readonly string[], version: string, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (err instanceof CliError) {
    write(`error [${err.code}]: ${clean(err.message)}\n`);
    return err.exitCode;
  }
  const e = err as { code?: unknown; exitCode?: unknown; syscall?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // A user-facing error class of some module (DatasetError, ResumeError …) not wrapped on its way up.
  if (code !== undefined && STABLE_CODE.test(code)) {
    write(`error [${code}]: ${clean(message)}\n`);
    return typeof e?.exitCode === 'number' ? e.exitCode : EXIT_INVALID_INPUT;
  }
  // The system refused (permissions, a full disk, a missing folder): the user's to fix, not a bug.
  if (code !== undefined && /^E[A-Z]+$/.test(code) && typeof e?.syscall === 'string') {
    write(`error [system.${code.toLowerCase()}]: ${clean(message)}\n`);
    return 1;
  }
  const log = writeBugLog(err, argv, version);
  write(
    `error [internal]: this is a bug in socialsim: ${clean(message).split('\n')[0]}\n` +
      (log ? `the stack trace is in ${log}; please attach it to a bug report\n` : 'the stack trace could not be written to a log file\n'),
  );
  return EXIT_BUG;
}
