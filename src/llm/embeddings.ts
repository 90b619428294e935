/**
 * The embedding client for OpenAI-compatible `/v1/embeddings` endpoints (vLLM, OpenAI): texts
 * in batches, batches spread round-robin over the endpoints, our own retry loop (SDK retries
 * off), strict response validation, unit-length vectors out. Endpoint faults come back as
 * `null` vectors plus a failed `EmbeddingCall`, never as exceptions; the API key never appears
 * in an error or a record.
 *
 * Same conventions as the chat client (client.ts): one SDK instance per endpoint, `nodeFetch`,
 * a per-attempt deadline that also covers the body, the retry policy of retry.ts. Unlike the
 * chat client it needs no shared `EndpointLimiter`: it keeps its own per-endpoint slot counts
 * (`maxConcurrency`) and consecutive-failure health, for this client only.
 */
import {
  DEFAULT_BACKOFF,
  isEndpointFault,
  redact,
  retryDelayMs,
  shouldRetry,
  sleep,
} from './retry.js';
import type { Admission, RequestGate } from './budget-gate.js';
import { classifyError } from './classify.js';
import { checkSettings, endpointSdks } from './sdk.js';
import { withoutKeys } from './settings.js';
import type { FailureKind, ModelSettings } from './types.js';

export interface EmbeddingCall {
  /** URL of the endpoint of the batch's final attempt. */
  endpoint: string;
  /** Number of texts in the batch. */
  texts: number;
  /** Wall time of the whole batch: waiting for a slot, attempts and backoff. */
  latencyMs: number;
  attempts: number;
  promptTokens: number;
  outcome: 'ok' | FailureKind;
  error: string | null;
}

export interface EmbedResult {
  /** One per input text, in order: a unit-length (L2-normalised) Float32Array, or null when its batch failed after every retry. */
  readonly vectors: (Float32Array | null)[];
  /** One record per batch request made. */
  readonly calls: EmbeddingCall[];
}

export interface EmbeddingClient {
  readonly settings: Omit<ModelSettings, 'apiKey' | 'otherKeys'>;
  /** Never throws for endpoint faults (those become null vectors + a failed call record); only for programming errors. */
  embed(texts: readonly string[]): Promise<EmbedResult>;
}

export const DEFAULT_EMBEDDING_BATCH_SIZE = 128;
/** Cap of the default concurrency (the sum of the endpoints' `maxConcurrency`). */
export const MAX_DEFAULT_EMBEDDING_CONCURRENCY = 8;

type Attempt =
  | { ok: true; vectors: Float32Array[]; dimension: number; promptTokens: number }
  | { ok: false; kind: FailureKind; error: string; retryAfterMs: number | null };

/**
 * `batchSize` texts per request (default 128); up to `concurrency` batches in flight (default:
 * the sum of the endpoints' `maxConcurrency`, at most 8), and never more than an endpoint's
 * `maxConcurrency` on that endpoint. Throws only for invalid settings or options.
 *
 * The vector dimension is fixed by the first answer the client accepts: while it is unknown,
 * batches go one at a time (in input order) until one succeeds, so which answer fixes it does
 * not depend on timing; later a different dimension is a `bad_response`. (Two `embed` calls
 * running concurrently on a fresh client can still race for it.)
 *
 * `gate`: the run's budgets (budget-gate.ts); each attempt is admitted just before it is sent
 * (its texts reserved at 3.5 characters a token), and a batch turned away fails as
 * `budget_exhausted` without reaching the endpoint.
 */
