import { execFileSync } from 'node:child_process';
import { ownVersion, packageVersion as versionOf } from '../common/packages.js';

export interface GitState {
  /** HEAD of the repository holding the working directory, or null outside git. */
  readonly commit: string | null;
  /** Tracked files changed but not committed anywhere in the tree. */
  readonly dirtyTree: boolean;
  /** The experiment file itself is untracked or has uncommitted changes (null outside git). */
  readonly experimentFileDirty: boolean | null;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

/** Where the code and the experiment file stand in git: recorded in run.json, warned about when dirty. */
export function gitState(cwd: string, experimentFile?: string): GitState {
  const commit = git(cwd, ['rev-parse', 'HEAD']);
  if (commit === null) return { commit: null, dirtyTree: false, experimentFileDirty: null };
  const dirtyTree = (git(cwd, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  let experimentFileDirty: boolean | null = null;
  if (experimentFile) {
    const status = git(cwd, ['status', '--porcelain', '--', experimentFile]);
    experimentFileDirty = status === null ? null : status !== '';
  }
  return { commit, dirtyTree, experimentFileDirty };
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
