#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { readFileSync } from 'node:fs';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { registerBranch } from './branch.js';
import { registerCalibrate } from './calibrate.js';
import { registerInspect } from './inspect.js';
import { registerLaunch } from './launch.js';
import { registerList } from './list.js';
import { registerPlan } from './plan.js';
import { registerReport } from './report.js';
import { registerResume } from './resume.js';
import { registerRun } from './run.js';
import { registerSweep } from './sweep.js';
import { registerTimeline } from './timeline.js';
import { registerValidate } from './validate.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('socialsim')
    .description('Simulate a Twitter-like social network with LLM or statistical agents')
    .version(PACKAGE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program);
  registerRun(program);
  registerResume(program);
  registerBranch(program);
  registerReport(program);
  registerInspect(program);
  registerTimeline(program);
  registerList(program);
  registerPlan(program);
  registerLaunch(program);
  registerSweep(program);
  registerCalibrate(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_INVALID_INPUT;
    } else if (err instanceof ConfigError) {
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
