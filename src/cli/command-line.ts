/**
 * One command line, parsed and run, with what it throws mapped to a message and an exit code
 * (process.exitCode) the way the CLI ends: main.ts runs it for `socialsim`, and tests run it in
 * their own process to check a command's output and exit code without starting Node again.
 */
import { CommanderError } from 'commander';
import { ownVersion } from '../common/packages.js';
import { buildProgram } from './program.js';
import { EXIT_INVALID_INPUT } from './errors.js';

/** Runs `argv` (node, script, command, arguments …) and sets process.exitCode for any failure. */
export async function runCommandLine(argv: readonly string[]): Promise<void> {
  try {
    await (await buildProgram(argv)).parseAsync([...argv]);
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
      process.exitCode = reportFailure(err, argv.slice(2), ownVersion());
    }
  }
}
