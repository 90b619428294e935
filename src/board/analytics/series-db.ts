/**
 * A finished run's per-step series (series.ts) from its `sim.duckdb`: totals from `steps`,
 * actions by type from `trace`, LLM requests by endpoint from `llm_calls`, and what each budget
 * of the experiment had left after each step. The sums are done in DuckDB; only per-step rows
 * come back (a 100k-agent run still returns a few rows per step).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SimDb } from '../../analysis/open.js';
import { loadExperiment } from '../../config/load.js';
import type { BudgetConfig, Experiment } from '../../config/types.js';
import { RUN_FILES } from '../../engine/run-folder.js';
import type { ActionPoint, BudgetPoint, LlmPoint, RunSeries, StepPoint } from './series.js';

// sim_time as the engine writes it into step events (Date#toISOString), so both sources agree.
const ISO = `strftime(sim_time, '%Y-%m-%dT%H:%M:%S.%g') || 'Z'`;

export async function seriesFromDb(db: SimDb, runDir: string): Promise<RunSeries> {
  const steps = await db.query<StepPoint>(
    `WITH calls AS (
       SELECT step, count(*)::INTEGER AS n, count(*) FILTER (WHERE outcome <> 'ok')::INTEGER AS failed FROM llm_calls GROUP BY step
     )
     SELECT s.step, ${ISO} AS sim_time, s.active_agents, s.actions, s.failed_actions,
       coalesce(c.n, 0)::INTEGER AS llm_requests, coalesce(c.failed, 0)::INTEGER AS llm_failures
     FROM steps s LEFT JOIN calls c USING (step) ORDER BY s.step`,
  );
  const actions = await db.query<ActionPoint>(
    `SELECT step, action, count(*)::INTEGER AS count, count(*) FILTER (WHERE NOT ok)::INTEGER AS failed
     FROM trace GROUP BY step, action ORDER BY step, action`,
  );
  const llm = await db.query<LlmPoint>(
    `SELECT step, model, endpoint, count(*)::INTEGER AS requests, count(*) FILTER (WHERE outcome <> 'ok')::INTEGER AS failures,
       avg(latency_ms)::DOUBLE AS latency_ms_mean
     FROM llm_calls GROUP BY step, model, endpoint ORDER BY step, model, endpoint`,
  );
  return { steps, actions, llm, budget: await budgetLeft(db, runDir, steps.map((s) => s.step)) };
}

interface Scope {
  name: string;
  models: string[];
  budget: BudgetConfig;
}

/** The experiment's budgets: one per LLM model that sets one, and `run` over every LLM model. */
function budgetScopes(exp: Experiment): Scope[] {
  const llmModels = Object.entries(exp.models).filter(([, m]) => m.provider !== 'statistical');
  const out: Scope[] = [];
  for (const [name, m] of llmModels) if (m.provider !== 'statistical' && m.budget) out.push({ name, models: [name], budget: m.budget });
  if (exp.budget) out.push({ name: 'run', models: llmModels.map(([n]) => n), budget: exp.budget });
  return out;
}

/**
 * Budget left after each step, counted as the engine's budget counts: every attempt is a
 * request, tokens are the server's usage, cost at the model's price per million tokens.
 */
async function budgetLeft(db: SimDb, runDir: string, steps: readonly number[]): Promise<BudgetPoint[]> {
  const file = join(runDir, RUN_FILES.resolved);
  if (!existsSync(file)) return [];
  let exp: Experiment;
  try {
    exp = loadExperiment(file);
  } catch {
    return []; // an experiment this version cannot read: no budget chart rather than no page
  }
  const scopes = budgetScopes(exp);
  if (scopes.length === 0) return [];
  const used = await db.query<{ step: number; model: string; requests: number; prompt: number; completion: number }>(
    `SELECT step, model, sum(attempts)::DOUBLE AS requests, sum(prompt_tokens)::DOUBLE AS prompt, sum(completion_tokens)::DOUBLE AS completion
     FROM llm_calls GROUP BY step, model ORDER BY step`,
  );
  const price = (model: string): { prompt: number; completion: number } => {
    const m = exp.models[model];
    const p = m && m.provider !== 'statistical' ? m.price : undefined;
    return { prompt: p?.prompt ?? 0, completion: p?.completion ?? 0 };
  };
  const out: BudgetPoint[] = [];
  for (const s of scopes) {
    const models = new Set(s.models);
    let requests = 0;
    let tokens = 0;
    let usd = 0;
    let k = 0;
    const mine = used.filter((u) => models.has(u.model));
    for (const step of steps) {
      for (; k < mine.length && mine[k]!.step <= step; k++) {
        const u = mine[k]!;
        const p = price(u.model);
        requests += u.requests;
        tokens += u.prompt + u.completion;
        usd += (p.prompt * u.prompt + p.completion * u.completion) / 1e6;
      }
      const cap = (max: number | undefined, value: number): number | null => (max === undefined ? null : Math.max(0, max - value));
      out.push({
        step,
        scope: s.name,
        left_requests: cap(s.budget.max_requests, requests),
        max_requests: s.budget.max_requests ?? null,
        left_tokens: cap(s.budget.max_tokens, tokens),
        max_tokens: s.budget.max_tokens ?? null,
        left_usd: cap(s.budget.max_cost_usd, usd),
        max_usd: s.budget.max_cost_usd ?? null,
      });
    }
  }
  return out;
}
