/**
 * Whether the compiled socialsim in `dist/` is up to date with the sources. `npm run build`
 * (`scripts/build.mjs`, also run on install by `prepare`) compiles `src/` to `dist/src/` and
 * records in `dist/build.json` when it started; the build is fresh while no source file is
 * newer than that. `bin/socialsim.js` runs the compiled CLI when it is fresh, else the sources
 * through tsx, so editing `src/` never runs stale code and needs no build step.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './packages.js';

/** Written by `scripts/build.mjs` once the compiler succeeded. */
export const BUILD_STAMP = 'dist/build.json';

/** Set to anything but '' or '0' to run from source even when `dist/` is fresh. */
export const FROM_SOURCE_ENV = 'SOCIALSIM_FROM_SOURCE';

export type BuildState = { readonly fresh: true } | { readonly fresh: false; readonly reason: string };

/** What a build compiles from, besides every `.ts` file under `src/`. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json'];

function newestSource(root: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  const consider = (path: string): void => {
    const mtimeMs = statSync(path).mtimeMs;
    if (newest === null || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  };
  for (const f of CONFIG_FILES) if (existsSync(join(root, f))) consider(join(root, f));
  for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) consider(join(entry.parentPath ?? entry.path, entry.name)); // .path before Node 20.12
  }
  return newest;
}

/** Whether `root`'s `dist/` holds a build of its current sources (a few ms: one stat per source file). */
export function buildState(root = packageRoot(), env: NodeJS.ProcessEnv = process.env): BuildState {
  const forced = env[FROM_SOURCE_ENV];
  if (forced !== undefined && forced !== '' && forced !== '0') return { fresh: false, reason: `${FROM_SOURCE_ENV} is set` };
  const stampPath = join(root, BUILD_STAMP);
  if (!existsSync(stampPath)) return { fresh: false, reason: `no ${BUILD_STAMP} (run npm run build)` };
  let started: unknown;
  try {
    started = (JSON.parse(readFileSync(stampPath, 'utf8')) as { started_ms?: unknown }).started_ms;
  } catch {
    started = undefined;
  }
  if (typeof started !== 'number') return { fresh: false, reason: `${BUILD_STAMP} is unreadable (run npm run build)` };
  const newest = newestSource(root);
  if (newest !== null && newest.mtimeMs > started) return { fresh: false, reason: `${newest.path} changed after the last build (run npm run build)` };
  return { fresh: true };
}

let cached: BuildState | undefined;

/**
 * The compiled counterpart of a source file (`src/sweep/child.ts` → `<root>/dist/src/sweep/child.js`)
 * when `dist/` is fresh, else null. The build state is read once per process.
 */
export function compiledFile(sourcePath: string): string | null {
  cached ??= buildState();
  return cached.fresh ? join(packageRoot(), 'dist', sourcePath.replace(/\.ts$/, '.js')) : null;
}
