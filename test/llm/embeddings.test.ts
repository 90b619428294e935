import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmbeddingClient, type EmbeddingClient } from '../../src/llm/embeddings.js';
import {
  fakeEmbedding,
  startFakeOpenAI,
  type FakeEmbeddingReply,
  type FakeServer,
  type FakeServerOptions,
} from '../../src/llm/fake-server.js';
import * as retry from '../../src/llm/retry.js';
import type { ModelSettings } from '../../src/llm/types.js';

// The client's waits between attempts, seen through a pass-through spy: tests assert what it
// waited for, not how long the machine took.
vi.mock('../../src/llm/retry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/llm/retry.js')>();
  return { ...actual, sleep: vi.fn(actual.sleep) };
});

let servers: FakeServer[] = [];
let raw: Server[] = [];
async function start(opts?: FakeServerOptions): Promise<FakeServer> {
  const s = await startFakeOpenAI(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const r of raw) r.closeAllConnections();
  await Promise.all(raw.map((r) => new Promise((resolve) => r.close(resolve))));
  servers = [];
  raw = [];
  vi.mocked(retry.sleep).mockClear();
});

/** A URL on which nothing listens (connection refused). */
async function deadUrl(): Promise<string> {
  const s = await startFakeOpenAI();
  await s.close();
  return s.url;
}

function settings(urls: string[], over: Partial<ModelSettings> = {}): ModelSettings {
  return {
    name: 'emb',
    model: 'emb-model',
    endpoints: urls.map((url) => ({ url, maxConcurrency: 4 })),
    apiKey: null,
    // Generous, so a loaded machine does not turn answers into timeouts; the timeout tests set their own.
    timeoutMs: 5_000,
    maxAttempts: 3,
    temperature: 0,
    maxTokens: 0,
    backoff: { baseMs: 5, maxMs: 50 },
    ...over,
  };
}
function client(
  urls: string[],
  over: Partial<ModelSettings> = {},
  options?: { batchSize?: number; concurrency?: number },
): EmbeddingClient {
  return createEmbeddingClient(settings(urls, over), options);
}

function unit(v: readonly number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => (norm === 0 ? 0 : x / norm));
}
const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, k) => s + x * b[k]!, 0);
const norm = (a: Float32Array): number => Math.sqrt(dot(a, a));
function expectVector(v: Float32Array | null, text: string, dim = 16): void {
  expect(v).toBeInstanceOf(Float32Array);
  const want = unit(fakeEmbedding(text, dim));
  expect(Array.from(v!).map((x) => Math.round(x * 1e5))).toEqual(want.map((x) => Math.round(x * 1e5)));
}

const TOPICS = ['election', 'football', 'jazz', 'cooking', 'rockets'];