export function createEmbeddingClient(
  settings: ModelSettings,
  options: { batchSize?: number; concurrency?: number; gate?: RequestGate } = {},
): EmbeddingClient {
  checkSettings(settings);
  const n = settings.endpoints.length;
  for (const e of settings.endpoints) {
    if (!Number.isInteger(e.maxConcurrency) || e.maxConcurrency < 1) {
      throw new Error(`model "${settings.name}": endpoint ${e.url} needs an integer maxConcurrency ≥ 1`);
    }
  }
  const batchSize = options.batchSize ?? DEFAULT_EMBEDDING_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`embeddings: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const concurrency =
    options.concurrency ??
    Math.min(MAX_DEFAULT_EMBEDDING_CONCURRENCY, settings.endpoints.reduce((s, e) => s + e.maxConcurrency, 0));
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`embeddings: concurrency must be an integer ≥ 1, got ${concurrency}`);
  }

  const sdks = endpointSdks(settings);
  const backoff = settings.backoff ?? DEFAULT_BACKOFF;
  const unhealthyAfter = settings.unhealthyAfter ?? 5;
  const probeAfterMs = settings.probeAfterMs ?? 30_000;

  /** Fixed by the first accepted answer; every later answer must match. */
  let dimension: number | null = null;
  /** Round-robin position; advanced once per batch, in input order. */
  let rr = 0;

  // ---- endpoint slots and health (this client only) ----
  const outstanding = settings.endpoints.map(() => 0);
  const failures = settings.endpoints.map(() => 0);
  const lastFailure = settings.endpoints.map(() => -Infinity);
  let waiters: (() => void)[] = [];

  const free = (i: number): boolean => outstanding[i]! < settings.endpoints[i]!.maxConcurrency;
  const healthy = (i: number): boolean =>
    failures[i]! < unhealthyAfter || performance.now() - lastFailure[i]! >= probeAfterMs;

  /**
   * An endpoint with a free slot, trying `preferred` first and then the next ones in order;
   * `avoid` (the endpoint that just failed) only when no other one is free. Endpoints out of
   * rotation are used only when every endpoint is. `null`: wait for a release.
   */
  function pick(preferred: number, avoid: number | null): number | null {
    const order = Array.from({ length: n }, (_, k) => (preferred + k) % n);
    const anyHealthy = order.some(healthy);
    const usable = order.filter((i) => free(i) && (!anyHealthy || healthy(i)));
    return usable.find((i) => i !== avoid) ?? usable[0] ?? null;
  }

  async function acquire(preferred: number, avoid: number | null): Promise<number> {
    for (;;) {
      const i = pick(preferred, avoid);
      if (i !== null) {
        outstanding[i]!++;
        return i;
      }
      // No slot now. A release wakes us; the timer re-checks health (a probe may become due).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(probeAfterMs, 1000));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        waiters.push(done);
      });
    }
  }

  function release(i: number): void {
    outstanding[i]!--;
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  }

  // ---- one attempt ----
  async function attempt(i: number, input: string[]): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    // The SDK's own timeout stops at the response headers; this one also covers the body.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    try {
      const response: unknown = await sdks[i]!.embeddings.create(
        { model: settings.model, input, encoding_format: 'float' },
        { timeout: settings.timeoutMs, signal: controller.signal },
      );
      return parseEmbeddings(response, input.length);
    } catch (err) {
      const c = classifyError(err, timedOut);
      return { ok: false, kind: c.kind, error: c.message, retryAfterMs: c.retryAfterMs };
    } finally {
      clearTimeout(timer);
    }
  }

  interface BatchOutcome {
    vectors: Float32Array[] | null;
    call: EmbeddingCall;
  }

  async function runBatch(texts: readonly string[], preferred: number): Promise<BatchOutcome> {
    const start = performance.now();
    // Some servers (OpenAI among them) answer 400 to an empty string, which would fail the
    // whole batch; a single space embeds as "nothing" everywhere we know of.
    const input = texts.map((t) => (t === '' ? ' ' : t));
    let attempts = 0;
    let badResponses = 0;
    let endpoint: number | null = null;
    const gate = options.gate?.covers(settings.name) ? options.gate : undefined;
    const estimate = gate?.needsTokens(settings.name) ? Math.ceil(input.reduce((c, t) => c + t.length, 0) / 3.5) : 0;
    for (;;) {
      const i = await acquire(endpoint === null ? preferred : (endpoint + 1) % n, endpoint);
      endpoint = i;
      let admission: Admission | undefined;
      try {
        const a = gate?.reserve(settings.name, estimate, 0);
        admission = a instanceof Promise ? await a : a;
      } catch (err) {
        release(i);
        throw err;
      }
      if (admission && !admission.ok) {
        release(i);
        return { vectors: null, call: { ...record(i, texts.length, start, attempts, 'budget_exhausted', admission.message, 0), endpoint: '' } };
      }
      attempts++;
      let answer: Attempt | undefined;
      try {
        answer = await attempt(i, input);
      } finally {
        release(i);
        const settled = admission?.ok ? gate!.settle(admission.reservation, { promptTokens: answer?.ok ? answer.promptTokens : 0, completionTokens: 0 }) : undefined;
        if (settled instanceof Promise) await settled;
      }
      let a = answer;
      // The dimension check happens here, synchronously, so concurrent batches cannot both fix it.
      if (a.ok && dimension !== null && a.dimension !== dimension) {
        a = {
          ok: false,
          kind: 'bad_response',
          error: `embedding dimension ${a.dimension}, expected ${dimension} (the dimension of earlier answers)`,
          retryAfterMs: null,
        };
      }
      if (a.ok) {
        dimension = a.dimension;
        failures[i] = 0;
        return { vectors: a.vectors, call: record(i, texts.length, start, attempts, 'ok', null, a.promptTokens) };
      }
      if (isEndpointFault(a.kind)) {
        failures[i]!++;
        lastFailure[i] = performance.now();
      } else if (a.kind === 'client_error') {
        failures[i] = 0;
      }
      if (a.kind === 'bad_response') badResponses++;
      if (!shouldRetry(a.kind, attempts, settings.maxAttempts, badResponses)) {
        const clean = redact(a.error, settings.apiKey);
        return { vectors: null, call: record(i, texts.length, start, attempts, a.kind, clean, 0) };
      }
      await sleep(retryDelayMs(attempts, a.retryAfterMs, backoff));
    }
  }

  function record(
    i: number,
    texts: number,
    start: number,
    attempts: number,
    outcome: EmbeddingCall['outcome'],
    error: string | null,
    promptTokens: number,
  ): EmbeddingCall {
    return {
      endpoint: settings.endpoints[i]!.url,
      texts,
      latencyMs: Math.round(performance.now() - start),
      attempts,
      promptTokens,
      outcome,
      error,
    };
  }

  async function embed(texts: readonly string[]): Promise<EmbedResult> {
    if (!Array.isArray(texts)) throw new TypeError('embed: texts must be an array of strings');
    texts.forEach((t, k) => {
      if (typeof t !== 'string') throw new TypeError(`embed: texts[${k}] is ${typeof t}, not a string`);
    });
    const batches: { texts: readonly string[]; preferred: number }[] = [];
    for (let s = 0; s < texts.length; s += batchSize) {
      batches.push({ texts: texts.slice(s, s + batchSize), preferred: rr });
      rr = (rr + 1) % n;
    }
    const outcomes: BatchOutcome[] = new Array(batches.length);
    let next = 0;
    // Until the dimension is known, one batch at a time (see the function's comment).
    while (dimension === null && next < batches.length) {
      const b = batches[next]!;
      outcomes[next++] = await runBatch(b.texts, b.preferred);
    }
    const lane = async (): Promise<void> => {
      while (next < batches.length) {
        const k = next++;
        const b = batches[k]!;
        outcomes[k] = await runBatch(b.texts, b.preferred);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length - next) }, lane));

    const vectors: (Float32Array | null)[] = [];
    batches.forEach((b, k) => {
      const v = outcomes[k]!.vectors;
      for (let j = 0; j < b.texts.length; j++) vectors.push(v === null ? null : v[j]!);
    });
    return { vectors, calls: outcomes.map((o) => o.call) };
  }

  return { settings: withoutKeys(settings), embed };
}

function bad(error: string): Attempt {
  return { ok: false, kind: 'bad_response', error, retryAfterMs: null };
}

/**
 * Checks the answer: exactly one `data` item per input, indexes 0..count−1 (placed by index),
 * each embedding a non-empty array of finite numbers, all of one dimension. Returns them
 * L2-normalised (a zero vector stays zero).
 */
function parseEmbeddings(response: unknown, count: number): Attempt {
  const r = response as { data?: unknown; usage?: { prompt_tokens?: unknown } | null } | null;
  if (r === null || typeof r !== 'object' || !Array.isArray(r.data)) return bad('response has no data array');
  const data: unknown[] = r.data;
  if (data.length !== count) return bad(`response has ${data.length} embeddings for ${count} inputs`);
  const vectors: (Float32Array | undefined)[] = new Array(count);
  let dim: number | null = null;
  for (const item of data) {
    const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      return bad(`embedding index ${JSON.stringify(index) ?? 'undefined'} outside 0..${count - 1}`);
    }
    if (vectors[index] !== undefined) return bad(`embedding index ${index} appears twice`);
    if (!Array.isArray(embedding) || embedding.length === 0) return bad(`embedding ${index} is not a non-empty array`);
    if (dim === null) dim = embedding.length;
    else if (embedding.length !== dim) return bad(`embedding ${index} has dimension ${embedding.length}, others ${dim}`);
    let scale = 0;
    for (const x of embedding as unknown[]) {
      if (typeof x !== 'number' || !Number.isFinite(x)) return bad(`embedding ${index} holds a non-finite or non-number value`);
      scale = Math.max(scale, Math.abs(x));
    }
    // Scaled by the largest component first, so huge values cannot overflow the sum of squares.
    const v = new Float32Array(dim);
    if (scale > 0) {
      let sq = 0;
      for (let d = 0; d < dim; d++) sq += ((embedding[d] as number) / scale) ** 2;
      const norm = scale * Math.sqrt(sq);
      for (let d = 0; d < dim; d++) v[d] = (embedding[d] as number) / norm;
    }
    vectors[index] = v;
  }
  if (dim === null) return bad('response has no embeddings');
  const promptTokens = typeof r.usage?.prompt_tokens === 'number' ? r.usage.prompt_tokens : 0;
  return { ok: true, vectors: vectors as Float32Array[], dimension: dim, promptTokens };
}
