#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ownVersion } from '../common/packages.js';
import { buildProgram } from './program.js';
import { EXIT_INVALID_INPUT } from './errors.js';

/** An error thrown outside the command's own await chain (a stream's handler, a stray promise). */
async function fatal(err: unknown): Promise<void> {
  const { reportFailure } = await import('./failure.js');
  process.exit(reportFailure(err, process.argv.slice(2), ownVersion()));
}

async function main(): Promise<void> {
  // Node would print the stack trace itself: these end in one line and a bug log like the rest.
  process.on('uncaughtException', (err) => void fatal(err));
  process.on('unhandledRejection', (err) => void fatal(err));
  try {
    await (await buildProgram(process.argv)).parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --version and --help end here too (exit code 0).
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_INVALID_INPUT;
      return;
    }
    // Imported here, not above: --version need not load the config module.
    const { ConfigError } = await import('../config/load.js');
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = EXIT_INVALID_INPUT;
    } else {
      // Anything else: one line with a code, or "this is a bug" and a log file; never a stack trace.
      const { reportFailure } = await import('./failure.js');
      process.exitCode = reportFailure(err, process.argv.slice(2), ownVersion());
    }
  }
}

await main();
