import type { AgentPolicy, Decision } from '../agents/types.js';
import type { BudgetConfig, Experiment } from '../config/types.js';
import { BudgetGate, type BudgetScopeDef, type RunGate } from '../llm/budget-gate.js';

export interface ModelUsage {
  /** Requests sent to the model's endpoints (every attempt; replayed answers are not sent). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface Exhaustion {
  /** 'run' for the experiment-wide budget, else the model key. */
  readonly scope: string;
  readonly action: 'stop' | 'fallback';
  /** Models whose cohorts the action applies to. */
  readonly models: readonly string[];
  readonly reason: string;
}

/** What budgets read of an experiment (a run's resolved file gives it to the stance judge too). */
export type BudgetedExperiment = Pick<Experiment, 'models' | 'budget'>;

const llmModels = (exp: BudgetedExperiment): string[] => Object.entries(exp.models).filter(([, m]) => m.provider !== 'statistical').map(([n]) => n);

/** Each budget of the experiment, with the models it counts. */
function budgetScopes(exp: BudgetedExperiment): { def: BudgetScopeDef; budget: BudgetConfig }[] {
  const out: { def: BudgetScopeDef; budget: BudgetConfig }[] = [];
  const limits = (b: BudgetConfig): Omit<BudgetScopeDef, 'name' | 'models'> => ({
    ...(b.max_requests !== undefined ? { maxRequests: b.max_requests } : {}),
    ...(b.max_tokens !== undefined ? { maxTokens: b.max_tokens } : {}),
    ...(b.max_cost_usd !== undefined ? { maxCostUsd: b.max_cost_usd } : {}),
  });
  for (const [name, model] of Object.entries(exp.models)) {
    if (model.provider !== 'statistical' && model.budget) out.push({ def: { name, models: [name], ...limits(model.budget) }, budget: model.budget });
  }
  if (exp.budget) out.push({ def: { name: 'run', models: llmModels(exp), ...limits(exp.budget) }, budget: exp.budget });
  return out;
}

/** What the models' usage adds up to against a budget's models. */
function totalsOf(exp: Experiment, usage: ReadonlyMap<string, ModelUsage>, models: readonly string[]): { requests: number; tokens: number; cost: number } {
  let requests = 0;
  let tokens = 0;
  let cost = 0;
  for (const name of models) {
    const u = usage.get(name);
    if (!u) continue;
    const m = exp.models[name];
    const price = m && m.provider !== 'statistical' ? m.price : undefined;
    requests += u.requests;
    tokens += u.promptTokens + u.completionTokens;
    cost += ((price?.prompt ?? 0) * u.promptTokens + (price?.completion ?? 0) * u.completionTokens) / 1e6;
  }
  return { requests, tokens, cost };
}

/** A budget's use so far, for the `step` line of events.jsonl: only the caps it sets, each with what counts against it. */
export interface BudgetStatus {
  /** `run`, or the model key of a model's budget. */
  readonly scope: string;
  readonly used_requests?: number;
  readonly max_requests?: number;
  readonly used_tokens?: number;
  readonly max_tokens?: number;
  readonly used_usd?: number;
  readonly max_usd?: number;
}

/**
 * Each budget of the experiment against `usage` (requests sent, every attempt, and tokens, by
 * model key: what the budgets count); empty when the experiment sets none.
 */
export function budgetStatus(exp: Experiment, usage: ReadonlyMap<string, ModelUsage>): BudgetStatus[] {
  return budgetScopes(exp).map(({ def, budget: b }) => {
    const t = totalsOf(exp, usage, def.models);
    return {
      scope: def.name,
      ...(b.max_requests !== undefined ? { used_requests: t.requests, max_requests: b.max_requests } : {}),
      ...(b.max_tokens !== undefined ? { used_tokens: t.tokens, max_tokens: b.max_tokens } : {}),
      ...(b.max_cost_usd !== undefined ? { used_usd: Math.round(t.cost * 1e6) / 1e6, max_usd: b.max_cost_usd } : {}),
    };
  });
}

/**
 * The gate every LLM and embedding request of the run passes just before it is sent (shared
 * with the worker threads), or null when the experiment sets no budget.
 */
export function budgetGateFor(exp: BudgetedExperiment): BudgetGate | null {
  const scopes = budgetScopes(exp);
  if (scopes.length === 0) return null;
  const models = llmModels(exp).map((name) => {
    const m = exp.models[name]!;
    return { name, ...(m.provider !== 'statistical' && m.price ? { price: m.price } : {}) };
  });
  return BudgetGate.create(models, scopes.map((s) => s.def));
}

/** The on_exhausted of a budget scope (`run` or a model key). */
export function budgetAction(exp: Experiment, scope: string): 'stop' | 'fallback' {
  return budgetScopes(exp).find((s) => s.def.name === scope)?.budget.on_exhausted ?? 'stop';
}

