import { appendFileSync } from 'node:fs';
import type { ActionCounts, LlmEndpointFigures } from '../channel/step-figures.js';
import type { TableLoad } from '../data/dataset.js';
import type { BudgetStatus } from './budget.js';
import type { WorkerTally } from '../distributed/accounts.js';

export type RunEvent =
  | { type: 'run_started'; run_id: string; experiment: string; seed: number; timesteps: number; agents: number; from_step: number }
  | StepEvent
  | { type: 'run_finished'; status: RunStatus; steps_completed: number; actions: number; wall_ms: number }
  | { type: 'endpoint_down' | 'endpoint_up'; step: number; model: string; endpoint: string }
  | { type: 'budget_exhausted'; step: number; scope: string; action: 'stop' | 'fallback'; cohorts: string[]; reason: string }
  | { type: 'dataset_loaded'; tables: TableLoad[] }
  | { type: 'error'; code: string; message: string };

/**
 * One committed step: what the live board tails. `by_action` counts applied actions by type and
 * `failed_by_action` the failed ones (together they sum to `actions`; the failed ones to
 * `failed_actions`); `llm` has the step's requests by model endpoint (their `requests` sum to
 * `llm_requests`); `workers`, only when the run's requests went to `socialsim worker`s
 * (--redis), each worker's (host:pid) jobs and requests (attempts) in the step, and with it
 * `coordinator_cpu_ms`, the run's CPU while its calls to workers were in flight (all its threads),
 * and `coordinator_main_cpu_ms`, the part on its main thread (Linux only); `budget`, only
 * when the experiment sets budgets, each one's use so far against the caps it sets. A line
 * recovered from the database (`recovered: true`) has the same fields but `workers` and the coordinator's CPU (the
 * database does not know them), wall_ms 0.
 */
export interface StepEvent {
  type: 'step';
  step: number;
  sim_time: string;
  active_agents: number;
  actions: number;
  failed_actions: number;
  llm_requests: number;
  llm_failures: number;
  wall_ms: number;
  by_action: ActionCounts;
  failed_by_action: ActionCounts;
  llm: readonly LlmEndpointFigures[];
  workers?: WorkerTally;
  coordinator_cpu_ms?: number;
  coordinator_main_cpu_ms?: number;
  budget?: readonly BudgetStatus[];
  recovered?: true;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'budget_exhausted';

/**
 * events.jsonl: one JSON object a line, wall-clock stamped. Written synchronously so the
 * last line before a crash is on disk. Only engine-built objects go in, never config or env.
 */
export class EventLog {
  constructor(private readonly path: string) {}

  write(event: RunEvent): void {
    appendFileSync(this.path, JSON.stringify({ t: new Date().toISOString(), ...event }) + '\n');
  }
}
