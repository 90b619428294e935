import { appendFileSync } from 'node:fs';
import type { TableLoad } from '../data/dataset.js';

export type RunEvent =
  | { type: 'run_started'; run_id: string; experiment: string; seed: number; timesteps: number; agents: number; from_step: number }
  | { type: 'step'; step: number; sim_time: string; active_agents: number; actions: number; failed_actions: number; llm_requests: number; llm_failures: number; wall_ms: number; recovered?: true }
  | { type: 'run_finished'; status: RunStatus; steps_completed: number; actions: number; wall_ms: number }
  | { type: 'endpoint_down' | 'endpoint_up'; step: number; model: string; endpoint: string }
  | { type: 'budget_exhausted'; step: number; scope: string; action: 'stop' | 'fallback'; cohorts: string[]; reason: string }
  | { type: 'dataset_loaded'; tables: TableLoad[] }
  | { type: 'error'; code: string; message: string };

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
