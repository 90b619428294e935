import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentPolicy } from '../agents/types.js';
import { memoryWindowOf } from './memory-window.js';
import { Channel } from '../channel/channel.js';
import { configHash, legacyConfigHash, loadExperiment } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import { llmUsage } from '../analysis/llm-usage.js';
import { recommenderFor } from '../recsys/registry.js';
import type { RunGate } from '../llm/budget-gate.js';
import { BudgetGuard, withBudgetFallback } from './budget.js';
import { budgetCohorts, closePolicies, fallbackPolicy, llmPrices, policiesFor } from './run-policies.js';
import { newRunInfo, startRunFolder } from './run-start.js';
import { messageOf } from '../common/message.js';
import { embeddingModels } from '../config/embedding-models.js';
import { clientSource } from './embedder.js';
import { recordedResponses } from './replay.js';
import { EventLog } from './events.js';
import { createProgress } from './progress.js';
import { EndpointOutageError, OutageWatch } from './outage.js';
import { addTallies, type WorkerAccounts } from '../distributed/accounts.js';
import { RedisLostError } from '../distributed/errors.js';
import { preflightEndpoints } from './preflight.js';
import { recordDatasetLoad } from './dataset-load.js';
import { gitState } from './provenance.js';
import { crashPoint, hangPoint, killParentPoint } from '../common/test-hooks.js';
import { DiskFullError, isDiskFull } from './disk-full.js';
import { recoverStepEvents } from './recover-events.js';
import { readRunInfo, RUN_FILES, writeRunInfo, type RunInfo } from './run-folder.js';
import { acquireRunLock, releaseRunLock, withRunLock } from './run-lock.js';
import { buildPopulation, type Population } from './setup.js';
import { simulate } from './simulate.js';

export interface RunOptions {
  /** Results root; the run goes to <root>/<experiment>/<run-id>/. */
  readonly resultsRoot: string;
  readonly quiet?: boolean;
  /** Recorded in run.json (the CLI passes its own arguments; keys never appear there). */
  readonly command?: readonly string[];
  /** Recorded as started_at (tests pin it). */
  readonly now?: Date;
  /** Stop (resumably, status `interrupted`) after this many steps in this invocation. */
  readonly maxSteps?: number;
  /** Replace an existing run folder of the same experiment instead of refusing. */
  readonly force?: boolean;
  /** The experiment file, for run.json's note of whether it was committed. */
  readonly experimentFile?: string;
  /** Answer LLM requests from this run folder's recorded responses instead of the endpoints. */
  readonly replayFrom?: string;
  /** Take recsys text embeddings from this run folder's table instead of the endpoints (replay, a branch's shared steps). */
  readonly embeddingsFrom?: string;
  /** Built beforehand (runExperiment loads the dataset before making the run folder). */
  readonly population?: Population;
  /** Worker threads for LLM agents (default: up to 2). */
  readonly llmThreads?: number;
  /**
   * Send LLM requests to `socialsim worker` processes through this Redis (redis://host:port)
   * instead of threads; replaces the experiment's `distributed.redis`.
   */
  readonly redis?: string;
  /**
   * Ask every endpoint of the models the run calls before it starts (src/engine/preflight.ts):
   * a model none of whose endpoints answers refuses the run. The CLI's default (--no-preflight
   * skips it); off unless set, so library callers and tests send only the requests they count.
   */
  readonly preflight?: boolean;
}

/** What `continueRun` takes besides the run options: the gate its policies were made with. */
export interface ContinueOptions extends Omit<RunOptions, 'resultsRoot' | 'now'> {
  /** The budget gate shared with the policies' worker threads (`policiesFor`); null or absent: no gate. */
  readonly budgetGate?: RunGate | null;
  /** Per-worker counts of a run whose requests go to `socialsim worker`s (`policiesFor`); absent: none. */
  readonly workerAccounts?: WorkerAccounts | null;
}

export interface RunOutcome {
  readonly dir: string;
  readonly info: RunInfo;
}

/** The run cannot be resumed (already complete, or its files disagree). */
export class ResumeError extends Error {
  readonly code = 'run.not_resumable';
}

/**
 * Runs an experiment into a new results folder: experiment.resolved.yaml first (so even a
 * crashed run can be re-run or resumed), then the simulation. Policies are built before the
 * folder exists, so an unsupported model leaves nothing behind.
 */
