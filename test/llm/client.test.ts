import { afterEach, describe, expect, it, vi } from 'vitest';
import { createModelClient } from '../../src/llm/client.js';
import { startFakeOpenAI, type FakeServer, type FakeServerOptions } from '../../src/llm/fake-server.js';
import { EndpointLimiter } from '../../src/llm/limiter.js';
import * as retry from '../../src/llm/retry.js';
import { createLimiterFor } from '../../src/llm/settings.js';
import type { ChatRequest, ModelClient, ModelSettings, ToolDef } from '../../src/llm/types.js';

// The client's waits between attempts, seen through a pass-through spy: tests assert what it
// waited for, not how long the machine took.
vi.mock('../../src/llm/retry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/llm/retry.js')>();
  return { ...actual, sleep: vi.fn(actual.sleep) };
});
const sleeps = (): number[] => vi.mocked(retry.sleep).mock.calls.map(([ms]) => ms);

const tool = (name: string): ToolDef => ({
  type: 'function',
  function: { name, parameters: { type: 'object', properties: {} } },
});
const REQ: ChatRequest = {
  messages: [
    { role: 'system', content: 'You are a user of a social network.' },
    { role: 'user', content: 'Your feed is empty. What do you do?' },
  ],
  tools: [tool('create_post'), tool('do_nothing')],
  toolChoice: 'required',
};

let servers: FakeServer[] = [];
async function start(opts?: FakeServerOptions): Promise<FakeServer> {
  const s = await startFakeOpenAI(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  vi.mocked(retry.sleep).mockClear();
});

function settings(srvs: FakeServer[], over: Partial<ModelSettings> = {}): ModelSettings {
  return {
    name: 'fake',
    model: 'fake-model',
    endpoints: srvs.map((s) => ({ url: s.url, maxConcurrency: 4 })),
    apiKey: null,
    // Generous, so a loaded machine does not turn answers into timeouts; the timeout tests set their own.
    timeoutMs: 5_000,
    maxAttempts: 3,
    temperature: 0.7,
    maxTokens: 256,
    backoff: { baseMs: 5, maxMs: 50 },
    ...over,
  };
}
function client(srvs: FakeServer[], over: Partial<ModelSettings> = {}): ModelClient {
  const s = settings(srvs, over);
  return createModelClient(s, createLimiterFor(s));
}

