import type { BudgetConfig, Experiment } from '../config/types.js';

export interface ModelUsage {
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

/**
 * Tracks LLM spending against the experiment's budgets (per model and per run). Fed each
 * step's usage; reports a budget the first time it is used up. A step is never cut short:
 * the check runs between steps, so the run ends, or falls back, at a step boundary.
 */
export class BudgetGuard {
  private readonly usage = new Map<string, ModelUsage>();
  private readonly spent = new Set<string>();

  constructor(private readonly exp: Experiment) {}

  add(model: string, u: ModelUsage): void {
    const cur = this.usage.get(model) ?? { requests: 0, promptTokens: 0, completionTokens: 0 };
    cur.requests += u.requests;
    cur.promptTokens += u.promptTokens;
    cur.completionTokens += u.completionTokens;
    this.usage.set(model, cur);
  }

  /** A budget already reported (by an earlier part of a resumed run). */
  markSpent(scope: string): void {
    this.spent.add(scope);
  }

  /** Budgets newly exhausted since the last call. */
  check(): Exhaustion[] {
    const out: Exhaustion[] = [];
    const llmModels = Object.entries(this.exp.models).filter(([, m]) => m.provider !== 'statistical');
    for (const [name, model] of llmModels) {
      if (model.provider === 'statistical' || !model.budget) continue;
      const reason = this.over(model.budget, [name]);
      if (reason && !this.spent.has(name)) {
        this.spent.add(name);
        out.push({ scope: name, action: model.budget.on_exhausted, models: [name], reason });
      }
    }
    if (this.exp.budget && !this.spent.has('run')) {
      const names = llmModels.map(([n]) => n);
      const reason = this.over(this.exp.budget, names);
      if (reason) {
        this.spent.add('run');
        out.push({ scope: 'run', action: this.exp.budget.on_exhausted, models: names, reason });
      }
    }
    return out;
  }

  private over(b: BudgetConfig, models: readonly string[]): string | null {
    let requests = 0;
    let tokens = 0;
    let cost = 0;
    for (const name of models) {
      const u = this.usage.get(name);
      if (!u) continue;
      const m = this.exp.models[name];
      const price = m && m.provider !== 'statistical' ? m.price : undefined;
      requests += u.requests;
      tokens += u.promptTokens + u.completionTokens;
      cost += ((price?.prompt ?? 0) * u.promptTokens + (price?.completion ?? 0) * u.completionTokens) / 1e6;
    }
    if (b.max_requests !== undefined && requests >= b.max_requests) return `${requests} requests of ${b.max_requests} allowed`;
    if (b.max_tokens !== undefined && tokens >= b.max_tokens) return `${tokens} tokens of ${b.max_tokens} allowed`;
    if (b.max_cost_usd !== undefined && cost >= b.max_cost_usd) return `$${cost.toFixed(4)} of $${b.max_cost_usd} allowed`;
    return null;
  }
}
