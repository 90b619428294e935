/**
 * What the fake server answers: the default handler and embedding, the OpenAI-shaped bodies,
 * and the scripted faults (a status, a dropped connection, a hang, a delay) on top of the
 * server's fixed latency, for both routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeEmbedFn, FakeEmbeddingReply, FakeFault, FakeHandler, FakeReply, FakeRequestBody, FakeToolCall } from './types.js';

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

/** Sends a JSON (or raw) body unless the response already ended or its socket is gone. */
export function send(res: ServerResponse, status: number, payload: string, extra?: Record<string, string>): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...extra,
  });
  res.end(payload);
}

/** A 400 with an OpenAI-style `invalid_request_error`. */
export function invalid(res: ServerResponse, message: string): void {
  send(res, 400, JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
}

export interface ReplierOptions {
  /** Fixed delay before every answer (not before drops or hangs). */
  readonly latencyMs: number;
  readonly embed: FakeEmbedFn;
  readonly embeddingDim: number;
}

/** Answers one request of each route with a reply (scripted or from a handler). */
export interface Replier {
  chat(reply: FakeReply, body: FakeRequestBody, req: IncomingMessage, res: ServerResponse): void;
  embeddings(reply: FakeEmbeddingReply, body: FakeRequestBody, input: readonly string[], req: IncomingMessage, res: ServerResponse): void;
  /** Drops every answer still waiting for its delay or latency (the server is closing). */
  cancel(): void;
}

export function createReplier(opts: ReplierOptions): Replier {
  const { latencyMs, embed, embeddingDim } = opts;
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
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

  return {
    chat(reply, body, req, res) {
      if (latencyMs > 0 && !('hang' in reply) && !('drop' in reply)) later(latencyMs, () => answer(reply, body, req, res));
      else answer(reply, body, req, res);
    },
    embeddings(reply, body, input, req, res) {
      if (latencyMs > 0 && !('hang' in reply) && !('drop' in reply)) later(latencyMs, () => answerEmbedding(reply, body, input, req, res));
      else answerEmbedding(reply, body, input, req, res);
    },
    cancel() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
