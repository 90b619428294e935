/**
 * The vega, vega-lite and vega-embed browser bundles, read from node_modules so the report can
 * inline them. The packages' `exports` maps hide both `build/` and `package.json` (vega exports
 * no `./package.json`), so each package directory is found along Node's module search paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface InlineLib {
  name: string;
  version: string;
  code: string;
}

const LIBS = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

let cache: InlineLib[] | undefined;

/** The installed directory of package `name`, as Node's resolver would find it from here. */
export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} not found from ${dirname(new URL(import.meta.url).pathname)}`);
}

/** The three bundles in load order (vega, vega-lite, vega-embed). Read once per process. */
export function loadVegaLibs(): InlineLib[] {
  if (cache) return cache;
  cache = LIBS.map(([name, file]) => {
    const pkgJson = join(packageDir(name), 'package.json');
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: unknown };
    return {
      name,
      version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
      // Drop source-map comments: the .map files are not inlined, and devtools would fetch them.
      code: readFileSync(join(dirname(pkgJson), file), 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, ''),
    };
  });
  return cache;
}
