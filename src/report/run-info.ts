/**
 * Reading `run.json` leniently (the engine's writer is `src/engine/run-folder.ts`): a report should still render for a run whose run.json is missing
 * or was written by an older version, so unknown or mistyped fields are dropped, not fatal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DamagedRunError } from '../common/damaged.js';

export interface RunInfo {
  experiment?: string;
  run_id?: string;
  seed?: number;
  config_hash?: string;
  status?: string;
  started_at?: string;
  finished_at?: string;
  wall_ms?: number;
  /** Planned steps (clock.timesteps). */
  timesteps?: number;
  steps_completed?: number;
  agents?: number;
  actions?: number;
  failed_actions?: number;
  actions_per_second?: number;
  git_commit?: string;
  versions?: Record<string, string>;
  /** Why a failed run stopped. */
  error?: string;
  /** Per-cohort LLM accounting, as the engine wrote it (shape checked by the section using it). */
  llm_usage?: unknown[];
  /** Budgets used up during the run. */
  budget_events?: unknown[];
  /** The dataset's tables as loaded, with the rows `on_bad_row: skip` left out. */
  dataset_load?: DatasetTableLoad[];
}

export interface DatasetTableLoad {
  table: string;
  file: string;
  rows: number;
  skipped: number;
  examples: string[];
}

function datasetLoadOf(v: unknown): DatasetTableLoad[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.flatMap((t): DatasetTableLoad[] =>
    isRecord(t) && typeof t.table === 'string' && typeof t.file === 'string' && typeof t.rows === 'number' && typeof t.skipped === 'number'
      ? [{ table: t.table, file: t.file, rows: t.rows, skipped: t.skipped, examples: Array.isArray(t.examples) ? t.examples.filter((e): e is string => typeof e === 'string') : [] }]
      : [],
  );
}

const STRING_FIELDS = ['experiment', 'run_id', 'config_hash', 'status', 'started_at', 'finished_at', 'git_commit', 'error'] as const;
const NUMBER_FIELDS = [
  'seed',
  'wall_ms',
  'timesteps',
  'steps_completed',
  'agents',
  'actions',
  'failed_actions',
  'actions_per_second',
] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Picks the known fields of a parsed run.json, checking their types. */
export function parseRunInfo(raw: unknown): RunInfo {
  const out: RunInfo = {};
  if (!isRecord(raw)) return out;
  for (const k of STRING_FIELDS) {
    const v = raw[k];
    if (typeof v === 'string') out[k] = v;
  }
  for (const k of NUMBER_FIELDS) {
    const v = raw[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  for (const k of ['llm_usage', 'budget_events'] as const) {
    const v = raw[k];
    if (Array.isArray(v)) out[k] = v;
  }
  const datasetLoad = datasetLoadOf(raw['dataset_load']);
  if (datasetLoad) out.dataset_load = datasetLoad;
  const versions = raw['versions'];
  if (isRecord(versions)) {
    const vs: Record<string, string> = {};
    for (const [k, v] of Object.entries(versions)) {
      if (typeof v === 'string' || typeof v === 'number') vs[k] = String(v);
    }
    out.versions = vs;
  }
  return out;
}

/** `runDir/run.json`, or null when absent. Throws when it exists but is not valid JSON. */
export function readRunInfo(runDir: string): RunInfo | null {
  const p = join(runDir, 'run.json');
  if (!existsSync(p)) return null;
  try {
    return parseRunInfo(JSON.parse(readFileSync(p, 'utf8')) as unknown);
  } catch (err) {
    throw new DamagedRunError(p, err instanceof Error ? err.message : String(err));
  }
}
