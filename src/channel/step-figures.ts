/**
 * A step's figures for events.jsonl's `step` line, which the live board tails (a second process
 * cannot open the DuckDB file a run writes): actions by type and LLM requests by endpoint. The
 * same functions build them from the step's batch as it commits and from the `trace` and
 * `llm_calls` rows when a lost line is recovered, so the two lines are equal.
 */

import type { StepBatch } from './batch.js';

/** The endpoint of a call answered from a recording (cache.ts): nothing was sent. */
export const REPLAYED = 'replay';

/** Action name → count, keys in name order. */
export type ActionCounts = Record<string, number>;

/** One model endpoint's requests in a step. */
export interface LlmEndpointFigures {
  readonly model: string;
  /** Base URL of the final attempt; '' when none was reached (budget refusal, no endpoint), 'replay' for recorded answers. */
  readonly endpoint: string;
  /** Requests (llm_calls rows, retries inside one), and those that ended without an answer. */
  readonly requests: number;
  readonly failures: number;
  /** Wall time of a request, retries and backoff included: mean (0.1 ms) and 95th percentile (nearest rank). */
  readonly latency_ms_mean: number;
  readonly latency_ms_p95: number;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
}

/** Applied actions by type, and failed ones by type: they sum to the step's `actions`. */
export function actionCounts(rows: Iterable<{ readonly action: string; readonly ok: boolean; readonly n?: number }>): { by_action: ActionCounts; failed_by_action: ActionCounts } {
  const ok = new Map<string, number>();
  const failed = new Map<string, number>();
  for (const r of rows) {
    const m = r.ok ? ok : failed;
    m.set(r.action, (m.get(r.action) ?? 0) + (r.n ?? 1));
  }
  return { by_action: sortedRecord(ok), failed_by_action: sortedRecord(failed) };
}

interface CallFigures {
  readonly model: string;
  readonly endpoint: string;
  readonly latencyMs: number;
  readonly outcome: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** The step's LLM requests by (model, endpoint), in that order. */
export function llmFigures(calls: Iterable<CallFigures>): LlmEndpointFigures[] {
  const groups = new Map<string, CallFigures[]>();
  for (const c of calls) {
    const key = JSON.stringify([c.model, c.endpoint]);
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  return [...groups.keys()].sort().map((key) => {
    const g = groups.get(key)!;
    const latencies = g.map((c) => c.latencyMs).sort((a, b) => a - b);
    const sum = latencies.reduce((s, x) => s + x, 0);
    return {
      model: g[0]!.model,
      endpoint: g[0]!.endpoint,
      requests: g.length,
      failures: g.filter((c) => c.outcome !== 'ok').length,
      latency_ms_mean: Math.round((sum / g.length) * 10) / 10,
      latency_ms_p95: latencies[Math.ceil(0.95 * latencies.length) - 1]!,
      prompt_tokens: g.reduce((s, c) => s + c.promptTokens, 0),
      completion_tokens: g.reduce((s, c) => s + c.completionTokens, 0),
    };
  });
}

function sortedRecord(m: ReadonlyMap<string, number>): ActionCounts {
  const out: ActionCounts = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}

/** Requests sent (every attempt) and tokens, by model: what budgets count. */
function usageByModel(batch: StepBatch): Map<string, { requests: number; promptTokens: number; completionTokens: number }> {
  const out = new Map<string, { requests: number; promptTokens: number; completionTokens: number }>();
  for (const c of batch.llmCalls) {
    if (c.endpoint === REPLAYED) continue;
    const u = out.get(c.model) ?? { requests: 0, promptTokens: 0, completionTokens: 0 };
    u.requests += c.attempts;
    u.promptTokens += c.promptTokens;
    u.completionTokens += c.completionTokens;
    out.set(c.model, u);
  }
  return out;
}

/** What a committed step's batch comes to (Channel's StepSummary). */
export function stepSummary(batch: StepBatch): StepSummary {
  const { by_action, failed_by_action } = actionCounts(batch.trace);
  return {
    actions: batch.trace.length,
    failed: batch.failed,
    llmRequests: batch.llmCalls.length,
    llmFailures: batch.llmCalls.reduce((n, c) => n + (c.outcome === 'ok' ? 0 : 1), 0),
    llmUsage: usageByModel(batch),
    listWriteMs: batch.listWriteMs,
    byAction: by_action,
    failedByAction: failed_by_action,
    llm: llmFigures(batch.llmCalls),
  };
}

/** What Channel.commitStep reports of a committed step (built by stepSummary). */
export interface StepSummary {
  readonly actions: number;
  readonly failed: number;
  readonly llmRequests: number;
  readonly llmFailures: number;
  /** Wall ms of the recommender's lists (rec, feed impressions): staging, and the commit's wait for their INSERTs (step-transaction.ts). */
  readonly listWriteMs: number;
  /** LLM usage of the step by model key: requests sent (every attempt; replayed answers were not sent) and tokens. */
  readonly llmUsage: ReadonlyMap<string, { requests: number; promptTokens: number; completionTokens: number }>;
  /** Applied and failed actions by type. */
  readonly byAction: ActionCounts;
  readonly failedByAction: ActionCounts;
  /** The step's LLM requests by model endpoint. */
  readonly llm: readonly LlmEndpointFigures[];
}
