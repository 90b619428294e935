import type { Command } from 'commander';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyUnavailableError } from '../agents/policies.js';
import { estimateRunFile } from '../config/capacity.js';
import { loadExperiment } from '../config/load.js';
import { relaunchedWithFlags } from './heap.js';
import { resumeRunOrBranch } from '../engine/branch.js';
import { ResumeError } from '../engine/run.js';
import { readRunInfo, RUN_FILES } from '../engine/run-folder.js';
import { liveWriter, RunLockedError } from '../engine/run-lock.js';
import { endpointCliError } from './endpoint-errors.js';
import { CliError, EXIT_INVALID_INPUT } from './errors.js';
import { parseMaxSteps } from './numbers.js';
import { checkRedisUrl, printOutcome, withoutPassword } from './run.js';
import { shown, simDbOf } from './run-dir.js';
import { runFailure, writeRunOutputs } from './run-guard.js';
import { resumeSweep } from '../sweep/run-sweep.js';
import { parseParallel, printSweepOutcome } from './sweep.js';

interface ResumeOptions {
  maxSteps?: number;
  report: boolean;
  quiet?: boolean;
  parallel: number;
  preflight: boolean;
  redis?: string;
}

export function registerResume(program: Command): void {
  program
    .command('resume')
    .description('continue an interrupted or crashed run after its last committed step, or a sweep\'s unfinished runs')
    .argument('<run-dir>', 'results/<experiment>/<run-id>, or a sweep folder results/<experiment>/sweep-<id>')
    .option('--parallel <n>', 'sweeps: runs at once', parseParallel, 1)
    .option('--max-steps <n>', 'stop (resumably) after this many steps', parseMaxSteps)
    .option('--no-report', 'skip writing report.html')
    .option('--no-preflight', 'continue without first checking that every model endpoint answers')
    .option('--redis <url>', 'send LLM agents\' requests to `socialsim worker` processes through this Redis (replaces the experiment\'s distributed.redis)')
    .option('-q, --quiet', 'no progress output')
    .action(async (runDir: string, opts: ResumeOptions) => {
      try {
        if (existsSync(join(runDir, 'sweep.json'))) {
          printSweepOutcome(await resumeSweep(runDir, { parallel: opts.parallel, quiet: opts.quiet, preflight: opts.preflight }));
          return;
        }
        const resolved = join(runDir, RUN_FILES.resolved);
        if (existsSync(resolved) && (await relaunchedWithFlags(estimateRunFile(resolved, opts.redis), opts.quiet))) return;
        await resumeOne(runDir, opts);
      } catch (err) {
        const endpoints = endpointCliError(err);
        if (endpoints) throw endpoints;
        if (err instanceof ResumeError || err instanceof PolicyUnavailableError) throw new CliError(err.code, err.message, EXIT_INVALID_INPUT);
        throw runFailure(err);
      }
    });
}

async function resumeOne(runDir: string, opts: ResumeOptions): Promise<void> {
  // A folder killed right after it was made (experiment.resolved.yaml, maybe run.json, no
  // sim.duckdb) starts from nothing; anything else without a database is not a run.
  if (!existsSync(join(runDir, RUN_FILES.resolved)) && !existsSync(join(runDir, RUN_FILES.info))) simDbOf(runDir, 'resume');
  const writer = liveWriter(runDir);
  if (writer !== null) throw new RunLockedError(runDir, writer);
  const info = existsSync(join(runDir, RUN_FILES.info)) ? readRunInfo(runDir) : null;
  if (info?.status === 'completed') {
    await finishReport(runDir, opts);
    return;
  }
  if (opts.redis !== undefined) checkRedisUrl(opts.redis);
  const outcome = await resumeRunOrBranch(runDir, {
    quiet: opts.quiet,
    maxSteps: opts.maxSteps,
    command: process.argv.slice(2).map(withoutPassword),
    preflight: opts.preflight,
    ...(opts.redis !== undefined ? { redis: opts.redis } : {}),
  });
  const outputs = opts.report && outcome.info.status === 'completed' ? await writeRunOutputs(outcome.dir, reportOptions(runDir)) : null;
  printOutcome({ ...outcome, reportPath: outputs?.reportPath ?? null, analysisPath: outputs?.analysisPath ?? null }, opts.maxSteps !== undefined);
}

/**
 * A completed run whose report.html is missing (killed while writing it): writes it. With a
 * report there (or not wanted), there is nothing to resume.
 */
async function finishReport(runDir: string, opts: ResumeOptions): Promise<void> {
  const info = readRunInfo(runDir);
  const wanted = opts.report && loadExperiment(join(runDir, RUN_FILES.resolved)).report.auto;
  if (existsSync(join(runDir, RUN_FILES.report)) || !wanted) {
    throw new ResumeError(`${runDir} already completed all ${info.timesteps} steps; nothing to resume (socialsim report ${shown(runDir)} rewrites its report)`);
  }
  const { reportPath, analysisPath } = await writeRunOutputs(runDir, reportOptions(runDir));
  // The killed writer's half-written temp file (report.html.tmp-<pid>).
  for (const f of readdirSync(runDir)) if (f.startsWith(`${RUN_FILES.report}.tmp-`)) rmSync(join(runDir, f), { force: true });
  if (!opts.quiet) process.stderr.write(`the run had completed; its report was missing and is now written\n`);
  printOutcome({ dir: runDir, info, reportPath, analysisPath });
}

function reportOptions(runDir: string): { topPosts: number } {
  return { topPosts: loadExperiment(join(runDir, RUN_FILES.resolved)).report.top_posts };
}
