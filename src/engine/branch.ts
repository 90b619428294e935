import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createPolicies } from '../agents/policies.js';
import type { AgentPolicy } from '../agents/types.js';
import { configHash, loadExperiment } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import { changedBudgets } from './budget.js';
import { populationChanges } from './branch-check.js';
import { recordedResponses } from './replay.js';
import { gitState } from './provenance.js';
import { readRunInfo, RUN_FILES, writeRunInfo, type RunInfo } from './run-folder.js';
import { ChannelDb } from '../channel/db.js';
import { releaseRunLock, withRunLock } from './run-lock.js';
import { continueRun, preflight, resumeRun, type RunOptions, type RunOutcome } from './run.js';
import { startRunFolder } from './run-start.js';
import { policiesFor } from './run-policies.js';

/** The branch cannot be made as asked. */
export class BranchError extends Error {
  readonly code = 'run.branch_invalid';
}

export interface BranchOptions extends Omit<RunOptions, 'replayFrom' | 'maxSteps'> {
  readonly atStep: number;
  /** `--set` changes that apply from `atStep` on. */
  readonly overrides: readonly string[];
  /** Told when the branch changes nothing (it then re-runs the parent's experiment from `atStep`). */
  readonly note?: (message: string) => void;
}

/**
 * A counterfactual run: steps 0 … atStep−1 are the parent's (re-executed from its experiment,
 * its LLM cohorts answered from its recorded responses, so they are identical to the parent's),
 * then the changed experiment takes over. Changes to who lives in the run (population, dataset,
 * seed: see branch-check.ts) are refused, since the branch continues on the parent's accounts.
 * A budget the branch changes starts afresh from the branch point (a decision the shared steps
 * took on it no longer holds); the others keep what the shared steps decided.
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
  const changes = populationChanges(parentExp, branchExp);
  if (changes.length > 0) {
    const list = changes.map((c) => `${c.path} (${c.before} → ${c.after})`).join(', ');
    throw new BranchError(
      `a branch cannot change who lives in the run: ${list}. The branch continues on its parent's accounts, personas, follow graph and opening posts, made at step 0; ` +
        `change what acts from step ${opts.atStep} on instead (recommender, models, budgets, scripted posts, interventions …), or start a new run: ` +
        `socialsim run ${join(parentDir, RUN_FILES.resolved)} ${opts.overrides.map((o) => `--set ${o}`).join(' ')}`.trimEnd(),
    );
  }
  if (configHash(branchExp) === configHash(parentExp)) {
    opts.note?.(
      `${opts.overrides.length === 0 ? 'no --set given' : 'the --set values are the parent\'s'}: the branch changes nothing and re-runs the parent's experiment from step ${opts.atStep} ` +
        '(a statistical run reproduces its parent exactly; LLM cohorts ask their models again)',
    );
  }

  // The branch's models answer from the branch point on: dead endpoints refuse it before its folder exists.
  await preflight(branchExp, opts);
  const prefixPolicies = await prefixPoliciesOf(parentDir, parentExp);
  const { dir, info } = await startRunFolder(branchExp, opts, prefixPolicies, gitState(process.cwd(), opts.experimentFile), `-at${opts.atStep}`, { branch_of: parentDir, branch_at_step: opts.atStep });
  try {
    // Steps before the branch point: the parent's experiment, answered from the parent's recording.
    await continueRun(dir, parentExp, info, { ...opts, maxSteps: opts.atStep, embeddingsFrom: parentDir }, prefixPolicies);
    if (!reachedBranchPoint(info, opts.atStep)) return { dir, info };
    return await continueBranch(dir, info, parentExp, branchExp, opts);
  } finally {
    releaseRunLock(dir);
  }
}

/** From the branch point: the branch's own experiment, live, its changed budgets starting afresh. */
async function continueBranch(dir: string, info: RunInfo, parentExp: Experiment, branchExp: Experiment, opts: Omit<RunOptions, 'resultsRoot' | 'now'>): Promise<RunOutcome> {
  const reset = new Set(changedBudgets(parentExp, branchExp));
  for (const e of info.budget_events ?? []) if (reset.has(e.scope) && e.step < (info.branch_at_step ?? 0)) e.reset_at_branch = true;
  info.status = 'running';
  writeRunInfo(dir, info);
  const { policies, budgetGate, workerAccounts } = policiesFor(branchExp, opts);
  return continueRun(dir, branchExp, info, { ...opts, budgetGate, workerAccounts }, policies);
}

/** The parent's policies for the shared steps: every LLM model answers from the parent's recording only. */
async function prefixPoliciesOf(parentDir: string, parentExp: Experiment): Promise<Map<string, AgentPolicy>> {
  const recording = await recordedResponses(parentDir);
  for (const [name, m] of Object.entries(parentExp.models)) if (m.provider !== 'statistical' && !recording.replay.has(name)) recording.replay.set(name, []);
  return createPolicies(parentExp, process.env, recording);
}

/**
 * Resumes a branch interrupted before its branch point: finishes the shared steps the
 * parent's way, then continues as the branch. Past the branch point it is an ordinary resume.
 */
export async function resumeRunOrBranch(dir: string, opts: Omit<RunOptions, 'resultsRoot' | 'now'> = {}): Promise<RunOutcome> {
  return withRunLock(dir, async () => {
    if (!existsSync(join(dir, RUN_FILES.info))) return resumeRun(dir, opts);
    const info = readRunInfo(dir);
    if (!info.branch_of || info.branch_at_step === undefined) return resumeRun(dir, opts);
    // run.json may lag the database by a step (a kill between a commit and its write).
    const done = await committedSteps(dir);
    if (done >= info.branch_at_step) return resumeRun(dir, opts);
    const parentExp = loadExperiment(join(info.branch_of, RUN_FILES.resolved));
    const branchExp = loadExperiment(join(dir, RUN_FILES.resolved));
    await preflight(branchExp, opts);
    info.status = 'running';
    await continueRun(dir, parentExp, info, { ...opts, maxSteps: info.branch_at_step - done, embeddingsFrom: info.branch_of }, await prefixPoliciesOf(info.branch_of, parentExp));
    if (!reachedBranchPoint(info, info.branch_at_step)) return { dir, info };
    return continueBranch(dir, info, parentExp, branchExp, opts);
  });
}

/** Steps the folder's database committed (0 without one). */
async function committedSteps(dir: string): Promise<number> {
  if (!existsSync(join(dir, RUN_FILES.db))) return 0;
  // Opened as continueRun opens it (this process holds the folder's lock).
  const db = await ChannelDb.open(join(dir, RUN_FILES.db));
  try {
    const [row] = await db.query<{ n: number }>('SELECT coalesce(max(step) + 1, 0)::INTEGER AS n FROM steps');
    return row?.n ?? 0;
  } finally {
    await db.close();
  }
}

/**
 * After the shared steps: stopped on purpose exactly at the branch point (not by a failure). A
 * budget that stopped the parent at its last step stops there too; the branch goes on if it
 * changed that budget, and otherwise ends at once as the parent did.
 */
function reachedBranchPoint(info: RunInfo, atStep: number): boolean {
  return (info.status === 'interrupted' || info.status === 'budget_exhausted') && info.steps_completed >= atStep;
}
