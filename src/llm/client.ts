/**
 * The model client: one OpenAI SDK instance per endpoint (SDK retries off), a shared
 * `EndpointLimiter` for slots and health, and our own retry loop. Endpoint faults come back as
 * `ChatResult` data; the API key never appears in an error or a record.
 */
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Admission, RequestGate } from './budget-gate.js';
import type { ClientLimiter } from './limiter.js';
import { redactMessage, redactText, secretsOf } from './redact.js';
import { classifyError } from './classify.js';
import { checkSettings, endpointSdks } from './sdk.js';
import { withoutKeys } from './settings.js';
import {
  DEFAULT_BACKOFF,
  isEndpointFault,
  redact,
  retryDelayMs,
  shouldRetry,
  sleep,
} from './retry.js';
import type {
  CallRecord,
  ChatCompletionMessage,
  ChatRequest,
  ChatResult,
  FailureKind,
  ModelClient,
  ModelSettings,
} from './types.js';

type Attempt =
  | { ok: true; message: ChatCompletionMessage; promptTokens: number; completionTokens: number }
  | { ok: false; kind: FailureKind; error: string; retryAfterMs: number | null; unreachable?: boolean };

/** A conservative token estimate of what a request sends (messages and tool schemas): 3.5 characters a token. */
export function estimatePromptTokens(params: Pick<ChatCompletionCreateParamsNonStreaming, 'messages' | 'tools'>): number {
  return Math.ceil((JSON.stringify(params.messages).length + (params.tools ? JSON.stringify(params.tools).length : 0)) / 3.5);
}

/**
 * `gate`: the run's budgets (budget-gate.ts). Each attempt is admitted by it just before it is
 * sent, reserving its estimated prompt and `max_tokens`; one it turns away ends the call as
 * `budget_exhausted` without reaching the endpoint.
 */
