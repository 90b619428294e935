/**
 * How many worker threads a run's LLM agents get when the run does not say: one per 256 LLM
 * agents, at most two and at most the cores. Threads are counted in the process's diagnostic
 * report, which lists every live worker thread.
 */
import { describe, expect, it } from 'vitest';
import { createPolicies } from '../../src/agents/policies.js';
import { defaultLlmThreads, llmWorkerModule } from '../../src/agents/llm/pool.js';
import { buildState } from '../../src/common/build.js';
import type { AgentPolicy } from '../../src/agents/types.js';
import { experiment, localModel } from '../helpers/llm.js';

const liveThreads = (): number => (process.report.getReport() as { workers: unknown[] }).workers.length;

async function closeAll(policies: ReadonlyMap<string, AgentPolicy>): Promise<void> {
  await Promise.all([...new Set(policies.values())].map((p) => p.close?.()));
}

describe('LLM worker threads by default', () => {
  it('when dist/ is built then a thread starts from the build’s one-file bundle of the worker and its imports', () => {
    // The suite's global setup builds dist/ when src/ changed, so it is fresh here.
    expect(buildState().fresh).toBe(true);
    expect(llmWorkerModule().pathname).toMatch(/\/dist\/src\/agents\/llm\/worker\.bundle\.mjs$/);
  });

  it('when a run has n LLM agents on c cores then it gets one thread up to 256 agents, two above, never more than the cores', () => {
    // ⌈n / 256⌉, between 1 and min(2, c).
    expect(defaultLlmThreads(0, 8)).toBe(1);
    expect(defaultLlmThreads(1, 8)).toBe(1);
    expect(defaultLlmThreads(256, 8)).toBe(1);
    expect(defaultLlmThreads(257, 8)).toBe(2);
    expect(defaultLlmThreads(10_000, 8)).toBe(2);
    expect(defaultLlmThreads(10_000, 1)).toBe(1);
  });

  it('when 20 LLM agents run then one thread starts, 300 start two on two cores, and a set count is kept', async () => {
    const before = liveThreads();
    const model = localModel(['http://127.0.0.1:9/v1']);
    const cases: [string[], number | undefined, number][] = [
      [[], undefined, 1],
      [['cohorts[1].count=300'], undefined, defaultLlmThreads(300)],
      [[], 3, 3],
    ];
    for (const [overrides, threads, expected] of cases) {
      const policies = createPolicies(experiment(model, overrides), {}, threads === undefined ? {} : { threads });
      try {
        // Piscina starts its minimum of threads at once; a thread is listed once it runs.
        for (let i = 0; i < 200 && liveThreads() - before < expected; i++) await new Promise((r) => setTimeout(r, 25));
        // And none after those: a late one would show here.
        await new Promise((r) => setTimeout(r, 100));
        expect(liveThreads() - before, `${overrides.join(' ') || '20 agents'}, threads ${threads ?? 'default'}`).toBe(expected);
      } finally {
        await closeAll(policies);
      }
    }
    expect(defaultLlmThreads(300, 2)).toBe(2);
  });
});
