import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packageVersion as versionOf } from '../common/packages.js';

/** The commit of the working directory's repository, with "-dirty" when it has local changes. */
export function gitCommit(cwd: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

export function packageVersions(): Record<string, string | null> {
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    socialsim: own.version,
    node: process.versions.node,
    duckdb: versionOf('@duckdb/node-api'),
    yaml: versionOf('yaml'),
    ajv: versionOf('ajv'),
    'vega-lite': versionOf('vega-lite'),
  };
}
