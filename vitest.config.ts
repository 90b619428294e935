import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/sequencer.js';

/**
 * Test files that replace a module (vi.mock): they need a module graph of their own, since a
 * module another file imported first would keep the real one.
 */
const MOCKS_MODULES = ['test/llm/client.test.ts', 'test/llm/embeddings.test.ts'];

export default defineConfig({
  test: {
    // Builds dist/ if src/ changed since the last build: CLI tests spawn the compiled CLI.
    globalSetup: ['test/global-setup.ts'],
    // CLI tests start real processes and LLM tests real servers; on a loaded 2-core CI
    // machine they need more than vitest's 5 s default. Not a performance assertion.
    testTimeout: 60_000,
    // Vitest runs one file at a time on a 2-core machine (cores − 1); most files wait on child
    // processes, servers and DuckDB I/O, so two at a time finish the suite sooner there. Three
    // were tried (quiet, 1,200 tests): 4 min 37 s against 4 min 33 s for two, the same CPU.
    maxWorkers: 2,
    // The slowest files first, from a committed list: a clean install has no timing cache.
    sequence: { sequencer: SlowestFirst },
    hookTimeout: 30_000,
    projects: [
      {
        // Files share a worker's modules (isolate: false): each file would otherwise import
        // DuckDB, vega and the engine afresh, a third of a light file's time. Files restore what
        // they change (spies, environment variables, servers).
        extends: true,
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: MOCKS_MODULES, isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: MOCKS_MODULES, isolate: true } },
    ],
  },
});
