#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';

async function main(): Promise<void> {
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
    } else if (err instanceof CliError) {
      process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}

await main();
