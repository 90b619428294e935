#!/usr/bin/env node
/**
 * `npm run build`, also run by `npm install` / `npm ci` (the `prepare` script): compiles src/ to
 * dist/src/ with tsc, writes the experiment schema's and the actions' standalone validators
 * (src/config/schema.ts, src/channel/actions/validators.ts), bundles the LLM worker thread's
 * module (esbuild), then dist/build.json with the time the build started. A source
 * file newer than that makes the build stale (src/common/build.ts), and bin/socialsim.js then
 * runs the sources through tsx instead. Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The bundled worker's file name beside worker.js; src/agents/llm/pool.ts names it too. */
const WORKER_BUNDLE = 'worker.bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = `${root}dist/build.json`;
const startedMs = Date.now();
// A failed build must not leave an older stamp that vouches for what it half-wrote.
rmSync(stamp, { force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write('build: tsc failed; bin/socialsim.js will run the sources through tsx\n');
  process.exit(r.status ?? 1);
}
mkdirSync(`${root}dist`, { recursive: true });
// The experiment schema compiled ahead of time (src/config/schema.ts says why).
const { writeStandaloneValidator } = await import(`${root}dist/src/config/schema.js`);
writeStandaloneValidator();
// And the actions' argument validators (src/channel/actions/validators.ts).
const { writeActionValidators } = await import(`${root}dist/src/channel/actions/registry.js`);
writeActionValidators();
// The LLM worker thread's module and everything it imports (the openai SDK's ~100 modules) as one
// file: a thread starts in ~130 ms of CPU instead of ~260 (src/agents/llm/pool.ts uses it when it
// is there, and worker.js otherwise).
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [`${root}dist/src/agents/llm/worker.js`],
  outfile: `${root}dist/src/agents/llm/${WORKER_BUNDLE}`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies inside an ES module bundle call require.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
writeFileSync(stamp, `${JSON.stringify({ started_ms: startedMs, started: new Date(startedMs).toISOString() })}\n`);
