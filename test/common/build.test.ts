import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_STAMP, buildState, FROM_SOURCE_ENV } from '../../src/common/build.js';
import { tempDir } from '../helpers/tmp.js';

/** A package folder with two sources and, when `builtAt` is given, a build stamp from then. */
function fakePackage(builtAt?: number): string {
  const root = tempDir();
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (const f of ['src/cli/main.ts', 'src/x.ts', 'tsconfig.json']) {
    writeFileSync(join(root, f), '');
    utimesSync(join(root, f), 1_000, 1_000);
  }
  if (builtAt !== undefined) writeFileSync(join(root, BUILD_STAMP), JSON.stringify({ started_ms: builtAt }));
  return root;
}

describe('whether dist/ is fresh', () => {
  it('when every source is older than the build then it is fresh, unless SOCIALSIM_FROM_SOURCE is set', () => {
    const root = fakePackage(1_000_000 + 1);
    expect(buildState(root, {})).toEqual({ fresh: true });
    expect(buildState(root, { [FROM_SOURCE_ENV]: '0' })).toEqual({ fresh: true });
    expect(buildState(root, { [FROM_SOURCE_ENV]: '1' })).toEqual({ fresh: false, reason: `${FROM_SOURCE_ENV} is set` });
  });

  it('when a source in a subfolder or tsconfig.json changed after the build started then it is stale and names the file', () => {
    const root = fakePackage(1_000_000 + 1);
    utimesSync(join(root, 'src/cli/main.ts'), 2_000, 2_000);
    expect(buildState(root, {})).toEqual({ fresh: false, reason: `${join(root, 'src/cli/main.ts')} changed after the last build (run npm run build)` });
    const other = fakePackage(1_000_000 + 1);
    utimesSync(join(other, 'tsconfig.json'), 2_000, 2_000);
    expect(buildState(other, {}).fresh).toBe(false);
  });

  it('when there is no stamp (never built, or the build failed) or it is unreadable then it is stale', () => {
    expect(buildState(fakePackage(), {})).toEqual({ fresh: false, reason: `no ${BUILD_STAMP} (run npm run build)` });
    const root = fakePackage();
    writeFileSync(join(root, BUILD_STAMP), '{"started_ms": "yesterday"}');
    expect(buildState(root, {}).fresh).toBe(false);
  });
});
