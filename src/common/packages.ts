import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed directory of package `name`, found along Node's module search paths. Several
 * packages (vega, vega-lite) hide `package.json` and `build/` behind their `exports` map, so
 * `require.resolve('<pkg>/package.json')` cannot be used.
 */
export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} not found from ${dirname(new URL(import.meta.url).pathname)}`);
}

/** The installed version of a package, or null when it is not installed. */
export function packageVersion(name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

let root: string | undefined;

/**
 * socialsim's own folder (the one holding its package.json, `schemas/`, `experiments/`): the
 * nearest folder above this module with a package.json. This module sits at `src/common/` when
 * run from source and at `dist/src/common/` when compiled, so a fixed `../../` would be wrong
 * for one of them.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error(`socialsim's package.json not found above ${here}`);
  }
}

/** A file shipped with socialsim, by its path in the repository (`schemas/experiment.schema.json`). */
export function packageFile(path: string): string {
  return join(packageRoot(), path);
}

/** socialsim's own version (package.json). */
export function ownVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
