/**
 * A scriptable OpenAI-compatible chat-completions server on 127.0.0.1, for tests and dry runs:
 * `srv.script({ status: 503 }, { toolCalls: [{ name: 'like', arguments: { post_id: 3 } }] })`
 * queues replies; afterwards the handler (default: a `do_nothing` tool call) answers.
 *
 * `POST /v1/embeddings` answers with `fakeEmbedding` vectors (feature hashing of the words, so
 * texts sharing words get similar vectors; dimension `embeddingDim`, default 16) or the
 * test's `embed` function; `srv.scriptEmbeddings({ status: 500 }, { ok: true, vectors: [[1]] })`
 * queues replies the same way (its own queue), then `embeddingHandler` answers.
 *
 * Standalone: `tsx src/llm/fake-server.ts --port 8000 [--latency 200]` prints
 * `listening http://127.0.0.1:PORT/v1` (the real port when given 0) and serves until SIGTERM.
 */
import { realpathSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface FakeToolCall {
  readonly name: string;
  /** An object is JSON-stringified; a string is sent raw (so it may be malformed JSON). */
  readonly arguments: string | object;
}

export type FakeReply =
  | { readonly toolCalls: readonly FakeToolCall[]; readonly content?: string }
  | { readonly content: string }
  /** Any status; `body` (string sent raw, else JSON) defaults to an OpenAI-style error. */
  | { readonly status: number; readonly body?: unknown; readonly retryAfter?: number }
  | { readonly delayMs: number; readonly then: FakeReply }
  /** Destroys the socket without a response. */
  | { readonly drop: true }
  /** Never answers until the server closes. */
  | { readonly hang: true };

/** The parts of a chat-completions body the fake looks at; everything else is kept as sent. */
export interface FakeRequestBody {
  readonly model?: string;
  readonly messages?: readonly unknown[];
  readonly tools?: readonly { readonly type?: string; readonly function?: { readonly name?: string } }[];
  readonly [key: string]: unknown;
}

export type FakeHandler = (body: FakeRequestBody, req: IncomingMessage) => FakeReply | Promise<FakeReply>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body; `null` when there was none or it was not JSON. */
  readonly body: FakeRequestBody | null;
}

/**
 * A scripted answer to `POST /v1/embeddings`. `{ ok: true }` is the ordinary answer: one
 * embedding per input from the server's `embed` function; with `vectors`, those are sent
 * instead as `data[k].embedding` (any JSON values, so they may be malformed: too few, strings,
 * different lengths). The other forms work as in `FakeReply`; `{ status: 200, body }` sends any
 * body at all.
 */
export type FakeEmbeddingReply =
  | { readonly ok: true; readonly vectors?: readonly unknown[] }
  | { readonly status: number; readonly body?: unknown; readonly retryAfter?: number }
  | { readonly delayMs: number; readonly then: FakeEmbeddingReply }
  | { readonly drop: true }
  | { readonly hang: true };

type FakeFault =
  | { readonly status: number; readonly body?: unknown; readonly retryAfter?: number }
  | { readonly drop: true }
  | { readonly hang: true };

/** `input` is the request's input as a list of strings (a single string becomes a list of one). */
export type FakeEmbeddingHandler = (
  input: readonly string[],
  body: FakeRequestBody,
  req: IncomingMessage,
) => FakeEmbeddingReply | Promise<FakeEmbeddingReply>;

/** Text → vector (`dim` is the server's `embeddingDim`). */
export type FakeEmbedFn = (text: string, dim: number) => readonly number[];

export interface RecordedEmbeddingRequest {
  readonly model: string | null;
  readonly input: readonly string[];
  readonly encodingFormat: string | null;
  readonly headers: IncomingHttpHeaders;
  /** `Date.now()` when the request body had arrived. */
  readonly at: number;
}

export interface FakeServerOptions {
  /** 0 (default) = an ephemeral port. */
  readonly port?: number;
  /** Fixed delay before every answer (not before drops or hangs). */
  readonly latencyMs?: number;
  readonly handler?: FakeHandler;
  /** Keep requests in `requests` (default true; off for long standalone runs). */
  readonly record?: boolean;
  /** Length of the default embedding vectors (default 16). */
  readonly embeddingDim?: number;
  /** Replaces `fakeEmbedding` as the text → vector function of ordinary embedding answers. */
  readonly embed?: FakeEmbedFn;
  /** Answers embedding requests once their script is used up (default: `{ ok: true }`). */
  readonly embeddingHandler?: FakeEmbeddingHandler;
}