/** The budgets whose settings differ between two experiments (a branch's changed budgets). */
export function changedBudgets(before: Experiment, after: Experiment): string[] {
  const of = (exp: Experiment): Map<string, string> => new Map(budgetScopes(exp).map((s) => [s.def.name, JSON.stringify([s.budget, s.def.models])]));
  const a = of(before);
  const b = of(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
}

/**
 * Reports each budget the first time it is used up, at the end of a step: when the requests
 * sent (tokens, cost) reached its cap, or when the gate turned a request away during the step
 * because it would have passed the cap. The gate (budget-gate.ts) is what keeps requests from
 * being sent past a cap; this guard decides what the run does next.
 */
export class BudgetGuard {
  private readonly usage = new Map<string, ModelUsage>();
  private readonly spent = new Set<string>();

  constructor(
    private readonly exp: Experiment,
    private readonly gate: RunGate | null = null,
  ) {}

  add(model: string, u: ModelUsage): void {
    const cur = this.usage.get(model) ?? { requests: 0, promptTokens: 0, completionTokens: 0 };
    cur.requests += u.requests;
    cur.promptTokens += u.promptTokens;
    cur.completionTokens += u.completionTokens;
    this.usage.set(model, cur);
  }

  /** A budget already reported (by an earlier part of a resumed run): the gate sends nothing more on it. */
  markSpent(scope: string): void {
    this.spent.add(scope);
    this.gate?.close(scope);
  }

  /** Budgets newly exhausted since the last call. */
  check(): Exhaustion[] {
    const refused = new Map((this.gate?.refusals() ?? []).map((r) => [r.scope, r.limit]));
    const out: Exhaustion[] = [];
    for (const { def, budget } of budgetScopes(this.exp)) {
      if (this.spent.has(def.name)) continue;
      const reason = this.over(budget, def.models) ?? (refused.has(def.name) ? this.near(budget, def.models, refused.get(def.name)!) : null);
      if (!reason) continue;
      this.spent.add(def.name);
      out.push({ scope: def.name, action: budget.on_exhausted, models: def.models, reason });
    }
    return out;
  }

  /** Every budget's use so far (see budgetStatus). */
  status(): BudgetStatus[] {
    return budgetStatus(this.exp, this.usage);
  }

  private totals(models: readonly string[]): { requests: number; tokens: number; cost: number } {
    return totalsOf(this.exp, this.usage, models);
  }

  private over(b: BudgetConfig, models: readonly string[]): string | null {
    const { requests, tokens, cost } = this.totals(models);
    if (b.max_requests !== undefined && requests >= b.max_requests) return `${requests} requests of ${b.max_requests} allowed`;
    if (b.max_tokens !== undefined && tokens >= b.max_tokens) return `${tokens} tokens of ${b.max_tokens} allowed`;
    if (b.max_cost_usd !== undefined && cost >= b.max_cost_usd) return `$${cost.toFixed(4)} of $${b.max_cost_usd} allowed`;
    return null;
  }

  /** Under the cap, but a request was turned away because it could have passed it. */
  private near(b: BudgetConfig, models: readonly string[], limit: string): string {
    const { requests, tokens, cost } = this.totals(models);
    const next = 'the next request could have passed the cap';
    if (limit === 'tokens' && b.max_tokens !== undefined) return `${tokens} tokens of ${b.max_tokens} allowed; ${next}`;
    if (limit === 'cost' && b.max_cost_usd !== undefined) return `$${cost.toFixed(4)} of $${b.max_cost_usd} allowed; ${next}`;
    return `${requests} requests of ${b.max_requests ?? '?'} allowed; ${next}`;
  }
}

/**
 * A cohort's policy whose agents, when a budget under `on_exhausted: fallback` turned their
 * first request away in the middle of a step, get the fallback policy's decision for that step
 * instead (the refused call stays in their record). Under `stop` the refused decision stands:
 * the agent does nothing that step and `trace` holds a failed `decide` naming the budget.
 */
export function withBudgetFallback(policy: AgentPolicy, exp: Experiment, fallback: () => AgentPolicy): AgentPolicy {
  let fb: AgentPolicy | null = null;
  return {
    name: policy.name,
    wantsContext: policy.wantsContext,
    ...(policy.memorySize !== undefined ? { memorySize: policy.memorySize } : {}),
    ...(policy.survey ? { survey: policy.survey.bind(policy) } : {}),
    ...(policy.endpoints ? { endpoints: policy.endpoints.bind(policy) } : {}),
    ...(policy.close ? { close: policy.close.bind(policy) } : {}),
    async decideAll(step, requests) {
      const decisions = await policy.decideAll(step, requests);
      const refused = decisions.flatMap((d, i) => (d.budgetRefused !== undefined && budgetAction(exp, d.budgetRefused) === 'fallback' ? [i] : []));
      if (refused.length === 0) return decisions;
      fb ??= fallback();
      const instead = await fb.decideAll(step, refused.map((i) => requests[i]!));
      const out: Decision[] = [...decisions];
      refused.forEach((i, k) => {
        const d = instead[k] ?? { actions: [] };
        out[i] = { ...d, calls: [...(decisions[i]!.calls ?? []), ...(d.calls ?? [])] };
      });
      return out;
    },
  };
}
