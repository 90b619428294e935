/**
 * What a channel file says about its committed steps, read back: totals and step rows (what
 * run.json and events.jsonl say, recovered after a crash), LLM usage so far (a resumed run's
 * budgets), the last stored recommender state and the last feeds.
 */
import { DuckDBBlobValue } from '../common/duckdb-api.js';
import type { ChannelDb } from './db.js';
import { actionCounts, llmFigures, REPLAYED, type ActionCounts, type LlmEndpointFigures } from './step-figures.js';

/** A `steps` row with its LLM request counts. */
export interface CommittedStep {
  [key: string]: unknown;
  step: number;
  active_agents: number;
  actions: number;
  failed_actions: number;
  llm_requests: number;
  llm_failures: number;
  by_action: ActionCounts;
  failed_by_action: ActionCounts;
  llm: LlmEndpointFigures[];
}

/** LLM requests sent (attempts) and tokens of one model key. */
export interface LlmUsage {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

/**
 * LLM requests sent so far (attempts; replayed answers were not sent) and tokens, by model key:
 * a resumed run's budgets start from them. `upToStep`: only those of steps up to it.
 */
export async function llmUsageByModel(db: ChannelDb, upToStep?: number): Promise<Map<string, LlmUsage>> {
  const upTo = upToStep === undefined ? '' : ` AND step <= ${Math.trunc(upToStep)}`;
  const rows = await db.query<{ model: string; requests: number; p: number; c: number }>(
    `SELECT model, sum(attempts)::DOUBLE AS requests, sum(prompt_tokens)::DOUBLE AS p, sum(completion_tokens)::DOUBLE AS c FROM llm_calls WHERE endpoint <> '${REPLAYED}'${upTo} GROUP BY model`,
  );
  return new Map(rows.map((r) => [r.model, { requests: r.requests, promptTokens: r.p, completionTokens: r.c }]));
}

/** The learned recommender state stored with the last committed refresh, if `kind` wrote one. */
export async function storedRecsysState(db: ChannelDb, kind: string): Promise<Uint8Array | null> {
  const reader = await db.connection.runAndReadAll('SELECT state FROM recsys_state WHERE kind = $1 ORDER BY step DESC LIMIT 1', [kind]);
  const value = reader.getRows()[0]?.[0];
  return value instanceof DuckDBBlobValue ? value.bytes : null;
}

/** Steps committed and their actions, from `steps`: what run.json's totals say, whatever happened to run.json. */
export async function committedTotals(db: ChannelDb): Promise<{ steps: number; actions: number; failed: number }> {
  const [t] = await db.query<{ steps: number; actions: number; failed: number }>(
    'SELECT coalesce(max(step) + 1, 0)::DOUBLE AS steps, coalesce(sum(actions), 0)::DOUBLE AS actions, coalesce(sum(failed_actions), 0)::DOUBLE AS failed FROM steps',
  );
  return t ?? { steps: 0, actions: 0, failed: 0 };
}

/**
 * These committed steps' rows, with their LLM requests, actions by type and requests by
 * endpoint (as commitStep reports them, from trace and llm_calls): the events.jsonl lines a
 * crash lost.
 */
export async function committedStepRows(db: ChannelDb, steps: readonly number[]): Promise<CommittedStep[]> {
  if (steps.length === 0) return [];
  const list = steps.map((n) => Math.trunc(n)).join(', ');
  const rows = await db.query<{ step: number; active_agents: number; actions: number; failed_actions: number; llm_requests: number; llm_failures: number }>(
    `SELECT s.step, s.active_agents, s.actions, s.failed_actions,
       count(c.step)::INTEGER AS llm_requests, count(c.step) FILTER (WHERE c.outcome <> 'ok')::INTEGER AS llm_failures
     FROM steps s LEFT JOIN llm_calls c ON c.step = s.step
     WHERE s.step IN (${list})
     GROUP BY ALL ORDER BY s.step`,
  );
  const actions = await db.query<{ step: number; action: string; ok: boolean; n: number }>(
    `SELECT step, action, ok, count(*)::INTEGER AS n FROM trace WHERE step IN (${list}) GROUP BY ALL`,
  );
  const calls = await db.query<{ step: number; model: string; endpoint: string; latencyMs: number; outcome: string; promptTokens: number; completionTokens: number }>(
    `SELECT step, model, endpoint, latency_ms AS "latencyMs", outcome, prompt_tokens AS "promptTokens", completion_tokens AS "completionTokens" FROM llm_calls WHERE step IN (${list})`,
  );
  return rows.map((r) => ({
    ...r,
    ...actionCounts(actions.filter((a) => a.step === r.step)),
    llm: llmFigures(calls.filter((c) => c.step === r.step)),
  }));
}

/** The feeds of the last refresh that stored them (`rec`), by user, in rank order. */
export async function latestFeeds(db: ChannelDb): Promise<Map<number, number[]>> {
  const rows = await db.query<{ u: number; p: number }>(
    `SELECT user_id AS u, post_id::DOUBLE AS p FROM rec WHERE step = (SELECT max(step) FROM rec) ORDER BY user_id, rank`,
  );
  const feeds = new Map<number, number[]>();
  for (const { u, p } of rows) {
    let f = feeds.get(u);
    if (!f) feeds.set(u, (f = []));
    f.push(p);
  }
  return feeds;
}