export interface FakeServer {
  /** `http://127.0.0.1:PORT/v1` */
  readonly url: string;
  readonly port: number;
  /** Every request (chat, embeddings, models) in arrival order. */
  readonly requests: RecordedRequest[];
  /** The valid `/v1/embeddings` requests (also in `requests`), with their input as strings. */
  readonly embeddingRequests: RecordedEmbeddingRequest[];
  /** Requests being served right now, and the most ever at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Queues replies consumed one per chat request, then the handler answers again. */
  script(...steps: FakeReply[]): void;
  setHandler(h: FakeHandler): void;
  /** Queues replies consumed one per valid embedding request, then the embedding handler answers. */
  scriptEmbeddings(...steps: FakeEmbeddingReply[]): void;
  setEmbeddingHandler(h: FakeEmbeddingHandler): void;
  close(): Promise<void>;
}

/** Answers with a tool call: `do_nothing` when offered, else the first tool with `{}`. */
export const defaultHandler: FakeHandler = (body) => {
  const names = (body.tools ?? []).map((t) => t.function?.name).filter((n): n is string => typeof n === 'string');
  if (names.length === 0) return { content: 'ok' };
  return { toolCalls: [{ name: names.includes('do_nothing') ? 'do_nothing' : names[0]!, arguments: {} }] };
};

/**
 * The default embedding: feature hashing. Each lowercase word (split on anything but letters,
 * digits and `#`) adds a pseudo-random ±1 vector seeded by a hash of the word, so texts sharing
 * words point in similar directions and unrelated texts are nearly orthogonal (more so at a
 * higher `dim`). Not normalised; a text without words gives the zero vector.
 */
export function fakeEmbedding(text: string, dim = 16): number[] {
  const v = new Array<number>(dim).fill(0);
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}#]+/u)) {
    if (word === '') continue;
    let h = 0x811c9dc5; // FNV-1a
    for (let k = 0; k < word.length; k++) h = Math.imul(h ^ word.charCodeAt(k), 0x01000193);
    let state = h >>> 0; // mulberry32
    for (let d = 0; d < dim; d++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      v[d]! += ((t ^ (t >>> 14)) >>> 0) & 1 ? 1 : -1;
    }
  }
  return v;
}

function estimateTokens(messages: readonly unknown[] | undefined): number {
  let chars = 0;
  for (const m of messages ?? []) {
    const content = (m as { content?: unknown } | null)?.content;
    chars += typeof content === 'string' ? content.length : JSON.stringify(content ?? '').length;
  }
  return Math.ceil(chars / 4);
}

