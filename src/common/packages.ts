import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
