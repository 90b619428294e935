import { execFile } from 'node:child_process';
import { ownVersion, packageVersion as versionOf } from '../common/packages.js';

export interface GitState {
  /** HEAD of the repository holding the working directory, or null outside git. */
  readonly commit: string | null;
  /** Tracked files changed but not committed anywhere in the tree. */
  readonly dirtyTree: boolean;
  /** The experiment file itself is untracked or has uncommitted changes (null outside git). */
  readonly experimentFileDirty: boolean | null;
}

/** A git command's trimmed output, or null when it fails (no git, not a repository). */
function git(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
}

/**
 * Where the code and the experiment file stand in git: recorded in run.json, warned about when
 * dirty. Two git processes (each costs the parent a fork of its whole address space) run at once
 * and in the background: a run starts them before its setup and reads them when it writes
 * run.json, so they do not add to the run's start. Never rejects.
 */
export async function gitState(cwd: string, experimentFile?: string): Promise<GitState> {
  const [status, file] = await Promise.all([
    // The commit (`# branch.oid`) and the tracked changes in one command.
    git(cwd, ['status', '--porcelain=v2', '--branch', '--untracked-files=no']),
    experimentFile ? git(cwd, ['status', '--porcelain', '--', experimentFile]) : Promise.resolve(null),
  ]);
  const lines = status === null ? [] : status.split('\n');
  const oid = lines.find((l) => l.startsWith('# branch.oid '))?.slice('# branch.oid '.length);
  // "(initial)": a repository without a commit yet.
  const commit = oid !== undefined && /^[0-9a-f]{40,64}$/.test(oid) ? oid : null;
  if (commit === null) return { commit: null, dirtyTree: false, experimentFileDirty: null };
  const dirtyTree = lines.some((l) => l !== '' && !l.startsWith('#'));
  return { commit, dirtyTree, experimentFileDirty: !experimentFile || file === null ? null : file !== '' };
}

export function packageVersions(): Record<string, string | null> {
  return {
    socialsim: ownVersion(),
    node: process.versions.node,
    duckdb: versionOf('@duckdb/node-api'),
    yaml: versionOf('yaml'),
    ajv: versionOf('ajv'),
    'vega-lite': versionOf('vega-lite'),
  };
}
