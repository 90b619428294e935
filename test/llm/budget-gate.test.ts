import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { BudgetGate, budgetScopeOf } from '../../src/llm/budget-gate.js';
import { createModelClient } from '../../src/llm/client.js';
import { createEmbeddingClient } from '../../src/llm/embeddings.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { createLimiterFor } from '../../src/llm/settings.js';
import type { ModelSettings } from '../../src/llm/types.js';

const STUB = `import('tsx/esm/api')
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./worker-budget.ts', import.meta.url).href)}); })`;

let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const settingsFor = (server: FakeServer, name = 'fake'): ModelSettings => ({
  name,
  model: 'fake-model',
  endpoints: [{ url: server.url, maxConcurrency: 8 }],
  apiKey: null,
  timeoutMs: 10_000,
  maxAttempts: 3,
  temperature: 0,
  maxTokens: 64,
  backoff: { baseMs: 5, maxMs: 20 },
});

describe('budget gate', () => {
  it('when three worker threads and the main thread race for a 25-request budget then exactly 25 requests reach the server', async () => {
    const server = await startFakeOpenAI({ latencyMs: 5 });
    servers = [server];
    const settings = settingsFor(server);
    const limiter = createLimiterFor(settings);
    const gate = BudgetGate.create([{ name: 'fake' }], [{ name: 'fake', models: ['fake'], maxRequests: 25 }]);
    const workers = [0, 1, 2].map(() => new Worker(STUB, { eval: true, workerData: { shared: limiter.shared, budget: gate.shared, settings, calls: 15 } }));
    const fromWorkers = workers.map((w) => once(w, 'message') as Promise<[{ outcomes: string[]; scopes: (string | null)[] }]>);
    const main = createModelClient(settings, limiter, gate);
    const local = await Promise.all(Array.from({ length: 15 }, () => main.chat({ messages: [{ role: 'user', content: 'hello from main' }] })));
    const replies = (await Promise.all(fromWorkers)).map(([m]) => m);
    await Promise.all(workers.map((w) => w.terminate()));

    const outcomes = [...replies.flatMap((r) => r.outcomes), ...local.map((r) => r.record.outcome)];
    expect(server.requests.length).toBe(25);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(25);
    expect(outcomes.filter((o) => o === 'budget_exhausted')).toHaveLength(35);
    expect(new Set(replies.flatMap((r) => r.scopes))).toEqual(new Set(['fake']));
    const after = await main.chat({ messages: [{ role: 'user', content: 'one more' }] });
    expect(after).toMatchObject({ ok: false, kind: 'budget_exhausted', budgetScope: 'fake' });
    expect(after.record).toMatchObject({ attempts: 0, endpoint: '', error: 'budget fake exhausted (25 requests of 25 allowed): request not sent' });
    expect(server.requests.length).toBe(25);
    expect(gate.refusals()).toEqual([{ scope: 'fake', limit: 'requests' }]);
    expect(gate.spend('fake')).toMatchObject({ requests: 25, reservedPrompt: 0, reservedCompletion: 0 });
  });

  it('when retries are needed then every attempt is a request and the cap still holds', async () => {
    const server = await startFakeOpenAI();
    servers = [server];
    server.script({ status: 503 }, { status: 503 });
    const gate = BudgetGate.create([{ name: 'fake' }], [{ name: 'fake', models: ['fake'], maxRequests: 3 }]);
    const client = createModelClient(settingsFor(server), createLimiterFor(settingsFor(server)), gate);
    const first = await client.chat({ messages: [{ role: 'user', content: 'one' }] });
    expect(first.record).toMatchObject({ outcome: 'ok', attempts: 3 });
    const second = await client.chat({ messages: [{ role: 'user', content: 'two' }] });
    expect(second).toMatchObject({ ok: false, kind: 'budget_exhausted', budgetScope: 'fake' });
    expect(server.requests.length).toBe(3);
  });

  it('when tokens are capped then a request goes only if its reservation fits beside those in flight, and the reported tokens replace it', () => {
    const gate = BudgetGate.create([{ name: 'a', price: { prompt: 1, completion: 2 } }], [{ name: 'a', models: ['a'], maxTokens: 1000 }]);
    const r1 = gate.reserve('a', 300, 200);
    const r2 = gate.reserve('a', 300, 200);
    expect(r1.ok && r2.ok).toBe(true);
    // 1,000 reserved in flight: one more would pass the cap, even though nothing is used yet.
    const r3 = gate.reserve('a', 1, 0);
    expect(r3).toMatchObject({ ok: false, scope: 'a', limit: 'tokens', message: 'budget a exhausted (1,000 tokens used or reserved of 1,000 allowed): request not sent' });
    gate.settle(r1.ok ? r1.reservation : null, { promptTokens: 250, completionTokens: 10 });
    expect(gate.spend('a')).toEqual({ requests: 2, promptTokens: 250, completionTokens: 10, reservedPrompt: 300, reservedCompletion: 200 });
    // Exhausted for good: room freed by the settlement is not used again.
    expect(gate.reserve('a', 1, 0).ok).toBe(false);
  });

  it('when a run budget covers two models then their costs add up, and a model budget refuses only its own model', () => {
    const gate = BudgetGate.create(
      [
        { name: 'a', price: { prompt: 10, completion: 10 } },
        { name: 'b', price: { prompt: 20, completion: 20 } },
      ],
      [
        { name: 'b', models: ['b'], maxRequests: 1 },
        { name: 'run', models: ['a', 'b'], maxCostUsd: 0.01 },
      ],
    );
    const a = gate.reserve('a', 400, 0); // $0.004
    const b = gate.reserve('b', 200, 0); // $0.004
    expect(a.ok && b.ok).toBe(true);
    expect(gate.reserve('b', 1, 0)).toMatchObject({ ok: false, scope: 'b', limit: 'requests' });
    expect(gate.reserve('a', 100, 0).ok).toBe(true); // $0.009
    expect(gate.reserve('a', 200, 0)).toMatchObject({ ok: false, scope: 'run', limit: 'cost' });
    expect(gate.refusals()).toEqual([
      { scope: 'b', limit: 'requests' },
      { scope: 'run', limit: 'cost' },
    ]);
    expect(budgetScopeOf('budget run exhausted ($0.0090 used or reserved of $0.01 allowed): request not sent')).toBe('run');
    expect(gate.covers('c')).toBe(false);
    expect(gate.reserve('c', 1e9, 1e9)).toEqual({ ok: true, reservation: null });
  });

  it('when embedding batches pass a request budget then the batches turned away fail as budget_exhausted without reaching the server', async () => {
    const server = await startFakeOpenAI();
    servers = [server];
    const gate = BudgetGate.create([{ name: 'emb' }], [{ name: 'run', models: ['emb'], maxRequests: 2 }]);
    const client = createEmbeddingClient(settingsFor(server, 'emb'), { batchSize: 2, gate });
    const result = await client.embed(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(server.embeddingRequests.length).toBe(2);
    expect(result.vectors.map((v) => v !== null)).toEqual([true, true, true, true, false, false]);
    expect(result.calls.map((c) => c.outcome)).toEqual(['ok', 'ok', 'budget_exhausted']);
    expect(result.calls[2]).toMatchObject({ attempts: 0, endpoint: '', error: 'budget run exhausted (2 requests of 2 allowed): request not sent' });
  });
});
