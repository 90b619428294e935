/**
 * Worker-thread side of budget-gate.test.ts (not a test file itself): attaches the shared limiter
 * and budget gate, fires `calls` chat calls at once and reports how each ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BudgetGate, type SharedBudget } from '../../src/llm/budget-gate.js';
import { createModelClient } from '../../src/llm/client.js';
import { EndpointLimiter, type SharedLimiter } from '../../src/llm/limiter.js';
import type { ModelSettings } from '../../src/llm/types.js';

const { shared, budget, settings, calls } = workerData as { shared: SharedLimiter; budget: SharedBudget; settings: ModelSettings; calls: number };
const client = createModelClient(settings, EndpointLimiter.attach(shared), BudgetGate.attach(budget));
const results = await Promise.all(Array.from({ length: calls }, () => client.chat({ messages: [{ role: 'user', content: 'hello from a worker' }] })));
parentPort!.postMessage({ outcomes: results.map((r) => r.record.outcome), scopes: results.flatMap((r) => (r.ok ? [] : [r.budgetScope ?? null])) });
