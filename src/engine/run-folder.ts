import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { DamagedRunError } from '../common/damaged.js';
import { join } from 'node:path';
import type { LlmUsageRow } from '../analysis/llm-usage.js';
import type { TableLoad } from '../data/dataset.js';
import { faultPoint } from '../common/test-hooks.js';
import type { WorkerTally } from '../distributed/accounts.js';
import type { RunStatus } from './events.js';
import { acquireRunLock, liveWriter, RunLockedError } from './run-lock.js';

/** run.json: what a run was and how it went. No secrets: only engine-built values go in. */
export interface RunInfo {
  experiment: string;
  run_id: string;
  seed: number;
  config_hash: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  wall_ms: number;
  timesteps: number;
  steps_completed: number;
  agents: number;
  actions: number;
  failed_actions: number;
  actions_per_second: number;
  git_commit: string | null;
  /** The repository had uncommitted changes to tracked files when the run started. */
  git_dirty: boolean;
  /** The experiment file was untracked or modified (null when unknown, e.g. outside git). */
  experiment_file_dirty: boolean | null;
  versions: Record<string, string | null>;
  command: string[];
  /** Per cohort and model, when the run has LLM cohorts. */
  llm_usage?: LlmUsageRow[];
  /** The run folder whose recorded LLM responses this run replayed. */
  replay_of?: string;
  /** A branch: the parent run folder, and the step from which this run's own experiment applies. */
  branch_of?: string;
  branch_at_step?: number;
  /** The dataset's tables as loaded: rows kept, and rows `on_bad_row: skip` left out with the first reasons. */
  dataset_load?: TableLoad[];
  /** Budgets used up during the run, and what happened then. */
  budget_events?: {
    step: number;
    scope: string;
    action: 'stop' | 'fallback';
    cohorts: string[];
    reason: string;
    /** A branch changed this budget: the decision, taken in the shared steps, no longer holds from the branch point. */
    reset_at_branch?: boolean;
  }[];
  /**
   * A run whose LLM requests went to `socialsim worker`s (--redis): each worker's (host:pid) jobs
   * and requests (attempts) over the committed steps, kept across resume.
   */
  workers?: WorkerTally;
  error?: string;
}

export const RUN_FILES = {
  resolved: 'experiment.resolved.yaml',
  info: 'run.json',
  db: 'sim.duckdb',
  events: 'events.jsonl',
  report: 'report.html',
} as const;

/** A run folder already holds this exact experiment (same config hash). */
export class RunExistsError extends Error {
  readonly code = 'run.exists';
}

/**
 * `results/<experiment>/<run-id>`, the run id being the first 12 hex digits of the resolved
 * config hash (the seed is part of it): the same experiment always lands in the same folder.
 * An existing folder is refused unless `force`, which clears it first; a folder a live process
 * writes is refused even then (RunLockedError). A folder killed before it held anything (no
 * experiment.resolved.yaml) counts as never made. The folder is returned locked by this
 * process: the caller releases it (`releaseRunLock`).
 */
export function createRunFolder(root: string, experiment: string, configHash: string, force: boolean, suffix = ''): { runId: string; dir: string } {
  const runId = configHash.slice(0, 12) + suffix;
  const dir = join(root, experiment, runId);
  if (existsSync(dir)) {
    const writer = liveWriter(dir);
    if (writer !== null) throw new RunLockedError(dir, writer);
    const started = existsSync(join(dir, RUN_FILES.resolved)) || existsSync(join(dir, RUN_FILES.db));
    if (!force && started) {
      let status = 'unknown';
      try {
        status = readRunInfo(dir).status;
      } catch {
        // a folder without a readable run.json still blocks the id
      }
      const hint = status === 'completed' ? 'run it again with --force (the folder is replaced)' : 'continue it with `socialsim resume`, or start over with --force';
      throw new RunExistsError(`${dir} already holds this exact experiment (status ${status}); ${hint}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  acquireRunLock(dir);
  return { runId, dir };
}

/**
 * Written via a temp file and rename, so a crash never leaves a half-written run.json; a failed
 * write (a full disk) removes its temp file and leaves the previous run.json as it was.
 */
export function writeRunInfo(dir: string, info: RunInfo): void {
  const tmp = join(dir, `${RUN_FILES.info}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      faultPoint('runjson', info.steps_completed - 1);
      writeSync(fd, JSON.stringify(info, null, 2) + '\n');
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, RUN_FILES.info));
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never made, or the folder is gone
    }
    throw err;
  }
}

export function readRunInfo(dir: string): RunInfo {
  const file = join(dir, RUN_FILES.info);
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as RunInfo;
  } catch (err) {
    throw new DamagedRunError(file, (err as Error).message);
  }
}
