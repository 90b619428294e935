/**
 * The LLM transport layer's vocabulary: model settings as the client sees them, requests,
 * and results. Endpoint faults come back as data (`ChatResult` with `ok: false`), never as
 * exceptions.
 */
import type {
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';

export type ChatMessage = ChatCompletionMessageParam;
export type ToolDef = ChatCompletionTool;
export type { ChatCompletionMessage };

export interface EndpointSettings {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  readonly url: string;
  /** Most requests in flight at once on this endpoint (across all threads sharing a limiter). */
  readonly maxConcurrency: number;
}

export interface ModelSettings {
  /** The YAML key, e.g. "llama8b". */
  readonly name: string;
  /** Model id sent in requests. */
  readonly model: string;
  readonly endpoints: readonly EndpointSettings[];
  /** Resolved from the env var by the caller; never logged, never in errors. */
  readonly apiKey: string | null;
  /** The run's other API keys: removed from this model's answers and errors too (redact.ts). */
  readonly otherKeys?: readonly string[];
  /** Deadline of one attempt (request sent → body parsed). */
  readonly timeoutMs: number;
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  readonly temperature: number;
  readonly maxTokens: number;
  /** Request extras merged into the body (e.g. vLLM's `top_k`, `chat_template_kwargs`). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** Exponential backoff with full jitter between attempts; defaults 500 / 20_000 ms. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Consecutive failures before an endpoint leaves rotation (default 5). */
  readonly unhealthyAfter?: number;
  /** Time after which an unhealthy endpoint gets one probe request again (default 30_000). */
  readonly probeAfterMs?: number;
  /**
   * Longest wait for an endpoint slot while every endpoint is out of rotation before the call
   * fails with `no_endpoint` (default: `timeoutMs`). Waiting for a busy but healthy endpoint
   * is ordinary back-pressure and is bounded only by `queueTimeoutMs`.
   */
  readonly unavailableTimeoutMs?: number;
  /** Longest wait for an endpoint slot in any case (default: unbounded). */
  readonly queueTimeoutMs?: number;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDef[];
  readonly toolChoice?: 'auto' | 'required' | 'none';
}

export type FailureKind =
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'client_error'
  | 'bad_response'
  | 'no_endpoint'
  /** Replaying a run, and the request was never recorded. */
  | 'replay_miss'
  /** A budget turned the request away before it was sent (budget-gate.ts); attempts counts only those sent before. */
  | 'budget_exhausted';

export interface CallRecord {
  /** URL of the endpoint of the final attempt ('' if no endpoint was ever obtained). */
  endpoint: string;
  /** Wall time of the whole call: queueing, attempts and backoff. */
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  attempts: number;
  outcome: 'ok' | FailureKind;
  error: string | null;
  /** Hash of the request (see cache.ts), and the answer as JSON when there was one. */
  requestKey?: string;
  response?: string;
  /** The request's messages as JSON, the run's keys redacted (llm_prompts). */
  messages?: string;
}

export type ChatResult =
  | { ok: true; message: ChatCompletionMessage; record: CallRecord }
  | { ok: false; kind: FailureKind; error: string; record: CallRecord; /** With kind budget_exhausted: the budget (`run` or a model key). */ budgetScope?: string };

export interface ModelClient {
  /** The settings minus the API keys, safe to log. */
  readonly settings: Omit<ModelSettings, 'apiKey' | 'otherKeys'>;
  /** Never throws for endpoint faults; only for programming errors. */
  chat(req: ChatRequest): Promise<ChatResult>;
}

// ---- EndpointLimiter (src/llm/limiter.ts) ----

export interface HealthOptions {
  readonly unhealthyAfter?: number;
  readonly probeAfterMs?: number;
}

/** Plain, structured-cloneable description of a limiter; post it to a worker thread. */
export interface SharedLimiter {
  readonly sab: SharedArrayBuffer;
  readonly max: readonly number[];
  readonly unhealthyAfter: number;
  readonly probeAfterMs: number;
}

export interface AcquireOptions {
  /** Endpoint to avoid if another one has a free slot (the one a retry just failed on). */
  readonly avoid?: number;
  /** Give up (resolve `null`) after waiting this long in any case. Default: never. */
  readonly timeoutMs?: number;
  /** Give up after this long without any endpoint in rotation. Default: never. */
  readonly unavailableTimeoutMs?: number;
}

export interface LimiterSnapshot {
  readonly outstanding: number[];
  readonly failures: number[];
  readonly healthy: boolean[];
}
