#!/usr/bin/env node
/**
 * `npm run build`, also run by `npm install` / `npm ci` (the `prepare` script): compiles src/ to
 * dist/src/ with tsc, writes the experiment schema's and the actions' standalone validators
 * (src/config/schema.ts, src/channel/actions/validators.ts),
 * then dist/build.json with the time the build started. A source
 * file newer than that makes the build stale (src/common/build.ts), and bin/socialsim.js then
 * runs the sources through tsx instead. Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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
writeFileSync(stamp, `${JSON.stringify({ started_ms: startedMs, started: new Date(startedMs).toISOString() })}\n`);
