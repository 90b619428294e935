import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LlmUsageRow } from '../analysis/llm-usage.js';
import type { RunStatus } from './events.js';

/** run.json: what a run was and how it went. No secrets: only engine-built values go in. */
export interface RunInfo {
  experiment: string;
  run_id: string;
  seed: number;
  config_hash: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  wall_ms: number;
  timesteps: number;
  steps_completed: number;
  agents: number;
  actions: number;
  failed_actions: number;
  actions_per_second: number;
  git_commit: string | null;
  versions: Record<string, string | null>;
  command: string[];
  /** Per cohort and model, when the run has LLM cohorts. */
  llm_usage?: LlmUsageRow[];
  /** Budgets used up during the run, and what happened then. */
  budget_events?: { step: number; scope: string; action: 'stop' | 'fallback'; cohorts: string[]; reason: string }[];
  error?: string;
}

export const RUN_FILES = {
  resolved: 'experiment.resolved.yaml',
  info: 'run.json',
  db: 'sim.duckdb',
  events: 'events.jsonl',
  report: 'report.html',
} as const;

/** `results/<experiment>/<stamp>-s<seed>`, with -2, -3… if that folder already exists. */
export function createRunFolder(root: string, experiment: string, seed: number, now: Date): { runId: string; dir: string } {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  const base = `${stamp}-s${seed}`;
  let runId = base;
  for (let n = 2; existsSync(join(root, experiment, runId)); n++) runId = `${base}-${n}`;
  const dir = join(root, experiment, runId);
  mkdirSync(dir, { recursive: true });
  return { runId, dir };
}

/** Written via a temp file and rename, so a crash never leaves a half-written run.json. */
export function writeRunInfo(dir: string, info: RunInfo): void {
  const tmp = join(dir, `${RUN_FILES.info}.tmp`);
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n');
  renameSync(tmp, join(dir, RUN_FILES.info));
}

export function readRunInfo(dir: string): RunInfo {
  return JSON.parse(readFileSync(join(dir, RUN_FILES.info), 'utf8')) as RunInfo;
}
