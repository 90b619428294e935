/** The socialsim command line: its commands, each registered by its own module. */
import { Command } from 'commander';
import { ownVersion } from '../common/packages.js';

type Register = (program: Command) => void;

/**
 * Each command's module, imported only when the command line names it: importing them all
 * loads DuckDB, vega, openai and piscina (~1 s of CPU), which `--version` or `validate` do not
 * need. Help and unknown commands load every one (their descriptions, "did you mean").
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import('./validate.js')).registerValidate,
  run: async () => (await import('./run.js')).registerRun,
  resume: async () => (await import('./resume.js')).registerResume,
  branch: async () => (await import('./branch.js')).registerBranch,
  report: async () => (await import('./report.js')).registerReport,
  inspect: async () => (await import('./inspect.js')).registerInspect,
  timeline: async () => (await import('./timeline.js')).registerTimeline,
  list: async () => (await import('./list.js')).registerList,
  analyze: async () => (await import('./analyze.js')).registerAnalyze,
  plan: async () => (await import('./plan.js')).registerPlan,
  launch: async () => (await import('./launch.js')).registerLaunch,
  sweep: async () => (await import('./sweep.js')).registerSweep,
  calibrate: async () => (await import('./calibrate.js')).registerCalibrate,
  board: async () => (await import('./board.js')).registerBoard,
  worker: async () => (await import('./worker.js')).registerWorker,
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
