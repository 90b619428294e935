import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ if src/ changed since the last build: CLI tests spawn the compiled CLI.
    globalSetup: ['test/global-setup.ts'],
    // CLI tests start real processes and LLM tests real servers; on a loaded 2-core CI
    // machine they need more than vitest's 5 s default. Not a performance assertion.
    testTimeout: 60_000,
    // Vitest runs one file at a time on a 2-core machine (cores − 1); most files wait on child
    // processes, servers and DuckDB I/O, so two at a time finish the suite sooner there.
    maxWorkers: 2,
    hookTimeout: 30_000,
  },
});