export function createModelClient(settings: ModelSettings, limiter: ClientLimiter, gate?: RequestGate): ModelClient {
  checkSettings(settings);
  if (limiter.size !== settings.endpoints.length) {
    throw new Error(
      `model "${settings.name}": limiter has ${limiter.size} endpoints, settings have ${settings.endpoints.length}`,
    );
  }

  const sdks = endpointSdks(settings);
  const secrets = secretsOf(settings);
  const backoff = settings.backoff ?? DEFAULT_BACKOFF;
  const extra = { ...(settings.extraBody ?? {}) };
  delete extra['stream'];

  function body(req: ChatRequest): ChatCompletionCreateParamsNonStreaming {
    const base: ChatCompletionCreateParamsNonStreaming = {
      model: settings.model,
      messages: [...req.messages],
      temperature: settings.temperature,
      max_tokens: settings.maxTokens,
    };
    if (req.tools !== undefined && req.tools.length > 0) {
      base.tools = [...req.tools];
      if (req.toolChoice !== undefined) base.tool_choice = req.toolChoice;
    }
    return { ...base, ...extra } as ChatCompletionCreateParamsNonStreaming;
  }

  async function attempt(i: number, params: ChatCompletionCreateParamsNonStreaming): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    // The SDK's own timeout stops at the response headers; this one also covers the body.
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutMs);
    try {
      const completion: unknown = await sdks[i]!.chat.completions.create(params, {
        timeout: settings.timeoutMs,
        signal: controller.signal,
      });
      return parseCompletion(completion);
    } catch (err) {
      const c = classifyError(err, timedOut);
      return { ok: false, kind: c.kind, error: c.message, retryAfterMs: c.retryAfterMs, unreachable: c.unreachable === true };
    } finally {
      clearTimeout(timer);
    }
  }

  async function chat(req: ChatRequest): Promise<ChatResult> {
    const start = performance.now();
    const params = body(req);
    const budgeted = gate?.covers(settings.name) ?? false;
    const promptEstimate = budgeted && gate!.needsTokens(settings.name) ? estimatePromptTokens(params) : 0;
    let attempts = 0;
    let badResponses = 0;
    let endpoint = -1;
    /** The last attempt's failure: what the call failed of, if no endpoint is left for a retry. */
    let lastFailure: { kind: FailureKind; error: string } | null = null;
    for (;;) {
      const i = await limiter.acquire({
        avoid: endpoint >= 0 ? endpoint : undefined,
        timeoutMs: settings.queueTimeoutMs,
        unavailableTimeoutMs: settings.unavailableTimeoutMs ?? settings.timeoutMs,
      });
      if (i === null) {
        if (lastFailure) return fail(lastFailure.kind, lastFailure.error, endpoint, attempts, start);
        const error = `model "${settings.name}": no endpoint available (all out of rotation or queue timeout)`;
        return fail('no_endpoint', error, endpoint, attempts, start);
      }
      endpoint = i;
      let admission: Admission | null = null;
      try {
        // A gate in Redis answers asynchronously; one whose state is gone throws (the task fails whole).
        if (budgeted) {
          const a = gate!.reserve(settings.name, promptEstimate, settings.maxTokens);
          // The in-process gate answers at once: no extra turn of the event loop for it.
          admission = a instanceof Promise ? await a : a;
        }
      } catch (err) {
        limiter.release(i);
        throw err;
      }
      if (admission && !admission.ok) {
        limiter.release(i);
        const r = fail('budget_exhausted', admission.message, -1, attempts, start);
        return { ...r, budgetScope: admission.scope } as ChatResult;
      }
      attempts++;
      let answer: Attempt | undefined;
      try {
        answer = await attempt(i, params);
      } finally {
        limiter.release(i);
        // What the server reported replaces the reservation; a failed attempt reports nothing.
        const settled = admission?.ok ? gate!.settle(admission.reservation, answer?.ok ? answer : { promptTokens: 0, completionTokens: 0 }) : undefined;
        if (settled instanceof Promise) await settled;
      }
      const a = answer;
      if (a.ok) {
        limiter.reportSuccess(i);
        const record = makeRecord(i, start, attempts, 'ok', null, a.promptTokens, a.completionTokens);
        // Where model output enters: nothing downstream (posts, trace, llm_responses) sees a key.
        return { ok: true, message: redactMessage(a.message, secrets), record };
      }
      // A refused connection takes the endpoint out at once: the others (or the outage watch) take over.
      if (isEndpointFault(a.kind)) limiter.reportFailure(i, a.unreachable === true);
      else if (a.kind === 'client_error') limiter.reportSuccess(i);
      if (a.kind === 'bad_response') badResponses++;
      lastFailure = { kind: a.kind, error: a.error };
      if (!shouldRetry(a.kind, attempts, settings.maxAttempts, badResponses)) {
        return fail(a.kind, a.error, i, attempts, start);
      }
      await sleep(retryDelayMs(attempts, a.retryAfterMs, backoff));
    }
  }

  function makeRecord(
    i: number,
    start: number,
    attempts: number,
    outcome: CallRecord['outcome'],
    error: string | null,
    promptTokens = 0,
    completionTokens = 0,
  ): CallRecord {
    return {
      endpoint: i >= 0 ? settings.endpoints[i]!.url : '',
      latencyMs: Math.round(performance.now() - start),
      promptTokens,
      completionTokens,
      attempts,
      outcome,
      error,
    };
  }

  function fail(kind: FailureKind, error: string, i: number, attempts: number, start: number): ChatResult {
    const clean = redact(redactText(error, secrets), settings.apiKey);
    return { ok: false, kind, error: clean, record: makeRecord(i, start, attempts, kind, clean) };
  }

  return { settings: withoutKeys(settings), chat };
}

/** Checks the shape the rest of the system relies on: `choices[0].message` is an object. */
function parseCompletion(completion: unknown): Attempt {
  const c = completion as { choices?: unknown; usage?: unknown } | null;
  const choice: unknown = c !== null && typeof c === 'object' && Array.isArray(c.choices) ? c.choices[0] : undefined;
  const message: unknown =
    choice !== null && typeof choice === 'object' ? (choice as { message?: unknown }).message : undefined;
  if (message === null || typeof message !== 'object') {
    return { ok: false, kind: 'bad_response', error: 'response has no choices[0].message', retryAfterMs: null };
  }
  const usage = (c as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null }).usage;
  return {
    ok: true,
    message: message as ChatCompletionMessage,
    promptTokens: typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
    completionTokens: typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : 0,
  };
}
