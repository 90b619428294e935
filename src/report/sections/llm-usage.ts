/** Requests, tokens, latency, failures and cost of each LLM cohort (absent for statistical-only runs). */
import { llmUsage, type LlmUsageRow } from '../../analysis/llm-usage.js';
import { escapeHtml, htmlTable } from '../html.js';

interface BudgetEvent {
  step: number;
  scope: string;
  action: 'stop' | 'fallback';
  cohorts: string[];
  reason: string;
}
import type { ReportSection } from '../types.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export const llmUsageSection: ReportSection = {
  id: 'llm-usage',
  title: 'LLM usage',
  async build(q) {
    // run.json carries the priced figures the engine computed; without it, count from the table.
    // The engine's priced figures when run.json has them; counted from the table otherwise.
    const rows = (q.run?.llm_usage as LlmUsageRow[] | undefined) ?? (await llmUsage((sql) => q.db.query(sql)));
    const budget = ((q.run?.budget_events ?? []) as BudgetEvent[]).map(
      (e) =>
        `<p class="note">Budget ${escapeHtml(e.scope)} exhausted at step ${e.step} (${escapeHtml(e.reason)}): ` +
        (e.action === 'stop' ? 'the run stopped there.' : `cohorts ${escapeHtml(e.cohorts.join(', '))} fell back to the statistical policy.`) +
        '</p>',
    );
    const refused = rows.reduce((n, r) => n + (r.refused ?? 0), 0);
    if (refused > 0) budget.push(`<p class="note">${fmt(refused)} request${refused === 1 ? ' was' : 's were'} turned away by a budget before being sent (not counted below).</p>`);
    return {
      id: this.id,
      title: this.title,
      description: 'Requests to language models by cohort: outcome, tokens, latency of the whole call (retries and backoff included), estimated cost.',
      html: budget.join('\n') + htmlTable(
        ['cohort', 'model', 'requests', 'ok', 'failed', 'failures by kind', 'retries', 'prompt tokens', 'completion tokens', 'p50 ms', 'p95 ms', 'cost (USD)'],
        rows.map((r) => [
          r.cohort,
          r.model,
          fmt(r.requests),
          fmt(r.ok),
          fmt(r.failed),
          Object.entries(r.failures).map(([k, n]) => `${k} ${n}`).join(', ') || '—',
          fmt(r.retries),
          fmt(r.prompt_tokens),
          fmt(r.completion_tokens),
          fmt(r.p50_ms),
          fmt(r.p95_ms),
          r.cost_usd === null ? '—' : r.cost_usd.toFixed(4),
        ]),
        { numeric: [2, 3, 4, 6, 7, 8, 9, 10, 11], empty: 'No LLM cohort in this run: give a cohort a model with provider: openai-compatible (vLLM, llama.cpp …) or openai to have language models drive its agents (see experiments/mixed-models.yaml).' },
      ),
    };
  },
};
