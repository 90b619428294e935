/**
 * The fake server itself: the HTTP routes on 127.0.0.1, the recorded requests, the reply
 * scripts and handlers, in-flight counting and closing (what it answers is `replies.ts`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReplier, defaultHandler, fakeEmbedding, invalid, send } from './replies.js';
import type {
  FakeEmbedFn,
  FakeEmbeddingHandler,
  FakeEmbeddingReply,
  FakeHandler,
  FakeReply,
  FakeRequestBody,
  FakeServer,
  FakeServerOptions,
  RecordedEmbeddingRequest,
  RecordedRequest,
} from './types.js';

export async function startFakeOpenAI(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const latencyMs = opts.latencyMs ?? 0;
  const record = opts.record ?? true;
  let handler: FakeHandler = opts.handler ?? defaultHandler;
  const embeddingDim = opts.embeddingDim ?? 16;
  if (!Number.isInteger(embeddingDim) || embeddingDim < 1) throw new Error(`embeddingDim must be a positive integer, got ${embeddingDim}`);
  const embed: FakeEmbedFn = opts.embed ?? fakeEmbedding;
  let embeddingHandler: FakeEmbeddingHandler = opts.embeddingHandler ?? (() => ({ ok: true }));
  const replier = createReplier({ latencyMs, embed, embeddingDim });
  const queue: FakeReply[] = [];
  const embeddingQueue: FakeEmbeddingReply[] = [];
  const requests: RecordedRequest[] = [];
  const embeddingRequests: RecordedEmbeddingRequest[] = [];
  const open = new Set<ServerResponse>();
  let maxInFlight = 0;
  let closed = false;

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
      replier.embeddings(step, body, input, req, res);
      return;
    }
    Promise.resolve()
      .then(() => embeddingHandler(input, body, req))
      .then(
        (r) => replier.embeddings(r, body, input, req, res),
        (err: unknown) => send(res, 500, JSON.stringify({ error: { message: `handler failed: ${String(err)}` } })),
      );
  };

  const onChat = (raw: string, req: IncomingMessage, res: ServerResponse): void => {
    const body = parseBody(raw, req, res);
    if (body === null) return;
    const b = body;
    const step = queue.shift();
    if (step !== undefined) {
      replier.chat(step, b, req, res);
      return;
    }
    Promise.resolve()
      .then(() => handler(b, req))
      .then(
        (r) => replier.chat(r, b, req, res),
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
      replier.cancel();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        open.clear();
      });
    },
  };
}
