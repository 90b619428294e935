/**
 * The vega, vega-lite and vega-embed browser bundles, read from node_modules so the report can
 * inline them (`packageDir` finds them past their `exports` maps).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageDir } from '../common/packages.js';

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
