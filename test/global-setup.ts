/**
 * Before the suite: compiles dist/ when it is missing or older than src/ (`npm run build`), so
 * the tests that spawn `bin/socialsim.js` run the compiled CLI, which starts in a fraction of
 * the time tsx takes, and test what `npm install` ships. After `npm ci` (which builds through
 * `prepare`) this does nothing. A failed build is reported and the suite goes on: the CLI then
 * runs from source, and test/cli/compiled.test.ts fails with the reason.
 */
import { spawnSync } from 'node:child_process';
import { buildState, FROM_SOURCE_ENV } from '../src/common/build.js';
import { packageRoot } from '../src/common/packages.js';

export default function setup(): void {
  const state = buildState();
  if (state.fresh || process.env[FROM_SOURCE_ENV]) return;
  process.stderr.write(`test setup: npm run build (${state.reason})\n`);
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: packageRoot(), stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('test setup: the build failed; the CLI runs from source through tsx\n');
}