describe('embedding client', () => {
  it('when 300 texts go in batches of 128 then 3 requests are made and unit vectors come back in input order', async () => {
    const s = await start({ embeddingDim: 64 });
    // The first batch answers last, so placement by completion order would scramble it.
    s.setEmbeddingHandler((input) => (input[0] === 'post 0 about election' ? { delayMs: 80, then: { ok: true } } : { ok: true }));
    const texts = Array.from({ length: 300 }, (_, k) => `post ${k % 150} about ${TOPICS[k % 5]}`);
    const r = await client([s.url], {}, { batchSize: 128 }).embed(texts);

    expect(s.embeddingRequests.map((q) => q.input.length)).toEqual([128, 128, 44]);
    expect(s.embeddingRequests.flatMap((q) => q.input)).toEqual(texts);
    expect(s.embeddingRequests[0]).toMatchObject({ model: 'emb-model', encodingFormat: 'float' });
    expect(s.embeddingRequests[0]!.headers.authorization).toBe('Bearer not-needed');
    expect(r.calls.map((c) => [c.texts, c.outcome, c.attempts, c.endpoint, c.error])).toEqual([
      [128, 'ok', 1, s.url, null],
      [128, 'ok', 1, s.url, null],
      [44, 'ok', 1, s.url, null],
    ]);
    expect(r.calls.every((c) => c.promptTokens > 0)).toBe(true);
    expect(r.vectors).toHaveLength(300);
    r.vectors.forEach((v, k) => {
      expectVector(v, texts[k]!, 64);
      expect(norm(v!)).toBeCloseTo(1, 5);
    });
    // texts[k] === texts[k + 150], in different batches
    expect(texts[10]).toBe(texts[160]);
    expect(Array.from(r.vectors[10]!)).toEqual(Array.from(r.vectors[160]!));
  });

  it('when texts share words then their vectors are closer than unrelated ones', async () => {
    const s = await start({ embeddingDim: 64 });
    const [a, b, c] = (
      await client([s.url]).embed([
        'election results tonight in the capital',
        'the capital awaits election results',
        'my cat sleeps on a warm sofa',
      ])
    ).vectors as Float32Array[];
    expect(dot(a!, b!)).toBeGreaterThan(0.5);
    expect(Math.abs(dot(a!, c!))).toBeLessThan(0.2);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!) + 0.4);
  });

  it('when the input is empty then no request is made', async () => {
    const s = await start();
    const r = await client([s.url]).embed([]);
    expect(r).toEqual({ vectors: [], calls: [] });
    expect(s.requests).toHaveLength(0);
  });

  it('when a text is empty then a single space is sent (the fake, like OpenAI, refuses "") and it embeds to zeros', async () => {
    const s = await start();
    const refused = await fetch(`${s.url}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: ['a', ''] }),
    });
    expect(refused.status).toBe(400);

    const r = await client([s.url]).embed(['', 'hello world', '']);
    expect(s.embeddingRequests.at(-1)!.input).toEqual([' ', 'hello world', ' ']);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 1 });
    expect(Array.from(r.vectors[0]!)).toEqual(new Array(16).fill(0));
    expectVector(r.vectors[1]!, 'hello world');
    expect(r.vectors[2]).toEqual(r.vectors[0]);
  });

  it('when there are two endpoints then batches alternate between them', async () => {
    const [s1, s2] = [await start(), await start()];
    const texts = Array.from({ length: 40 }, (_, k) => `text number ${k}`);
    const r = await client([s1.url, s2.url], {}, { batchSize: 10 }).embed(texts);
    expect(r.calls.map((c) => c.endpoint)).toEqual([s1.url, s2.url, s1.url, s2.url]);
    expect(s1.embeddingRequests).toHaveLength(2);
    expect(s2.embeddingRequests).toHaveLength(2);
    r.vectors.forEach((v, k) => expectVector(v, texts[k]!));
  });

  it('when concurrency is 2 then at most 2 batches are in flight', async () => {
    const s = await start({ latencyMs: 30 });
    const texts = Array.from({ length: 80 }, (_, k) => `t${k}`);
    const r = await client([s.url], {}, { batchSize: 10, concurrency: 2 }).embed(texts);
    expect(s.embeddingRequests).toHaveLength(8);
    expect(s.maxInFlight).toBe(2);
    expect(r.vectors.every((v) => v !== null)).toBe(true);
  });

  it('when the first answer is a 500 then the batch is retried on the other endpoint, one record with attempts 2', async () => {
    const [s1, s2] = [await start(), await start()];
    s1.scriptEmbeddings({ status: 500 });
    const r = await client([s1.url, s2.url]).embed(['alpha beta', 'gamma']);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 2, endpoint: s2.url, error: null, texts: 2 });
    expect([s1.embeddingRequests.length, s2.embeddingRequests.length]).toEqual([1, 1]);
    expectVector(r.vectors[0]!, 'alpha beta');
    expectVector(r.vectors[1]!, 'gamma');
  });

  it('when every answer of one batch is a 500 then after maxAttempts its vectors are null and the other batches succeed', async () => {
    const s = await start({ embeddingHandler: (input) => (input.includes('doomed') ? { status: 500 } : { ok: true }) });
    const r = await client([s.url], { maxAttempts: 3 }, { batchSize: 2 }).embed(['a', 'b', 'doomed', 'c', 'd', 'e']);
    expect(r.calls.map((c) => [c.outcome, c.attempts])).toEqual([
      ['ok', 1],
      ['server_error', 3],
      ['ok', 1],
    ]);
    expect(r.calls[1]!.error).toContain('500');
    expect(r.vectors.map((v) => v === null)).toEqual([false, false, true, true, false, false]);
    expectVector(r.vectors[4]!, 'd');
  });

  it('when a 429 carries Retry-After then the retry waits for it', async () => {
    const s = await start();
    s.scriptEmbeddings({ status: 429, retryAfter: 0.3 });
    // Jittered backoff is at most 1 ms here: the 300 ms wait is Retry-After's.
    const r = await client([s.url], { backoff: { baseMs: 1, maxMs: 2000 } }).embed(['x']);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(vi.mocked(retry.sleep).mock.calls).toEqual([[300]]);
    expect(s.embeddingRequests).toHaveLength(2);
  });

  it('when a request hangs then the attempt times out and the retry succeeds', async () => {
    const s = await start();
    s.scriptEmbeddings({ hang: true });
    // The first request never gets an answer: only its deadline lets the retry happen.
    const r = await client([s.url], { timeoutMs: 200 }).embed(['slow text']);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(s.embeddingRequests).toHaveLength(2);
    expectVector(r.vectors[0]!, 'slow text');
  });

  it('when every request hangs then the batch fails as timeout after maxAttempts', async () => {
    const s = await start({ embeddingHandler: () => ({ hang: true }) });
    const r = await client([s.url], { timeoutMs: 100, maxAttempts: 2 }).embed(['a', 'b']);
    expect(r.vectors).toEqual([null, null]);
    expect(r.calls[0]).toMatchObject({ outcome: 'timeout', attempts: 2 });
  });

  it('when the headers arrive but the body stalls then the deadline still fires', async () => {
    const stall = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"object":"list","data":[');
    });
    raw.push(stall);
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    const stallUrl = `http://127.0.0.1:${(stall.address() as AddressInfo).port}/v1`;
    const s = await start();
    // The stalled body never completes: only the deadline moves the batch to the other endpoint.
    const r = await client([stallUrl, s.url], { timeoutMs: 200 }).embed(['body']);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 2, endpoint: s.url });
  });

  const MALFORMED: [string, FakeEmbeddingReply][] = [
    ['too few embeddings', { ok: true, vectors: [[1, 2]] }],
    ['a non-numeric value', { ok: true, vectors: [[1, 'x'], [1, 2]] }],
    ['a null value', { ok: true, vectors: [[null, 1], [1, 2]] }],
    ['dimensions differing within the answer', { ok: true, vectors: [[1, 2], [1, 2, 3]] }],
    ['empty embeddings', { ok: true, vectors: [[], []] }],
    ['a body that is not JSON', { status: 200, body: 'not json' }],
    ['no data', { status: 200, body: { object: 'list' } }],
    [
      'a repeated index',
      { status: 200, body: { object: 'list', data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [1] }] } },
    ],
    [
      'an index out of range',
      { status: 200, body: { object: 'list', data: [{ index: 0, embedding: [1] }, { index: 2, embedding: [1] }] } },
    ],
  ];
  it.each(MALFORMED)('when the answer has %s then it is a bad_response and the retry succeeds', async (_what, reply) => {
    const s = await start();
    s.scriptEmbeddings(reply);
    const r = await client([s.url]).embed(['red apple', 'green pear']);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 2, error: null });
    expect(s.embeddingRequests).toHaveLength(2);
    expectVector(r.vectors[0]!, 'red apple');
    expectVector(r.vectors[1]!, 'green pear');
  });

  it('when the indexes come out of order then the vectors are placed by index', async () => {
    const s = await start();
    s.scriptEmbeddings({
      status: 200,
      body: { object: 'list', data: [{ index: 1, embedding: [0, 2] }, { index: 0, embedding: [3, 4] }] },
    });
    const r = await client([s.url]).embed(['first', 'second']);
    expect(r.calls[0]).toMatchObject({ outcome: 'ok', attempts: 1 });
    expect(Array.from(r.vectors[0]!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(r.vectors[1]!)).toEqual([0, 1]);
  });

  it('when a later answer changes the dimension then it is a bad_response; the first dimension wins', async () => {
    const s = await start();
    const c = client([s.url], { maxAttempts: 4 });
    expect((await c.embed(['one']).then((r) => r.vectors[0]!)).length).toBe(16);

    s.scriptEmbeddings({ ok: true, vectors: [[1, 2, 3, 4, 5, 6, 7, 8]] });
    const retried = await c.embed(['two']);
    expect(retried.calls[0]).toMatchObject({ outcome: 'ok', attempts: 2 });
    expectVector(retried.vectors[0]!, 'two');

    s.setEmbeddingHandler(() => ({ ok: true, vectors: [[1, 2, 3, 4, 5, 6, 7, 8]] }));
    const failed = await c.embed(['three']);
    expect(failed.vectors).toEqual([null]);
    // retry.ts retries a bad_response once only, whatever maxAttempts says
    expect(failed.calls[0]).toMatchObject({ outcome: 'bad_response', attempts: 2 });
    expect(failed.calls[0]!.error).toContain('dimension 8, expected 16');
  });

  it('when one batch is always malformed then only its vectors are null and the other batches succeed', async () => {
    const s = await start({
      embeddingHandler: (input) => (input.includes('poison') ? { ok: true, vectors: input.map(() => ['NaN']) } : { ok: true }),
    });
    const texts = ['a1', 'a2', 'a3', 'poison', 'b2', 'b3', 'c1', 'c2', 'c3'];
    const r = await client([s.url], {}, { batchSize: 3 }).embed(texts);
    expect(r.calls.map((c) => [c.outcome, c.attempts])).toEqual([
      ['ok', 1],
      ['bad_response', 2],
      ['ok', 1],
    ]);
    expect(r.vectors.map((v) => v === null)).toEqual([false, false, false, true, true, true, false, false, false]);
    r.vectors.forEach((v, k) => v !== null && expectVector(v, texts[k]!));
  });

  it('when one endpoint refuses connections then the other serves every batch', async () => {
    const dead = await deadUrl();
    const s = await start();
    const texts = Array.from({ length: 8 }, (_, k) => `word${k} shared`);
    const r = await client([dead, s.url], {}, { batchSize: 2 }).embed(texts);
    // Batches 0 and 2 start on the dead endpoint and move over; 1 and 3 start on the live one.
    expect(r.calls.map((c) => [c.outcome, c.attempts, c.endpoint])).toEqual([
      ['ok', 2, s.url],
      ['ok', 1, s.url],
      ['ok', 2, s.url],
      ['ok', 1, s.url],
    ]);
    expect(s.embeddingRequests).toHaveLength(4);
    r.vectors.forEach((v, k) => expectVector(v, texts[k]!));
  });

  it('when an endpoint has failed unhealthyAfter times in a row then new batches skip it', async () => {
    const dead = await deadUrl();
    const s = await start();
    const r = await client([dead, s.url], { unhealthyAfter: 1 }, { batchSize: 2 }).embed(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(r.calls.map((c) => c.attempts)).toEqual([2, 1, 1, 1]);
    expect(r.vectors.every((v) => v !== null)).toBe(true);
  });

  it('when every endpoint refuses connections then the vectors are null and the error says connection', async () => {
    const r = await client([await deadUrl()], { maxAttempts: 2 }).embed(['a']);
    expect(r.vectors).toEqual([null]);
    expect(r.calls[0]).toMatchObject({ outcome: 'connection', attempts: 2 });
    expect(r.calls[0]!.error).toMatch(/ECONNREFUSED|connection/i);
  });

  it('when a key is set then it is sent, and never appears in errors, records or settings', async () => {
    const key = 'sk-embed-SECRET-0123456789';
    // A server that echoes the key in its error, as some do for a wrong key.
    const s = await start({
      embeddingHandler: (_input, _body, req) => ({
        status: 401,
        body: { error: { message: `Incorrect API key provided: ${req.headers.authorization}`, type: 'invalid_request_error' } },
      }),
    });
    const c = client([s.url, await deadUrl()], { apiKey: key, maxAttempts: 1 }, { batchSize: 1 });
    const r = await c.embed(['a', 'b']);
    expect(s.embeddingRequests[0]!.headers.authorization).toBe(`Bearer ${key}`);
    expect(r.calls.map((c) => c.outcome).sort()).toEqual(['client_error', 'connection']);
    const clientError = r.calls.find((c) => c.outcome === 'client_error')!;
    expect(clientError.attempts).toBe(1);
    expect(clientError.error).toContain('Incorrect API key provided');
    expect(clientError.error).toContain('[redacted]');
    const all = JSON.stringify(r) + JSON.stringify(c.settings) + r.calls.map((x) => x.error).join('\n');
    expect(all).not.toContain(key);
    expect(all).not.toContain('SECRET');
    expect('apiKey' in c.settings).toBe(false);
  });

  it('when options are invalid then creating the client throws', () => {
    expect(() => client(['http://127.0.0.1:1/v1'], {}, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => client(['http://127.0.0.1:1/v1'], {}, { concurrency: 1.5 })).toThrow(/concurrency/);
    expect(() => client([])).toThrow(/no endpoints/);
  });
});
