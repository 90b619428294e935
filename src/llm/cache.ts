/**
 * The LLM response cache: every answered request is keyed by a hash of what determines the
 * answer (model, messages, tools, sampling settings), so a run can be re-executed from its
 * recorded responses with no model at all (`socialsim run --replay`). Errors are never cached.
 */
import { createHash } from 'node:crypto';
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { budgetScopeOf } from './budget-gate.js';
import { redactValue } from './redact.js';
import type { CallRecord, ChatRequest, ChatResult, ModelClient, ModelSettings } from './types.js';

/**
 * Canonical forms of tool lists, by identity: a run sends the same list (agentTools builds each
 * once) with every request, and canonicalising its three dozen schemas each time was most of
 * the cost of a request key. The lists are never changed once built.
 */
const canonicalLists = new WeakMap<object, string>();

function canonical(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const known = canonicalLists.get(value);
    if (known !== undefined) return known;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function canonicalTools(tools: ChatRequest['tools']): void {
  if (tools && !canonicalLists.has(tools)) canonicalLists.set(tools, canonical(tools));
}

export function requestKey(settings: Pick<ModelSettings, 'model' | 'temperature' | 'maxTokens' | 'extraBody'>, req: ChatRequest): string {
  canonicalTools(req.tools);
  return createHash('sha256')
    .update(
      canonical({
        model: settings.model,
        temperature: settings.temperature,
        max_tokens: settings.maxTokens,
        extra: settings.extraBody ?? {},
        messages: req.messages,
        tools: req.tools ?? null,
        tool_choice: req.toolChoice ?? null,
      }),
    )
    .digest('hex');
}

/**
 * The messages of a request as llm_prompts keeps them: JSON, with `secrets` (the run's API keys,
 * redact.ts) removed. They are built from personas, feeds and the model's own (already cleaned)
 * answers, so a key would only be there if a persona or a post carried one; cleaned all the same.
 */
export function recordedMessages(req: ChatRequest, secrets: readonly string[]): string {
  return JSON.stringify(redactValue(req.messages, secrets));
}

/** Adds the request key, the messages sent and, for answered calls, the response to each call record. */
export function recordingClient(inner: ModelClient, secrets: readonly string[] = []): ModelClient {
  return {
    settings: inner.settings,
    async chat(req) {
      const key = requestKey(inner.settings, req);
      const result = await inner.chat(req);
      const record: CallRecord = { ...result.record, requestKey: key, messages: recordedMessages(req, secrets), ...(result.ok ? { response: JSON.stringify(result.message) } : {}) };
      return { ...result, record } as ChatResult;
    },
  };
}

/**
 * Answers from recorded responses only; a request never seen is a `replay_miss` failure. A
 * request the recorded run's budget turned away (`refusals`: request key → its error) is turned
 * away again, so the replay repeats the original's budget decisions without sending anything.
 */
export function replayClient(
  settings: ModelClient['settings'],
  responses: ReadonlyMap<string, string>,
  refusals: ReadonlyMap<string, string> = new Map(),
  secrets: readonly string[] = [],
): ModelClient {
  return {
    settings,
    async chat(req) {
      const key = requestKey(settings, req);
      const response = responses.get(key);
      // The prompt is rebuilt as the recorded run built it, so llm_prompts gets the same rows.
      const base = { endpoint: 'replay', latencyMs: 0, promptTokens: 0, completionTokens: 0, attempts: 1, requestKey: key, messages: recordedMessages(req, secrets) };
      const refused = response === undefined ? refusals.get(key) : undefined;
      if (refused !== undefined) {
        const record: CallRecord = { ...base, endpoint: '', attempts: 0, outcome: 'budget_exhausted', error: refused };
        return { ok: false, kind: 'budget_exhausted', error: refused, record, ...(budgetScopeOf(refused) ? { budgetScope: budgetScopeOf(refused)! } : {}) };
      }
      if (response === undefined) {
        const error = `replay: no recorded response for this request (key ${key.slice(0, 12)})`;
        return { ok: false, kind: 'replay_miss', error, record: { ...base, outcome: 'replay_miss', error } };
      }
      return { ok: true, message: JSON.parse(response) as ChatCompletionMessage, record: { ...base, outcome: 'ok', error: null, response } };
    },
  };
}