export async function startFakeOpenAI(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const latencyMs = opts.latencyMs ?? 0;
  const record = opts.record ?? true;
  let handler: FakeHandler = opts.handler ?? defaultHandler;
  const embeddingDim = opts.embeddingDim ?? 16;
  if (!Number.isInteger(embeddingDim) || embeddingDim < 1) throw new Error(`embeddingDim must be a positive integer, got ${embeddingDim}`);
  const embed: FakeEmbedFn = opts.embed ?? fakeEmbedding;
  let embeddingHandler: FakeEmbeddingHandler = opts.embeddingHandler ?? (() => ({ ok: true }));
  const queue: FakeReply[] = [];
  const embeddingQueue: FakeEmbeddingReply[] = [];
  const requests: RecordedRequest[] = [];
  const embeddingRequests: RecordedEmbeddingRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const open = new Set<ServerResponse>();
  let maxInFlight = 0;
  let seq = 0;
  let closed = false;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const send = (res: ServerResponse, status: number, payload: string, extra?: Record<string, string>): void => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...extra,
    });
    res.end(payload);
  };

  const completion = (body: FakeRequestBody, reply: { toolCalls?: readonly FakeToolCall[]; content?: string }): string => {
    const id = ++seq;
    const toolCalls = reply.toolCalls?.map((c, k) => ({
      id: `call_${id}_${k}`,
      type: 'function',
      function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
    }));
    const content = reply.content ?? null;
    const out = (content ?? '').length + (toolCalls ?? []).reduce((n, c) => n + c.function.name.length + c.function.arguments.length, 0);
    const promptTokens = estimateTokens(body.messages);
    const completionTokens = Math.ceil(out / 4);
    return JSON.stringify({
      id: `chatcmpl-fake-${id}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof body.model === 'string' ? body.model : 'fake-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          finish_reason: toolCalls ? 'tool_calls' : 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  };

  /** The reply forms both routes share: a status, a dropped connection, a hang. */
  const answerFault = (reply: FakeFault, req: IncomingMessage, res: ServerResponse): void => {
    if ('hang' in reply) return;
    if ('drop' in reply) {
      req.socket.destroy();
      return;
    }
    const b = reply.body ?? {
      error: { message: `fake error ${reply.status}`, type: 'fake_error', code: String(reply.status) },
    };
    const extra = reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : undefined;
    send(res, reply.status, typeof b === 'string' ? b : JSON.stringify(b), extra);
  };

  const answer = (reply: FakeReply, body: FakeRequestBody, req: IncomingMessage, res: ServerResponse): void => {
    if ('delayMs' in reply) {
      later(reply.delayMs, () => answer(reply.then, body, req, res));
      return;
    }
    if ('status' in reply || 'hang' in reply || 'drop' in reply) {
      answerFault(reply, req, res);
      return;
    }
    send(res, 200, completion(body, reply));
  };

  const reply = (reply: FakeReply, body: FakeRequestBody, req: IncomingMessage, res: ServerResponse): void => {
    if (latencyMs > 0 && !('hang' in reply) && !('drop' in reply)) later(latencyMs, () => answer(reply, body, req, res));
    else answer(reply, body, req, res);
  };

  const parseBody = (raw: string, req: IncomingMessage, res: ServerResponse): FakeRequestBody | null => {
    let body: FakeRequestBody | null = null;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as FakeRequestBody;
    } catch {
      body = null;
    }
    if (record) requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (body === null) invalid(res, 'body is not a JSON object');
    return body;
  };

  const invalid = (res: ServerResponse, message: string): void => {
    send(res, 400, JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
  };

  const embeddingList = (body: FakeRequestBody, input: readonly string[], reply: { vectors?: readonly unknown[] }): string => {
    const base64 = body.encoding_format === 'base64';
    const data = (reply.vectors ?? input.map((t) => embed(t, embeddingDim))).map((v, index) => ({
      object: 'embedding',
      index,
      // Like OpenAI: base64 is the little-endian float32 bytes (only for the server's own vectors).
      embedding: base64 && reply.vectors === undefined ? Buffer.from(Float32Array.from(v as number[]).buffer).toString('base64') : v,
    }));
    const promptTokens = input.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
    return JSON.stringify({
      object: 'list',
      data,
      model: typeof body.model === 'string' ? body.model : 'fake-model',
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  };

  const answerEmbedding = (
    reply: FakeEmbeddingReply,
    body: FakeRequestBody,
    input: readonly string[],
    req: IncomingMessage,
    res: ServerResponse,
  ): void => {
    if ('delayMs' in reply) {
      later(reply.delayMs, () => answerEmbedding(reply.then, body, input, req, res));
      return;
    }
    if (!('ok' in reply)) {
      answerFault(reply, req, res);
      return;
    }
    let payload: string;
    try {
      payload = embeddingList(body, input, reply);
    } catch (err) {
      send(res, 500, JSON.stringify({ error: { message: `embed failed: ${String(err)}` } }));
      return;
    }
    send(res, 200, payload);
  };

  const replyEmbedding = (
    reply: FakeEmbeddingReply,
    body: FakeRequestBody,
    input: readonly string[],
    req: IncomingMessage,
    res: ServerResponse,
  ): void => {
    if (latencyMs > 0 && !('hang' in reply) && !('drop' in reply)) later(latencyMs, () => answerEmbedding(reply, body, input, req, res));
    else answerEmbedding(reply, body, input, req, res);
  };

  /**
   * Accepts what OpenAI accepts of text input: a string or a non-empty array of strings, none
   * of them empty (OpenAI answers 400 to an empty string, so the fake does too). Token-id
   * arrays are refused.
   */
  const onEmbeddings = (raw: string, req: IncomingMessage, res: ServerResponse): void => {
    const body = parseBody(raw, req, res);
    if (body === null) return;
    const rawInput = body.input;
    const input = typeof rawInput === 'string' ? [rawInput] : rawInput;
    if (!Array.isArray(input) || input.length === 0 || !input.every((t): t is string => typeof t === 'string')) {
      invalid(res, "'input' must be a string or a non-empty array of strings");
      return;
    }
    if (input.some((t) => t === '')) {
      invalid(res, "'input' must not contain empty strings");
      return;
    }
    if (record) {
      embeddingRequests.push({
        model: typeof body.model === 'string' ? body.model : null,
        input,
        encodingFormat: typeof body.encoding_format === 'string' ? body.encoding_format : null,
        headers: req.headers,
        at: Date.now(),
      });
    }
    const step = embeddingQueue.shift();
    if (step !== undefined) {
      replyEmbedding(step, body, input, req, res);
      return;
    }
    Promise.resolve()
      .then(() => embeddingHandler(input, body, req))
      .then(
        (r) => replyEmbedding(r, body, input, req, res),
        (err: unknown) => send(res, 500, JSON.stringify({ error: { message: `handler failed: ${String(err)}` } })),
      );
  };

  const onChat = (raw: string, req: IncomingMessage, res: ServerResponse): void => {
    const body = parseBody(raw, req, res);
    if (body === null) return;
    const b = body;
    const step = queue.shift();
    if (step !== undefined) {
      reply(step, b, req, res);
      return;
    }
    Promise.resolve()
      .then(() => handler(b, req))
      .then(
        (r) => reply(r, b, req, res),
        (err: unknown) => send(res, 500, JSON.stringify({ error: { message: `handler failed: ${String(err)}` } })),
      );
  };

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    open.add(res);
    if (open.size > maxInFlight) maxInFlight = open.size;
    res.on('close', () => open.delete(res));
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      if (record) requests.push({ method: 'GET', path: req.url ?? '', headers: req.headers, body: null });
      send(res, 200, JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'socialsim' }] }));
      req.resume();
      return;
    }
    const route = req.method !== 'POST' ? undefined : path === '/v1/chat/completions' ? onChat : path === '/v1/embeddings' ? onEmbeddings : undefined;
    if (route === undefined) {
      send(res, 404, JSON.stringify({ error: { message: `no route ${req.method} ${path}`, type: 'not_found' } }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => route(Buffer.concat(chunks).toString('utf8'), req, res));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    embeddingRequests,
    get inFlight() {
      return open.size;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    script(...steps) {
      queue.push(...steps);
    },
    setHandler(h) {
      handler = h;
    },
    scriptEmbeddings(...steps) {
      embeddingQueue.push(...steps);
    },
    setEmbeddingHandler(h) {
      embeddingHandler = h;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        open.clear();
      });
    },
  };
}

function parseArgs(argv: readonly string[]): { port: number; latencyMs: number } {
  let port = 8000;
  let latencyMs = 0;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const v = Number(argv[k + 1]);
    if ((a === '--port' || a === '--latency') && !Number.isFinite(v)) throw new Error(`${a} needs a number`);
    if (a === '--port') port = v;
    else if (a === '--latency') latencyMs = v;
    else continue;
    k++;
  }
  return { port, latencyMs };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const srv = await Promise.resolve()
    .then(() => startFakeOpenAI({ ...parseArgs(process.argv.slice(2)), record: false }))
    .catch((err: unknown) => {
      process.stderr.write(`fake-server: ${err instanceof Error ? err.message : String(err)}\n`);
      process.stderr.write('usage: tsx src/llm/fake-server.ts [--port 8000] [--latency MS]\n');
      process.exit(2);
    });
  process.stdout.write(`listening ${srv.url}\n`);
  const stop = (): void => {
    void srv.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
