#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ownVersion } from '../common/packages.js';
import { EXIT_INVALID_INPUT } from './errors.js';

type Register = (program: Command) => void;

/**
 * Each command's module, imported only when the command line names it: importing them all
 * loads DuckDB, vega, openai and piscina (~1 s of CPU), which `--version` or `validate` do not
 * need. Help and unknown commands load every one (their descriptions, "did you mean").
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import('./validate.js')).registerValidate,
  run: async () => (await import('./run.js')).registerRun,
  resume: async () => (await import('./resume.js')).registerResume,
  branch: async () => (await import('./branch.js')).registerBranch,
  report: async () => (await import('./report.js')).registerReport,
  inspect: async () => (await import('./inspect.js')).registerInspect,
  timeline: async () => (await import('./timeline.js')).registerTimeline,
  list: async () => (await import('./list.js')).registerList,
  plan: async () => (await import('./plan.js')).registerPlan,
  launch: async () => (await import('./launch.js')).registerLaunch,
  sweep: async () => (await import('./sweep.js')).registerSweep,
  calibrate: async () => (await import('./calibrate.js')).registerCalibrate,
};

/** The commands `argv` needs registered: the one it names, none for a bare --version, else all. */
function commandsFor(argv: readonly string[]): string[] {
  const first = argv[2];
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return [first];
  if (argv.length === 3 && (first === '--version' || first === '-V')) return [];
  return Object.keys(COMMANDS);
}

/** The CLI with the commands `argv` needs (every command by default). */
export async function buildProgram(argv: readonly string[] = ['node', 'socialsim', '--help']): Promise<Command> {
  const program = new Command('socialsim')
    .description('Simulate a Twitter-like social network with LLM or statistical agents')
    .version(ownVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const name of commandsFor(argv)) (await COMMANDS[name]!())(program);
  return program;
}

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
