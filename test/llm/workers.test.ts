import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src/llm/client.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { createLimiterFor } from '../../src/llm/settings.js';
import type { ModelSettings } from '../../src/llm/types.js';

const STUB = `import('tsx/esm/api')
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./worker-calls.ts', import.meta.url).href)}); })`;

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('limiter across worker threads', () => {
  it('when 2 workers and the main thread share one limiter then the per-endpoint maxima hold for all', async () => {
    servers = [await startFakeOpenAI({ latencyMs: 25 }), await startFakeOpenAI({ latencyMs: 25 })];
    const settings: ModelSettings = {
      name: 'fake',
      model: 'fake-model',
      endpoints: servers.map((s) => ({ url: s.url, maxConcurrency: 3 })),
      apiKey: null,
      timeoutMs: 10_000,
      maxAttempts: 2,
      temperature: 0,
      maxTokens: 64,
      backoff: { baseMs: 5, maxMs: 50 },
    };
    const limiter = createLimiterFor(settings);
    const workers = [0, 1].map(
      () =>
        // Node 20 does not apply `execArgv: ['--import', 'tsx']` hooks to a raw Worker's entry
        // (piscina's own JS entry is fine), so a JS stub registers tsx, then imports the .ts file.
        new Worker(STUB, {
          eval: true,
          workerData: { shared: limiter.shared, settings, calls: 40 },
        }),
    );
    const fromWorkers = workers.map((w) => once(w, 'message') as Promise<[{ ok: number; kinds: string[] }]>);
    const main = createModelClient(settings, limiter);
    const local = await Promise.all(
      Array.from({ length: 20 }, () => main.chat({ messages: [{ role: 'user', content: 'hello from main' }] })),
    );
    const replies = (await Promise.all(fromWorkers)).map(([m]) => m);
    await Promise.all(workers.map((w) => w.terminate()));

    expect(replies).toEqual([
      { ok: 40, kinds: [] },
      { ok: 40, kinds: [] },
    ]);
    expect(local.every((r) => r.ok)).toBe(true);
    expect(servers[0]!.requests.length + servers[1]!.requests.length).toBe(100);
    for (const s of servers) {
      expect(s.maxInFlight).toBeLessThanOrEqual(3);
      expect(s.maxInFlight).toBe(3);
    }
    expect(limiter.snapshot().outstanding).toEqual([0, 0]);
  }, 30_000);
});
