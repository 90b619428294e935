import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { findRuns } from '../engine/run-list.js';
import { formatRunList } from './run-list.js';

/** Folders listed in the error for a folder that is not a run, at most. */
const LISTED = 10;

/**
 * The sim.duckdb of a run folder, or a CliError that says what was expected: for a folder that
 * holds runs deeper down (`results/`), those runs and how to pass one to `command`.
 */
export function simDbOf(runDir: string, command = 'inspect'): string {
  const db = join(runDir, 'sim.duckdb');
  if (!existsSync(runDir)) throw new CliError('run.not_found', `no such run folder: ${runDir}`, EXIT_INVALID_INPUT);
  if (!existsSync(db)) {
    const beneath = findRuns(runDir);
    const runs = beneath.filter((f) => f.kind === 'run');
    if (beneath.length === 0 || runs.length === 0) {
      throw new CliError('run.not_found', `${runDir} holds no sim.duckdb; pass a folder made by \`socialsim run\` (results/<experiment>/<run-id>)`, EXIT_INVALID_INPUT);
    }
    const more = beneath.length > LISTED ? `… and ${beneath.length - LISTED} more: socialsim list ${shown(runDir)}\n` : '';
    throw new CliError(
      'run.not_found',
      `${runDir} is not a run folder (it holds no sim.duckdb); the run folders beneath it:\n` +
        formatRunList(beneath.slice(0, LISTED)).replace(/^/gm, '  ').trimEnd() +
        `\n${more}pass one of them, e.g.: socialsim ${command} ${shown((runs.find((r) => r.status === 'completed') ?? runs[0]!).path)}`,
      EXIT_INVALID_INPUT,
    );
  }
  return db;
}

/** Relative to the working directory when inside it, absolute otherwise. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}
