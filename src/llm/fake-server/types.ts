/** The fake server's public types: scripted replies, handlers, recorded requests, options. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

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

/** The reply forms both routes share: a status, a dropped connection, a hang. */
export type FakeFault =
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