export async function runExperiment(exp: Experiment, opts: RunOptions): Promise<RunOutcome> {
  // In the background while the population is built; read when run.json is first written.
  const git = gitState(process.cwd(), opts.experimentFile);
  const replay = opts.replayFrom ? await recordedResponses(opts.replayFrom) : undefined;
  // A bad dataset row fails here, before a run folder exists.
  const population = opts.population ?? (await buildPopulation(exp));
  // Dead endpoints refuse the run here, before a thread or the run folder exists.
  if (!replay) await preflight(exp, opts);
  const { policies, budgetGate, workerAccounts } = policiesFor(exp, opts, replay);
  // A missing API key of the embedding model fails here too, before the run folder exists.
  if (!replay) for (const m of embeddingModels(exp)) clientSource(exp, m);
  const { dir, info } = await startRunFolder(exp, opts, policies, git, replay ? '-replay' : '', opts.replayFrom ? { replay_of: opts.replayFrom } : {});
  try {
    return await continueRun(dir, exp, info, { ...opts, population, budgetGate, workerAccounts }, policies);
  } finally {
    releaseRunLock(dir);
  }
}

/** The endpoint check before a run starts or continues, when `opts.preflight`; warnings go to stderr unless quiet. */
export async function preflight(exp: Experiment, opts: Pick<RunOptions, 'preflight' | 'quiet' | 'redis'>): Promise<void> {
  // On workers the endpoints are theirs to reach: this machine may not see them.
  if (!opts.preflight || exp.distributed || opts.redis) return;
  const warnings = await preflightEndpoints(exp);
  if (!opts.quiet) for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

/**
 * Continues a run folder after its last committed step: the experiment comes from its
 * experiment.resolved.yaml (checked against run.json's config hash), the platform from its
 * sim.duckdb. The finished run equals one that was never interrupted.
 */
export async function resumeRun(dir: string, opts: Omit<RunOptions, 'resultsRoot' | 'now'> = {}): Promise<RunOutcome> {
  return withRunLock(dir, async () => {
    const info = existsSync(join(dir, RUN_FILES.info)) ? readRunInfo(dir) : await startedInfo(dir, opts);
    if (info.status === 'completed') throw new ResumeError(`${dir} already completed all ${info.timesteps} steps; nothing to resume`);
    const exp = loadExperiment(join(dir, RUN_FILES.resolved));
    if (configHash(exp) !== info.config_hash && legacyConfigHash(exp) !== info.config_hash) {
      throw new ResumeError(
        `${RUN_FILES.resolved} in ${dir} no longer matches run.json's config_hash; the experiment was edited after the run started (or this version of socialsim changed a default it relied on)`,
      );
    }
    const replay = info.replay_of ? await recordedResponses(info.replay_of) : undefined;
    // Refused here, the folder is left as it was (still resumable).
    if (!replay) await preflight(exp, opts);
    const { policies, budgetGate, workerAccounts } = policiesFor(exp, opts, replay);
    info.status = 'running';
    info.finished_at = null;
    delete info.error;
    try {
      writeRunInfo(dir, info);
    } catch (err) {
      await closePolicies(policies);
      throw isDiskFull(err) ? new DiskFullError(dir, `at step ${info.steps_completed}`, messageOf(err)) : err;
    }
    return continueRun(dir, exp, info, { ...opts, budgetGate, workerAccounts }, policies);
  });
}

/**
 * run.json of a folder killed before it wrote one (only experiment.resolved.yaml): the run
 * starts from nothing. A replay or a branch folder cannot be told from its name alone.
 */
async function startedInfo(dir: string, opts: Omit<RunOptions, 'resultsRoot' | 'now'>): Promise<RunInfo> {
  if (!existsSync(join(dir, RUN_FILES.resolved))) {
    throw new ResumeError(`${dir} holds neither ${RUN_FILES.info} nor ${RUN_FILES.resolved}: the run was stopped before it started; start it again with socialsim run <experiment file>`);
  }
  const exp = loadExperiment(join(dir, RUN_FILES.resolved));
  const runId = basename(dir);
  if (runId !== configHash(exp).slice(0, 12)) {
    throw new ResumeError(`${dir} has no ${RUN_FILES.info} and its name is not its experiment's run id (a replay or a branch); start it again with socialsim run --force or socialsim branch`);
  }
  return newRunInfo(exp, runId, opts, await gitState(process.cwd(), opts.experimentFile), {});
}

/**
 * The simulation inside a run folder, with run.json kept current and events.jsonl appended
 * per step. SIGINT stops after the step in flight and marks the run interrupted (resumable).
 * The folder is locked meanwhile (run.lock), so no second process resumes or replaces it.
 */
export async function continueRun(
  dir: string,
  exp: Experiment,
  info: RunInfo,
  opts: ContinueOptions,
  policies: ReadonlyMap<string, AgentPolicy>,
): Promise<RunOutcome> {
  try {
    acquireRunLock(dir);
  } catch (err) {
    await closePolicies(policies);
    throw err;
  }
  try {
    return await continueLocked(dir, exp, info, opts, policies);
  } finally {
    releaseRunLock(dir);
  }
}

async function continueLocked(
  dir: string,
  exp: Experiment,
  info: RunInfo,
  opts: ContinueOptions,
  policies: ReadonlyMap<string, AgentPolicy>,
): Promise<RunOutcome> {
  const events = new EventLog(join(dir, RUN_FILES.events));
  const priorWallMs = info.wall_ms;
  const t0 = performance.now();
  const elapsed = (): number => priorWallMs + Math.round(performance.now() - t0);
  let stopRequested = false;
  let stepsThisTime = 0;
  const onSigint = (): void => {
    stopRequested = true;
  };
  let channel: Channel;
  try {
    channel = await Channel.open(join(dir, RUN_FILES.db), { memoryWindow: memoryWindowOf(exp), agents: exp.cohorts.reduce((n, c) => n + c.count, 0) });
  } catch (err) {
    await closePolicies(policies);
    throw isDiskFull(err) ? new DiskFullError(dir, `at step ${info.steps_completed}`, messageOf(err)) : err;
  }
  process.once('SIGINT', onSigint);
  const fromStep = channel.committedStep + 1;
  // The step being made or recorded, for a disk-full message.
  let atStep = fromStep;
  // The run's first error: one in a later write (a full disk again) does not replace it.
  let failure: unknown = null;
  const progress = createProgress(exp.clock.timesteps, fromStep, { quiet: opts.quiet });
  const health = new OutageWatch(exp, policies, events, opts.quiet ? () => undefined : (line) => progress.note(line), () => info.steps_completed - 1);
  health.start(fromStep);
  try {
    // run.json may lag the database by a step (a kill between the commit and its write): the
    // totals are the database's, and events.jsonl gets the step lines it lost.
    await syncTotals(channel, info);
    if (fromStep > 0) await recoverStepEvents(channel, events, join(dir, RUN_FILES.events), exp);
    // Answering from another run's recording (a replay, a branch's shared steps): nothing is sent.
    const recordedFrom = opts.embeddingsFrom ?? opts.replayFrom ?? info.replay_of;
    const gate = recordedFrom ? null : (opts.budgetGate ?? null);
    // Policies by cohort, as the loop reads them each step: a budget fallback swaps entries, and
    // agents a fallback budget turns away mid-step get the statistical policy's decision.
    const active = new Map(policies);
    if (exp.budget || Object.values(exp.models).some((m) => m.provider !== 'statistical' && m.budget)) {
      for (const [key, p] of active) active.set(key, withBudgetFallback(p, exp, () => fallbackPolicy(exp)));
    }
    const budget = new BudgetGuard(exp, gate);
    // A recording's budget decisions are repeated at the same steps, not worked out again.
    const recordedBudget = recordedFrom ? (readRunInfo(recordedFrom).budget_events ?? []) : null;
    const decided = new Set<string>();
    let budgetStop = false;
    const takeEffect = (e: { action: 'stop' | 'fallback'; cohorts: readonly string[] }): void => {
      if (e.action === 'stop') budgetStop = true;
      else for (const c of e.cohorts) active.set(c, fallbackPolicy(exp));
    };
    const onBudget = (step: number): void => {
      const found = recordedBudget
        ? recordedBudget.filter((e) => e.step === step && !decided.has(e.scope))
        : budget.check().map((e) => ({ step, scope: e.scope, action: e.action, cohorts: budgetCohorts(exp, e.models), reason: e.reason }));
      for (const e of found) {
        const event = { step, scope: e.scope, action: e.action, cohorts: [...e.cohorts], reason: e.reason };
        decided.add(e.scope);
        takeEffect(event);
        (info.budget_events ??= []).push(event);
        events.write({ type: 'budget_exhausted', ...event });
      }
    };
    // A resumed run keeps what its budgets already decided, without reporting it twice (a branch
    // that changed a budget drops the decision its shared steps inherited for it).
    for (const e of info.budget_events ?? []) {
      if (e.reset_at_branch) continue;
      decided.add(e.scope);
      budget.markSpent(e.scope);
      takeEffect(e);
    }
    for (const [model, usage] of await channel.llmUsageByModel()) {
      budget.add(model, usage);
      gate?.add(model, usage);
    }
    onBudget(channel.committedStep);
    events.write({ type: 'run_started', run_id: info.run_id, experiment: exp.name, seed: exp.seed, timesteps: exp.clock.timesteps, agents: info.agents, from_step: fromStep });
    const population = opts.population ?? (await buildPopulation(exp));
    if (recordDatasetLoad(population, info, events, opts)) writeRunInfo(dir, info);
    await simulate({
      experiment: exp,
      channel,
      population,
      recommender: recommenderFor(exp),
      policies: active,
      embeddingSource: (model) => (recordedFrom ? { kind: 'recorded', runDir: recordedFrom } : clientSource(exp, model, process.env, gate ?? undefined)),
      signal: health.signal,
      shouldStop: () => stopRequested || budgetStop || (opts.maxSteps !== undefined && stepsThisTime >= opts.maxSteps),
      async onStep(r) {
        atStep = r.step;
        crashPoint('after-commit', r.step);
        killParentPoint('sweep-parent', r.step);
        stepsThisTime++;
        info.steps_completed = r.step + 1;
        info.actions += r.actions;
        info.failed_actions += r.failed;
        info.wall_ms = elapsed();
        // Requests on `socialsim worker`s: the step's per worker, and the run's so far.
        const workers = opts.workerAccounts ? opts.workerAccounts.take(r.step) : null;
        const requestCpuMs = opts.workerAccounts ? opts.workerAccounts.takeCpuMs(r.step) : null;
        if (workers) info.workers = addTallies(info.workers, workers);
        writeRunInfo(dir, info);
        for (const [model, usage] of r.llmUsage) budget.add(model, usage);
        const budgets = budget.status();
        events.write({
          type: 'step',
          step: r.step,
          sim_time: r.simTime,
          active_agents: r.activeAgents,
          actions: r.actions,
          failed_actions: r.failed,
          llm_requests: r.llmRequests,
          llm_failures: r.llmFailures,
          wall_ms: Math.round(r.wallMs),
          by_action: r.byAction,
          failed_by_action: r.failedByAction,
          llm: r.llm,
          ...(workers ? { workers } : {}),
          ...(requestCpuMs !== null ? { coordinator_cpu_ms: requestCpuMs.process } : {}),
          ...(requestCpuMs !== null && requestCpuMs.main !== null ? { coordinator_main_cpu_ms: requestCpuMs.main } : {}),
          ...(budgets.length > 0 ? { budget: budgets } : {}),
        });
        health.check();
        health.at(r.step + 1);
        onBudget(r.step);
        progress.step(r);
        atStep = r.step + 1;
        await hangPoint('hang-after-commit', r.step);
      },
    });
    await syncTotals(channel, info);
    info.status = info.steps_completed >= exp.clock.timesteps ? 'completed' : budgetStop ? 'budget_exhausted' : 'interrupted';
  } catch (err) {
    // A full disk or an endpoint outage leaves a resumable folder: the step in flight was not committed.
    failure = isDiskFull(err)
      ? new DiskFullError(dir, `at step ${atStep}`, messageOf(err))
      : err instanceof EndpointOutageError
        ? new EndpointOutageError(err.message, err.model, dir)
        : err instanceof RedisLostError
          ? new RedisLostError(`${err.message}; the run stopped during step ${atStep}${atStep > 0 ? ` and is kept up to step ${atStep - 1}` : ' before any step was kept'}`, dir)
          : err;
    const resumable = failure instanceof DiskFullError || failure instanceof EndpointOutageError || failure instanceof RedisLostError;
    info.status = resumable ? 'interrupted' : 'failed';
    info.error = messageOf(failure);
    bestEffort(() => events.write({ type: 'error', code: resumable ? (failure as DiskFullError | EndpointOutageError | RedisLostError).code : 'run.failed', message: messageOf(err) }));
  }
  health.stop();
  process.off('SIGINT', onSigint);
  progress.stop();
  try {
    if (exp.cohorts.some((c) => exp.models[c.model]?.provider !== 'statistical') || embeddingModels(exp).length > 0) {
      info.llm_usage = await llmUsage((sql) => channel.db.query(sql), llmPrices(exp)).catch(() => info.llm_usage);
    }
    await channel.close();
  } catch (err) {
    failure ??= err;
  }
  await closePolicies(policies);
  info.finished_at = new Date().toISOString();
  info.wall_ms = elapsed();
  info.actions_per_second = Math.round((info.actions / Math.max(info.wall_ms, 1)) * 1000);
  try {
    writeRunInfo(dir, info);
    events.write({ type: 'run_finished', status: info.status, steps_completed: info.steps_completed, actions: info.actions, wall_ms: info.wall_ms });
  } catch (err) {
    // The first error stands; a run.json that cannot be written on a full disk stays as the last step left it.
    failure ??= isDiskFull(err) ? new DiskFullError(dir, `at step ${atStep}`, messageOf(err)) : err;
  }
  if (failure !== null) throw failure;
  return { dir, info };
}

/** run.json's step and action counts from the database's `steps` table. */
async function syncTotals(channel: Channel, info: RunInfo): Promise<void> {
  const t = await channel.totals();
  info.steps_completed = t.steps;
  info.actions = t.actions;
  info.failed_actions = t.failed;
}

function bestEffort(write: () => void): void {
  try {
    write();
  } catch {
    // the disk refuses: the error is still thrown and run.json says it where it can
  }
}
