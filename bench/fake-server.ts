/**
 * Timings the tests no longer assert (a loaded machine makes them fail while the behaviour is
 * right), measured here instead:
 *   npm run bench:fake-server             1,000 requests, 32 at a time
 *   npm run bench:fake-server -- 5000 64  requests, lanes
 * - the fake server's requests/s, sharing the process with the client and from its own process;
 * - close() with a request hanging;
 * - the model client against it: three 300 ms deadlines on a hanging endpoint, a
 *   `Retry-After: 1`, and the wait before `no_endpoint` when the only endpoint is out of rotation.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createModelClient } from '../src/llm/client.js';
import { startFakeOpenAI } from '../src/llm/fake-server.js';
import { createLimiterFor } from '../src/llm/settings.js';
import type { ChatRequest, ModelSettings } from '../src/llm/types.js';

const n = Number(process.argv[2] ?? 1000);
const lanes = Number(process.argv[3] ?? 32);
const MESSAGES = [{ role: 'user', content: 'What do you do next? '.repeat(10) }];
const TOOLS = ['like', 'do_nothing'].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } }));

/** Requests/s of `n` chat requests sent `lanes` at a time. */
async function throughput(url: string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (next++ < n) {
      const r = await fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: MESSAGES, tools: TOOLS }) });
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

const inProcess = await startFakeOpenAI({ record: false });
console.log(`fake server, same process as the client: ${fmt(await throughput(inProcess.url))} requests/s (${n} requests, ${lanes} at a time)`);
await inProcess.close();

const child = spawn(process.execPath, ['--import', 'tsx', 'src/llm/fake-server.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const url = /listening (\S+)/.exec(line)![1]!;
console.log(`fake server, its own process:           ${fmt(await throughput(url))} requests/s`);
child.kill('SIGTERM');
await once(child, 'exit');

const hung = await startFakeOpenAI({ handler: () => ({ hang: true }) });
const pending = fetch(`${hung.url}/chat/completions`, { method: 'POST', body: '{}' }).catch(() => null);
while (hung.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
let t0 = performance.now();
await hung.close();
console.log(`close() with a request hanging:          ${(performance.now() - t0).toFixed(1)} ms`);
await pending;

const REQ: ChatRequest = { messages: [{ role: 'user', content: 'Your feed is empty. What do you do?' }] };
const settings = (url: string, over: Partial<ModelSettings>): ModelSettings => ({
  name: 'fake',
  model: 'fake-model',
  endpoints: [{ url, maxConcurrency: 4 }],
  apiKey: null,
  timeoutMs: 300,
  maxAttempts: 3,
  temperature: 0.7,
  maxTokens: 256,
  backoff: { baseMs: 5, maxMs: 50 },
  ...over,
});
const call = async (url: string, over: Partial<ModelSettings> = {}): Promise<[number, string]> => {
  const s = settings(url, over);
  const c = createModelClient(s, createLimiterFor(s));
  const t = performance.now();
  const r = await c.chat(REQ);
  return [performance.now() - t, r.record.outcome];
};

const srv = await startFakeOpenAI({ handler: () => ({ hang: true }) });
let [ms, outcome] = await call(srv.url);
console.log(`client, hanging endpoint, 3 × 300 ms:   ${ms.toFixed(0)} ms (${outcome}; the deadlines plus two backoffs of ≤ 50 ms)`);
srv.setHandler(() => ({ content: 'ok' }));
srv.script({ status: 429, retryAfter: 1 });
[ms, outcome] = await call(srv.url, { backoff: { baseMs: 5, maxMs: 2000 } });
console.log(`client, Retry-After: 1:                  ${ms.toFixed(0)} ms (${outcome})`);
srv.setHandler(() => ({ status: 502 }));
const s = settings(srv.url, { maxAttempts: 1, unhealthyAfter: 1, probeAfterMs: 60_000 });
const c = createModelClient(s, createLimiterFor(s));
await c.chat(REQ);
t0 = performance.now();
const r = await c.chat(REQ);
console.log(`client, endpoint out of rotation:        ${(performance.now() - t0).toFixed(0)} ms to ${r.record.outcome} (timeoutMs 300)`);
await srv.close();
