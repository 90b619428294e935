/**
 * What a command loads before it does anything: the openai SDK (~150 modules, ~0.2 s of CPU)
 * and piscina only when a run has LLM agents, so `run`, `resume`, `branch` and `sweep` of
 * statistical agents, `validate` and `report` never import them. Checked on the compiled CLI (what `npm install` ships): the
 * static imports reachable from each command's module, `import()` left out, and the packages a
 * module requires as it loads (a top-level `createRequire(import.meta.url)('…')`, as
 * src/common/duckdb-api.ts loads DuckDB).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/common/packages.js';

const DIST = join(packageRoot(), 'dist', 'src');
const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|^(?:const|let|var)\s[^\n]*?createRequire\(import\.meta\.url\)\(['"]([^'"]+)['"]\)/gm;

/** Packages reachable from `entry` through static imports of the compiled modules. */
function packagesReachedFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const next = resolve(dirname(file), spec);
      if (!seen.has(next) && existsSync(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return packages;
}

describe('what a command imports', () => {
  it('when run, resume, branch, sweep, validate or report starts then neither the openai SDK nor piscina is among its static imports, while DuckDB is for run', () => {
    const run = packagesReachedFrom(join(DIST, 'cli', 'run.js'));
    // The walk does see packages: a broken walk would find nothing and pass.
    expect(run.has('@duckdb/node-api')).toBe(true);
    expect(run.has('yaml')).toBe(true);
    for (const command of ['run', 'resume', 'branch', 'sweep', 'validate', 'report']) {
      const reached = packagesReachedFrom(join(DIST, 'cli', `${command}.js`));
      expect([...reached].filter((p) => p === 'openai' || p === 'piscina'), command).toEqual([]);
    }
  });

  it('when the LLM worker thread or the chat client is compiled then it imports the SDK as it loads', () => {
    // The other side of the split: what needs the SDK still imports it (statically, as threads start).
    expect(packagesReachedFrom(join(DIST, 'agents', 'llm', 'worker.js')).has('openai')).toBe(true);
    expect(packagesReachedFrom(join(DIST, 'llm', 'client.js')).has('openai')).toBe(true);
  });
});
