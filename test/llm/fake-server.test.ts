import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import type { ToolDef } from '../../src/llm/types.js';

const tool = (name: string): ToolDef => ({
  type: 'function',
  function: { name, parameters: { type: 'object', properties: {} } },
});
const TOOLS = [tool('like'), tool('do_nothing')];
const MESSAGES = [{ role: 'user' as const, content: 'What do you do next? '.repeat(10) }];

let servers: FakeServer[] = [];
async function start(opts?: Parameters<typeof startFakeOpenAI>[0]): Promise<FakeServer> {
  const s = await startFakeOpenAI(opts);
  servers.push(s);
  return s;
}
const sdk = (s: FakeServer) => new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0, timeout: 2000 });
const post = (s: FakeServer, body: unknown, signal?: AbortSignal) =>
  fetch(`${s.url}/chat/completions`, { method: 'POST', body: JSON.stringify(body), signal: signal ?? null });

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('fake OpenAI server', () => {
  it('when tools include do_nothing then the default handler calls it, parseable by the SDK, with usage', async () => {
    const s = await start();
    const r = await sdk(s).chat.completions.create({ model: 'm', messages: MESSAGES, tools: TOOLS });
    const msg = r.choices[0]!.message;
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.finish_reason).toBe('tool_calls');
    const call = msg.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('do_nothing');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({});
    expect(r.usage!.prompt_tokens).toBe(Math.ceil(MESSAGES[0]!.content.length / 4));
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.body!.model).toBe('m');
  });

  it('when do_nothing is not offered then the first tool is called with {}', async () => {
    const s = await start();
    const r = await sdk(s).chat.completions.create({ model: 'm', messages: MESSAGES, tools: [tool('follow'), tool('like')] });
    const call = r.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('follow');
  });

  it('when arguments are scripted as a string then they pass through raw, even malformed', async () => {
    const s = await start();
    s.script(
      { toolCalls: [{ name: 'like', arguments: '{"post_id": 3,' }] },
      { toolCalls: [{ name: 'like', arguments: { post_id: 7 } }] },
    );
    const a = await sdk(s).chat.completions.create({ model: 'm', messages: MESSAGES, tools: TOOLS });
    const b = await sdk(s).chat.completions.create({ model: 'm', messages: MESSAGES, tools: TOOLS });
    const fa = a.choices[0]!.message.tool_calls![0]!;
    const fb = b.choices[0]!.message.tool_calls![0]!;
    expect(fa.type === 'function' && fa.function.arguments).toBe('{"post_id": 3,');
    expect(fb.type === 'function' && fb.function.arguments).toBe('{"post_id":7}');
  });

  it('when the script is used up then the handler answers again, and setHandler replaces it', async () => {
    const s = await start({ handler: () => ({ content: 'from handler' }) });
    s.script({ content: 'scripted' });
    const c = sdk(s).chat.completions;
    const texts = [];
    for (let k = 0; k < 2; k++) texts.push((await c.create({ model: 'm', messages: MESSAGES })).choices[0]!.message.content);
    s.setHandler(async () => ({ content: 'replaced' }));
    const r = await c.create({ model: 'm', messages: MESSAGES });
    expect([...texts, r.choices[0]!.message.content]).toEqual(['scripted', 'from handler', 'replaced']);
    expect(r.choices[0]!.finish_reason).toBe('stop');
  });

  it('when GET /v1/models then fake-model is listed', async () => {
    const s = await start();
    const models = await sdk(s).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['fake-model']);
  });

  it('when a status is scripted then it is sent with an OpenAI-style error body and Retry-After', async () => {
    const s = await start();
    s.script({ status: 429, retryAfter: 3 }, { status: 200, body: 'not json' });
    const r = await post(s, { model: 'm', messages: MESSAGES });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('3');
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain('429');
    const raw = await post(s, { model: 'm', messages: MESSAGES });
    expect(await raw.text()).toBe('not json');
  });

  it('when requests overlap then inFlight and maxInFlight count them', async () => {
    // The handler holds every answer until all 10 are in, however slow the machine.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const s = await start({ handler: () => gate.then(() => ({ content: 'ok' })) });
    const all = Promise.all(Array.from({ length: 10 }, () => post(s, { messages: MESSAGES }).then((r) => r.json())));
    await vi.waitFor(() => expect(s.inFlight).toBe(10), { timeout: 20_000, interval: 5 });
    open();
    await all;
    expect(s.maxInFlight).toBe(10);
    await vi.waitFor(() => expect(s.inFlight).toBe(0));
  });

  it('when a slow answer is scripted then a later request without a delay is answered first', async () => {
    const s = await start({ latencyMs: 20 });
    // A second is far more than the other request needs, even on a loaded machine.
    s.script({ delayMs: 1000, then: { content: 'late' } });
    const order: string[] = [];
    const ask = () => sdk(s).chat.completions.create({ model: 'm', messages: MESSAGES }).then((r) => order.push(r.choices[0]!.message.content!));
    const slow = ask();
    await vi.waitFor(() => expect(s.requests).toHaveLength(1), { interval: 5 }); // the delayed one is in first
    s.setHandler(() => ({ content: 'prompt' }));
    await Promise.all([slow, ask()]);
    expect(order).toEqual(['prompt', 'late']);
  });

  it('when drop is scripted then the connection closes without a response', async () => {
    const s = await start();
    s.script({ drop: true });
    await expect(post(s, { messages: MESSAGES })).rejects.toThrow();
    await expect(post(s, { messages: MESSAGES }).then((r) => r.status)).resolves.toBe(200);
    expect(s.inFlight).toBe(0);
  });

  it('when hang is scripted then nothing comes back, and close() still ends promptly', async () => {
    const s = await start();
    s.setHandler(() => ({ hang: true }));
    const pending = post(s, { messages: MESSAGES }).then(
      () => 'answered',
      () => 'failed',
    );
    await vi.waitFor(() => expect(s.inFlight).toBe(1));
    // Resolves although the request is still open (http's close() alone would wait for it forever).
    await s.close();
    expect(await pending).toBe('failed');
    expect(s.inFlight).toBe(0);
  });

  it('when a client aborts a hanging request then inFlight drops back', async () => {
    const s = await start();
    s.script({ hang: true });
    await expect(post(s, { messages: MESSAGES }, AbortSignal.timeout(80))).rejects.toThrow();
    await vi.waitFor(() => expect(s.inFlight).toBe(0));
  });

  it('when 320 requests come 32 at a time then every one gets its own valid completion and at most 32 are in flight', async () => {
    // How many a second it serves is measured by `npm run bench:fake-server`, not asserted here.
    const s = await start({ record: false });
    const n = 320;
    let next = 0;
    const ids = new Set<string>();
    const lane = async () => {
      while (next++ < n) {
        const r = await post(s, { model: 'm', messages: MESSAGES, tools: TOOLS });
        expect(r.status).toBe(200);
        const body = (await r.json()) as { id: string; choices: { message: { tool_calls: { function: { name: string } }[] } }[] };
        expect(body.choices[0]!.message.tool_calls[0]!.function.name).toBe('do_nothing');
        ids.add(body.id);
      }
    };
    await Promise.all(Array.from({ length: 32 }, lane));
    expect(ids.size).toBe(n);
    expect(s.maxInFlight).toBeLessThanOrEqual(32);
    expect(s.requests).toHaveLength(0); // record: false keeps nothing
  });

  it('when run standalone with --port 0 then it prints the real port and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/llm/fake-server.ts', '--port', '0', '--latency', '5'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, 'line')) as [string];
      const m = /^listening (http:\/\/127\.0\.0\.1:(\d+)\/v1)$/.exec(line);
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThan(0);
      const models = await new OpenAI({ baseURL: m![1], apiKey: 'x' }).models.list();
      expect(models.data[0]!.id).toBe('fake-model');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 20_000);
});
