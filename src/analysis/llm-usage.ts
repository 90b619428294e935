/** LLM accounting over a run's llm_calls table: per cohort and model, one SQL query each. */

export interface LlmUsageRow {
  cohort: string;
  model: string;
  /** Requests sent (a call and its retries count once here; `retries` counts the extra attempts). */
  requests: number;
  ok: number;
  failed: number;
  /** Failed requests by kind (rate_limited, server_error, timeout, …). */
  failures: Record<string, number>;
  prompt_tokens: number;
  completion_tokens: number;
  /** Attempts beyond the first, summed: how much retrying happened. */
  retries: number;
  p50_ms: number;
  p95_ms: number;
  /** Estimated from the model's `price` (USD per million tokens); null when no price is set. */
  cost_usd: number | null;
  /** Requests a budget turned away before they were sent (outcome budget_exhausted with no attempt); not in `requests`. */
  refused: number;
}

export type Prices = Readonly<Record<string, { readonly prompt?: number; readonly completion?: number } | undefined>>;

/** Any read access to a sim.duckdb: the engine's writer connection or a read-only analysis handle. */
export type RunQuery = (sql: string) => Promise<Record<string, unknown>[]>;

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number(v ?? 0));

/** A call that reached an endpoint at least once: not one a budget turned away before any attempt. */
const SENT = `NOT (outcome = 'budget_exhausted' AND attempts = 0)`;

export async function llmUsage(query: RunQuery, prices: Prices = {}): Promise<LlmUsageRow[]> {
  const rows = await query(
    `SELECT cohort, model, count(*) FILTER (WHERE ${SENT})::INTEGER AS requests, count(*) FILTER (WHERE outcome = 'ok')::INTEGER AS ok,
            coalesce(sum(prompt_tokens), 0)::DOUBLE AS prompt_tokens, coalesce(sum(completion_tokens), 0)::DOUBLE AS completion_tokens,
            (coalesce(sum(attempts) FILTER (WHERE ${SENT}), 0) - count(*) FILTER (WHERE ${SENT}))::INTEGER AS retries,
            quantile_cont(latency_ms, 0.5) FILTER (WHERE ${SENT})::DOUBLE AS p50_ms, quantile_cont(latency_ms, 0.95) FILTER (WHERE ${SENT})::DOUBLE AS p95_ms,
            count(*) FILTER (WHERE NOT (${SENT}))::INTEGER AS refused
     FROM llm_calls GROUP BY cohort, model ORDER BY cohort, model`,
  );
  const failures = await query(
    `SELECT cohort, model, outcome, count(*)::INTEGER AS n FROM llm_calls WHERE outcome <> 'ok' AND ${SENT} GROUP BY ALL ORDER BY ALL`,
  );
  return rows.map((r) => {
    const cohort = String(r.cohort);
    const model = String(r.model);
    const byKind: Record<string, number> = {};
    for (const f of failures) if (f.cohort === cohort && f.model === model) byKind[String(f.outcome)] = num(f.n);
    const price = prices[model];
    const prompt = num(r.prompt_tokens);
    const completion = num(r.completion_tokens);
    return {
      cohort,
      model,
      requests: num(r.requests),
      ok: num(r.ok),
      failed: num(r.requests) - num(r.ok),
      failures: byKind,
      prompt_tokens: prompt,
      completion_tokens: completion,
      retries: num(r.retries),
      p50_ms: Math.round(num(r.p50_ms)),
      p95_ms: Math.round(num(r.p95_ms)),
      cost_usd: price && (price.prompt !== undefined || price.completion !== undefined) ? ((price.prompt ?? 0) * prompt + (price.completion ?? 0) * completion) / 1e6 : null,
      refused: num(r.refused),
    };
  });
}
