/**
 * A new run's folder: its resolved experiment and its first run.json (provenance included),
 * locked by this process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentPolicy } from '../agents/types.js';
import { messageOf } from '../common/message.js';
import { crashPoint } from '../common/test-hooks.js';
import { configHash, resolvedYaml } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import { DiskFullError, isDiskFull } from './disk-full.js';
import { packageVersions, type GitState } from './provenance.js';
import { createRunFolder, RUN_FILES, writeRunInfo, type RunInfo } from './run-folder.js';
import { releaseRunLock } from './run-lock.js';
import { closePolicies } from './run-policies.js';

/** What starting a folder takes of the run options (run.ts RunOptions). */
export interface StartOptions {
  readonly resultsRoot: string;
  readonly force?: boolean;
  readonly now?: Date;
  readonly command?: readonly string[];
}

/**
 * The new run folder with its resolved experiment and first run.json (policies closed on
 * failure). The folder comes back locked by this process: the caller releases it.
 */
export async function startRunFolder(
  exp: Experiment,
  opts: StartOptions,
  policies: ReadonlyMap<string, AgentPolicy>,
  git: Promise<GitState>,
  idSuffix: string,
  extra: Partial<RunInfo>,
): Promise<{ dir: string; info: RunInfo }> {
  let folder: { runId: string; dir: string } | undefined;
  try {
    folder = createRunFolder(opts.resultsRoot, exp.name, configHash(exp), opts.force ?? false, idSuffix);
    writeFileSync(join(folder.dir, RUN_FILES.resolved), resolvedYaml(exp));
    const info = newRunInfo(exp, folder.runId, opts, await git, extra);
    writeRunInfo(folder.dir, info);
    crashPoint('after-folder');
    return { dir: folder.dir, info };
  } catch (err) {
    if (folder) releaseRunLock(folder.dir);
    await closePolicies(policies);
    throw folder && isDiskFull(err) ? new DiskFullError(folder.dir, 'before step 0', messageOf(err)) : err;
  }
}

/** run.json of a run that has not yet made a step. */
export function newRunInfo(exp: Experiment, runId: string, opts: Pick<StartOptions, 'now' | 'command'>, git: GitState, extra: Partial<RunInfo>): RunInfo {
  return {
    experiment: exp.name,
    run_id: runId,
    seed: exp.seed,
    config_hash: configHash(exp),
    status: 'running',
    started_at: (opts.now ?? new Date()).toISOString(),
    finished_at: null,
    wall_ms: 0,
    timesteps: exp.clock.timesteps,
    steps_completed: 0,
    agents: exp.cohorts.reduce((n, c) => n + c.count, 0),
    actions: 0,
    failed_actions: 0,
    actions_per_second: 0,
    git_commit: git.commit,
    git_dirty: git.dirtyTree,
    experiment_file_dirty: git.experimentFileDirty,
    versions: packageVersions(),
    command: [...(opts.command ?? [])],
    ...extra,
  };
}
