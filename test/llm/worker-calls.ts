/**
 * Worker-thread side of workers.test.ts (not a test file itself): attaches the shared limiter,
 * fires `calls` chat calls at once and reports how many succeeded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createModelClient } from '../../src/llm/client.js';
import { EndpointLimiter, type SharedLimiter } from '../../src/llm/limiter.js';
import type { ModelSettings } from '../../src/llm/types.js';

const { shared, settings, calls } = workerData as { shared: SharedLimiter; settings: ModelSettings; calls: number };
const client = createModelClient(settings, EndpointLimiter.attach(shared));
const results = await Promise.all(
  Array.from({ length: calls }, () =>
    client.chat({
      messages: [{ role: 'user', content: 'hello from a worker' }],
      tools: [{ type: 'function', function: { name: 'do_nothing', parameters: { type: 'object' } } }],
    }),
  ),
);
parentPort!.postMessage({
  ok: results.filter((r) => r.ok).length,
  kinds: results.filter((r) => !r.ok).map((r) => r.record.outcome),
});