describe('model client', () => {
  it('when the endpoint answers then the result is ok, with the message, tokens and one attempt', async () => {
    const s = await start();
    const r = await client([s], { extraBody: { top_k: 20 } }).chat(REQ);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const call = r.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('do_nothing');
    expect(r.record).toMatchObject({ endpoint: s.url, attempts: 1, outcome: 'ok', error: null });
    expect(r.record.promptTokens).toBeGreaterThan(10);
    expect(r.record.completionTokens).toBeGreaterThan(0);
    const body = s.requests[0]!.body!;
    expect(body).toMatchObject({ model: 'fake-model', temperature: 0.7, max_tokens: 256, tool_choice: 'required', top_k: 20 });
    expect(body.tools).toHaveLength(2);
    expect(s.requests[0]!.headers.authorization).toBe('Bearer not-needed');
  });

  it('when the first answer is a 500 then the retry succeeds with attempts 2', async () => {
    const s = await start();
    s.script({ status: 500 });
    const r = await client([s]).chat(REQ);
    expect(r.record).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('when every answer is a 503 then it fails as server_error after maxAttempts', async () => {
    const s = await start({ handler: () => ({ status: 503 }) });
    const r = await client([s], { maxAttempts: 4 }).chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'server_error' });
    expect(r.record.attempts).toBe(4);
    expect(r.record.error).toContain('503');
  });

  it('when a 429 says Retry-After: 1 then the retry waits the second it asked for and succeeds', async () => {
    const s = await start();
    s.script({ status: 429, retryAfter: 1 });
    const r = await client([s], { backoff: { baseMs: 5, maxMs: 2000 } }).chat(REQ);
    expect(sleeps()).toEqual([1000]); // not the 5 ms backoff
    expect(r.record).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(s.requests).toHaveLength(2);
  });

  it('when the endpoint hangs then each attempt ends at its deadline and the call fails as timeout', async () => {
    const s = await start({ handler: () => ({ hang: true }) });
    // Without the deadline the call would hang until the test's own timeout.
    const r = await client([s], { maxAttempts: 3, timeoutMs: 300 }).chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
    expect(r.record.attempts).toBe(3);
    expect(s.requests).toHaveLength(3); // every attempt reached the server
    expect(sleeps()).toHaveLength(2); // a backoff between attempts, none after the last
    await vi.waitFor(() => expect(s.inFlight).toBe(0)); // abandoned attempts do not keep connections open
  });

  it('when an answer comes after the deadline then the attempt is abandoned and the retry succeeds', async () => {
    const s = await start();
    s.script({ delayMs: 1000, then: { content: 'too late' } });
    const r = await client([s], { maxAttempts: 2, timeoutMs: 200 }).chat(REQ);
    expect(r.record).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('when the connection is dropped then the call retries and succeeds', async () => {
    const s = await start();
    s.script({ drop: true });
    const r = await client([s]).chat(REQ);
    expect(r.record).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('when the connection is dropped on every attempt then it fails as connection', async () => {
    const s = await start({ handler: () => ({ drop: true }) });
    const r = await client([s], { maxAttempts: 2 }).chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'connection' });
  });

  it('when nothing listens on the port then the endpoint leaves rotation at once and the call fails as connection', async () => {
    const s = await start();
    await s.close();
    const c = settings([s], { maxAttempts: 3, unhealthyAfter: 5, probeAfterMs: 3_600_000, unavailableTimeoutMs: 50 });
    const limiter = createLimiterFor(c);
    const r = await createModelClient(c, limiter).chat(REQ);
    // One refused connection is enough (not unhealthyAfter of them): no retry hammers a closed port.
    expect(limiter.snapshot().healthy).toEqual([false]);
    expect(r).toMatchObject({ ok: false, kind: 'connection' });
    expect(r.record.error).toContain('ECONNREFUSED');
    expect(r.record.attempts).toBe(1);
  });

  it('when one of two endpoints refuses connections then the other answers every call', async () => {
    const closed = await start();
    await closed.close();
    const good = await start();
    const c = client([closed, good], { maxAttempts: 2, unhealthyAfter: 5, probeAfterMs: 3_600_000 });
    const results = [];
    for (let k = 0; k < 6; k++) results.push(await c.chat(REQ));
    expect(results.map((r) => r.record.outcome)).toEqual(Array(6).fill('ok'));
    expect(good.requests).toHaveLength(6);
    // Only the first call that met the closed port needed a retry; it was out of rotation after that one refusal.
    expect(results.filter((r) => r.record.attempts > 1).length).toBeLessThanOrEqual(1);
  });

  it('when the endpoint answers 400 then it fails as client_error without a retry', async () => {
    const s = await start();
    s.script({ status: 400, body: { error: { message: 'tools not supported', type: 'invalid_request_error' } } });
    const r = await client([s]).chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'client_error' });
    expect(r.record.attempts).toBe(1);
    expect(r.record.error).toContain('tools not supported');
  });

  it('when a 200 has no choices[0].message then it is bad_response, retried once only', async () => {
    const s = await start({ handler: () => ({ status: 200, body: { id: 'x', object: 'chat.completion', choices: [] } }) });
    const r = await client([s], { maxAttempts: 5 }).chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'bad_response' });
    expect(r.record.attempts).toBe(2);
  });

  it('when a 200 body is not JSON then the call is retried and then succeeds', async () => {
    const s = await start();
    s.script({ status: 200, body: '{"choices": [' });
    const r = await client([s]).chat(REQ);
    expect(r.record).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('when an endpoint always fails then it leaves rotation, the other serves, and it is probed later', async () => {
    const bad = await start({ handler: () => ({ status: 500 }) });
    const good = await start();
    const c = client([bad, good], { unhealthyAfter: 2, probeAfterMs: 300 });
    for (let k = 0; k < 10; k++) expect((await c.chat(REQ)).record.outcome).toBe('ok');
    expect(bad.requests).toHaveLength(2);
    expect(good.requests).toHaveLength(10);
    await new Promise((r) => setTimeout(r, 320));
    expect((await c.chat(REQ)).record).toMatchObject({ outcome: 'ok', endpoint: good.url, attempts: 2 });
    expect(bad.requests).toHaveLength(3); // one probe, which failed
    bad.setHandler(() => ({ content: 'back' }));
    await new Promise((r) => setTimeout(r, 320));
    expect((await c.chat(REQ)).record).toMatchObject({ outcome: 'ok', endpoint: bad.url, attempts: 1 }); // probe
    const results = await Promise.all(Array.from({ length: 8 }, () => c.chat(REQ)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.record.endpoint === bad.url)).toHaveLength(4); // back in rotation
  });

  it('when the only endpoint is out of rotation then calls fail as no_endpoint instead of waiting for its probe', async () => {
    const s = await start({ handler: () => ({ status: 502 }) });
    // A probe an hour away: waiting for it would run into the test's timeout.
    // The wait for an endpoint in rotation is bounded by timeoutMs (no unavailableTimeoutMs set).
    const c = client([s], { maxAttempts: 1, unhealthyAfter: 1, probeAfterMs: 3_600_000, timeoutMs: 300 });
    expect((await c.chat(REQ)).record.outcome).toBe('server_error');
    const r = await c.chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'no_endpoint' });
    expect(r.record.attempts).toBe(0);
    expect(s.requests).toHaveLength(1); // only the first call's
  });

  it('when 200 calls go to 2 servers with max 8 each then neither exceeds 8 and both fill up', async () => {
    const a = await start({ latencyMs: 20 });
    const b = await start({ latencyMs: 20 });
    let peak = 0;
    const sample: Parameters<FakeServer['setHandler']>[0] = (body) => {
      peak = Math.max(peak, a.inFlight + b.inFlight);
      return { toolCalls: [{ name: 'do_nothing', arguments: {} }], content: String(body.model) };
    };
    a.setHandler(sample);
    b.setHandler(sample);
    const s = settings([a, b], { endpoints: [a, b].map((x) => ({ url: x.url, maxConcurrency: 8 })), timeoutMs: 5000 });
    const c = createModelClient(s, EndpointLimiter.create([8, 8]));
    const results = await Promise.all(Array.from({ length: 200 }, () => c.chat(REQ)));
    expect(results.every((r) => r.ok && r.record.attempts === 1)).toBe(true);
    expect(a.maxInFlight).toBeLessThanOrEqual(8);
    expect(b.maxInFlight).toBeLessThanOrEqual(8);
    expect(a.requests.length).toBeGreaterThan(50);
    expect(b.requests.length).toBeGreaterThan(50);
    expect(peak).toBeGreaterThanOrEqual(14);
  });

  it('when the key is sk-secret-123 then it is sent but appears in no error or record', async () => {
    const echo = (auth: string | undefined) => ({ message: `Incorrect API key provided: ${auth}` });
    const s = await start();
    s.script(
      { status: 500, body: { error: echo('sk-secret-123') } },
      { status: 503, body: `upstream said Bearer sk-secret-123` },
    );
    s.setHandler((_b, req) => ({ status: 401, body: { error: echo(req.headers.authorization) } }));
    const c = client([s], { apiKey: 'sk-secret-123', maxAttempts: 3 });
    const r = await c.chat(REQ);
    expect(r).toMatchObject({ ok: false, kind: 'client_error' });
    expect(s.requests[0]!.headers.authorization).toBe('Bearer sk-secret-123');
    const dead = await start();
    await dead.close();
    const r2 = await client([dead], { apiKey: 'sk-secret-123', maxAttempts: 1 }).chat(REQ);
    for (const x of [r, r2, c.settings]) {
      const text = JSON.stringify(x);
      expect(text).not.toContain('sk-secret-123');
      expect(text).not.toContain('secret-123');
    }
  });
});
