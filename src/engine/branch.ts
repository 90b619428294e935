import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createPolicies } from '../agents/policies.js';
import type { AgentPolicy } from '../agents/types.js';
import { loadExperiment } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import { recordedResponses } from './replay.js';
import { readRunInfo, RUN_FILES, type RunInfo } from './run-folder.js';
import { continueRun, resumeRun, type RunOptions, type RunOutcome, startRunFolder } from './run.js';

/** The branch cannot be made as asked. */
export class BranchError extends Error {
  readonly code = 'run.branch_invalid';
}

export interface BranchOptions extends Omit<RunOptions, 'replayFrom' | 'maxSteps'> {
  readonly atStep: number;
  /** `--set` changes that apply from `atStep` on. */
  readonly overrides: readonly string[];
}

/**
 * A counterfactual run: steps 0 … atStep−1 are the parent's (re-executed from its experiment,
 * its LLM cohorts answered from its recorded responses, so they are identical to the parent's),
 * then the changed experiment takes over. The changes should be ones that act during the run
 * (recommender, model parameters, budgets, seeds' posts); changing the population or dataset
 * makes the first steps no longer the parent's.
 */
export async function branchRun(parentDir: string, opts: BranchOptions): Promise<RunOutcome> {
  if (!existsSync(join(parentDir, RUN_FILES.info))) throw new BranchError(`${parentDir} is not a run folder (no ${RUN_FILES.info})`);
  const parentInfo = readRunInfo(parentDir);
  if (!Number.isInteger(opts.atStep) || opts.atStep < 1 || opts.atStep > parentInfo.steps_completed) {
    throw new BranchError(`--at-step must be between 1 and the parent's ${parentInfo.steps_completed} completed steps, got ${opts.atStep}`);
  }
  const parentExp = loadExperiment(join(parentDir, RUN_FILES.resolved));
  const branchExp = loadExperiment(join(parentDir, RUN_FILES.resolved), { overrides: opts.overrides });
  if (branchExp.clock.timesteps <= opts.atStep) throw new BranchError(`the branch has ${branchExp.clock.timesteps} steps; nothing would run from step ${opts.atStep}`);

  const prefixPolicies = await prefixPoliciesOf(parentDir, parentExp);
  const { dir, info } = await startRunFolder(branchExp, opts, prefixPolicies, `-at${opts.atStep}`, { branch_of: parentDir, branch_at_step: opts.atStep });
  // Steps before the branch point: the parent's experiment, answered from the parent's recording.
  await continueRun(dir, parentExp, info, { ...opts, maxSteps: opts.atStep, embeddingsFrom: parentDir }, prefixPolicies);
  if (!reachedBranchPoint(info, opts.atStep)) return { dir, info };
  info.status = 'running';
  return continueRun(dir, branchExp, info, opts, createPolicies(branchExp));
}

/** The parent's policies for the shared steps: every LLM model answers from the parent's recording only. */
async function prefixPoliciesOf(parentDir: string, parentExp: Experiment): Promise<Map<string, AgentPolicy>> {
  const replay = await recordedResponses(parentDir);
  for (const [name, m] of Object.entries(parentExp.models)) if (m.provider !== 'statistical' && !replay.has(name)) replay.set(name, []);
  return createPolicies(parentExp, process.env, { replay });
}

/**
 * Resumes a branch interrupted before its branch point: finishes the shared steps the
 * parent's way, then continues as the branch. Past the branch point it is an ordinary resume.
 */
export async function resumeRunOrBranch(dir: string, opts: Omit<RunOptions, 'resultsRoot' | 'now'> = {}): Promise<RunOutcome> {
  const info = readRunInfo(dir);
  if (!info.branch_of || info.branch_at_step === undefined || info.steps_completed >= info.branch_at_step) return resumeRun(dir, opts);
  const parentExp = loadExperiment(join(info.branch_of, RUN_FILES.resolved));
  const branchExp = loadExperiment(join(dir, RUN_FILES.resolved));
  info.status = 'running';
  await continueRun(dir, parentExp, info, { ...opts, maxSteps: info.branch_at_step - info.steps_completed, embeddingsFrom: info.branch_of }, await prefixPoliciesOf(info.branch_of, parentExp));
  if (!reachedBranchPoint(info, info.branch_at_step)) return { dir, info };
  info.status = 'running';
  return continueRun(dir, branchExp, info, opts, createPolicies(branchExp));
}

/** After the shared steps: stopped on purpose exactly at the branch point (not by Ctrl-C, a budget or a failure). */
function reachedBranchPoint(info: RunInfo, atStep: number): boolean {
  return info.status === 'interrupted' && info.steps_completed >= atStep;
}
