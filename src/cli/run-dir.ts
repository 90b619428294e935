import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

/** The sim.duckdb of a run folder, or a CliError that says what was expected. */
export function simDbOf(runDir: string): string {
  const db = join(runDir, 'sim.duckdb');
  if (!existsSync(runDir)) throw new CliError('run.not_found', `no such run folder: ${runDir}`, EXIT_INVALID_INPUT);
  if (!existsSync(db)) {
    throw new CliError('run.not_found', `${runDir} holds no sim.duckdb; pass a folder made by \`socialsim run\` (results/<experiment>/<run-id>)`, EXIT_INVALID_INPUT);
  }
  return db;
}

/** Relative to the working directory when inside it, absolute otherwise. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel;
}
