#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`, which `npm install` and `npm ci` run
// through `prepare`) when it is up to date with src/; otherwise, or with SOCIALSIM_FROM_SOURCE=1,
// the TypeScript sources through tsx, so an edit to src/ runs at once without a build step.
import { existsSync } from 'node:fs';

const buildModule = new URL('../dist/src/common/build.js', import.meta.url);
const compiled = existsSync(buildModule) && (await import(buildModule.href)).buildState().fresh;
if (compiled) {
  await import('../dist/src/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
