import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests start real processes and LLM tests real servers; on a loaded 2-core CI
    // machine they need more than vitest's 5 s default. Not a performance assertion.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
