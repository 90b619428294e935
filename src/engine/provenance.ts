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
 * dirty. The commands run at once and in the background: a run starts it before its setup and
 * reads it when it writes run.json, so the git processes (a tenth of a second or more on a busy
 * machine) do not add to the run's start. Never rejects.
 */
export async function gitState(cwd: string, experimentFile?: string): Promise<GitState> {
  const [commit, tree, file] = await Promise.all([
    git(cwd, ['rev-parse', 'HEAD']),
    git(cwd, ['status', '--porcelain', '--untracked-files=no']),
    experimentFile ? git(cwd, ['status', '--porcelain', '--', experimentFile]) : Promise.resolve(null),
  ]);
  if (commit === null) return { commit: null, dirtyTree: false, experimentFileDirty: null };
  return { commit, dirtyTree: (tree ?? '') !== '', experimentFileDirty: !experimentFile || file === null ? null : file !== '' };
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
