/**
 * Numeric command-line options, checked when commander parses them: `Number.parseInt('abc')`
 * is NaN, which every later `if (maxSteps !== undefined)` reads as a number and ignores, and a
 * negative count used to make a 0-step "interrupted" folder. Each refusal is exit 2.
 */
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

/** A parser for an integer option ≥ `min` (and a safe integer, so it survives JSON and DuckDB). */
export function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new CliError('cli.bad_number', `${flag} must be an integer ≥ ${min}, got "${value}"`, EXIT_INVALID_INPUT);
    return n;
  };
}

/** `--seed`: any safe integer (a larger one would be stored rounded and collide with its neighbour). */
export function parseSeed(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new CliError('cli.bad_seed', `--seed must be an integer, got "${value}" (at most ${Number.MAX_SAFE_INTEGER} in absolute value)`, EXIT_INVALID_INPUT);
  }
  return n;
}

/** `--max-steps` of run, resume and launch: at least one step. */
export const parseMaxSteps = wholeNumber('--max-steps', 1);
