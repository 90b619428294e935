/**
 * A run's per-step figures as the run page draws them, in long form (one row per step and
 * series key) so each chart is one Vega-Lite spec over one table. Two sources give the same
 * shape: `events.jsonl`'s step events (a running run: its database is locked by the writer)
 * and `sim.duckdb` (a finished run; series-db.ts). Step events may be the plain totals of
 * older versions or carry the richer fields (`by_action`, `llm`, `budget`); both are read.
 */
import type { RunEvent } from '../../engine/events.js';

/** One committed step's totals: the step event's own fields. */
export type StepPoint = Pick<Extract<RunEvent, { type: 'step' }>, 'step' | 'sim_time' | 'active_agents' | 'actions' | 'failed_actions' | 'llm_requests' | 'llm_failures'>;

/** Actions of one type in one step (`action` is `all` when the source has no breakdown). */
export interface ActionPoint {
  step: number;
  action: string;
  count: number;
  failed: number;
}

/** LLM requests of one endpoint in one step (`endpoint` is `all` without a breakdown; latency then null). */
export interface LlmPoint {
  step: number;
  model: string;
  endpoint: string;
  requests: number;
  failures: number;
  latency_ms_mean: number | null;
}

/** What one budget had left after a step (null: that cap is not set). */
export interface BudgetPoint {
  step: number;
  scope: string;
  left_requests: number | null;
  max_requests: number | null;
  left_tokens: number | null;
  max_tokens: number | null;
  left_usd: number | null;
  max_usd: number | null;
}

export interface RunSeries {
  steps: StepPoint[];
  actions: ActionPoint[];
  llm: LlmPoint[];
  budget: BudgetPoint[];
}

export const emptySeries = (): RunSeries => ({ steps: [], actions: [], llm: [], budget: [] });

type Obj = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const left = (max: number | null, used: unknown): number | null => (max === null ? null : Math.max(0, max - num(used)));

/**
 * The series of the `step` events among `events` (other events are ignored). A step logged
 * twice (a resumed run re-logging, recovered events) counts once: its last line wins.
 */
export function seriesFromEvents(events: readonly unknown[]): RunSeries {
  const last = new Map<number, Obj>();
  for (const e of events) {
    if (isObj(e) && e.type === 'step' && typeof e.step === 'number') last.set(e.step, e);
  }
  const out = emptySeries();
  for (const [step, e] of [...last].sort((a, b) => a[0] - b[0])) {
    out.steps.push({
      step,
      sim_time: typeof e.sim_time === 'string' ? e.sim_time : '',
      active_agents: num(e.active_agents),
      actions: num(e.actions),
      failed_actions: num(e.failed_actions),
      llm_requests: num(e.llm_requests),
      llm_failures: num(e.llm_failures),
    });
    if (isObj(e.by_action)) {
      const failed = isObj(e.failed_by_action) ? e.failed_by_action : {};
      for (const action of Object.keys(e.by_action).sort()) out.actions.push({ step, action, count: num(e.by_action[action]), failed: num(failed[action]) });
    } else {
      out.actions.push({ step, action: 'all', count: num(e.actions), failed: num(e.failed_actions) });
    }
    if (Array.isArray(e.llm)) {
      for (const l of e.llm.filter(isObj)) {
        out.llm.push({
          step,
          model: typeof l.model === 'string' ? l.model : '',
          endpoint: typeof l.endpoint === 'string' ? l.endpoint : '',
          requests: num(l.requests),
          failures: num(l.failures),
          latency_ms_mean: numOrNull(l.latency_ms_mean),
        });
      }
    } else if (num(e.llm_requests) > 0) {
      out.llm.push({ step, model: 'all', endpoint: 'all', requests: num(e.llm_requests), failures: num(e.llm_failures), latency_ms_mean: null });
    }
    if (Array.isArray(e.budget)) {
      for (const b of e.budget.filter(isObj)) {
        const [mr, mt, mu] = [numOrNull(b.max_requests), numOrNull(b.max_tokens), numOrNull(b.max_usd)];
        out.budget.push({
          step,
          scope: typeof b.scope === 'string' ? b.scope : '',
          left_requests: left(mr, b.used_requests),
          max_requests: mr,
          left_tokens: left(mt, b.used_tokens),
          max_tokens: mt,
          left_usd: left(mu, b.used_usd),
          max_usd: mu,
        });
      }
    }
  }
  return out;
}

/** Parses the complete lines of an events.jsonl text; a line cut short or garbled is skipped. */
export function parseEventLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line a kill cut short: the recovered events after it still count
    }
  }
  return out;
}
