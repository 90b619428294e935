/**
 * Finding what a results folder holds: run folders (run.json), sweep folders (sweep.json) and
 * calibration folders (calibration.json), at any depth (results/<experiment>/<id>/ usually). Read
 * from their JSON files only, so listing never opens a database. Used by `socialsim list`, the
 * board, and the commands that were given a folder that is not a run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { liveWriter } from './run-lock.js';

interface ListedBase {
  readonly path: string;
  readonly experiment: string;
  readonly status: string;
  /** ISO-8601: when it started (a sweep: its first run; else the folder's file time). */
  readonly started_at: string | null;
}

export interface ListedRun extends ListedBase {
  readonly kind: 'run';
  readonly run_id: string;
  readonly seed: number | null;
  readonly steps_completed: number;
  readonly timesteps: number;
  readonly agents: number;
  /** Actions attempted so far (run.json's running total). */
  readonly actions: number;
  readonly finished_at: string | null;
  readonly branch_of?: string;
  readonly branch_at_step?: number;
  readonly replay_of?: string;
  /** The sweep folder (beside it) that lists this run. */
  readonly sweep?: string;
}

export interface ListedSweep extends ListedBase {
  readonly kind: 'sweep';
  readonly sweep_id: string;
  readonly runs: number;
  /** Runs by status (`pending`: no run folder yet). */
  readonly run_statuses: Record<string, number>;
  readonly seeds: number[];
}

export interface ListedCalibration extends ListedBase {
  readonly kind: 'calibration';
  readonly calibrate_id: string;
  readonly trials: number;
  readonly seeds: number[];
}

export type ListedFolder = ListedRun | ListedSweep | ListedCalibration;

const FILES = { run: 'run.json', sweep: 'sweep.json', calibration: 'calibration.json' } as const;
/** results/<experiment>/<id> is depth 2; a little more for results kept in sub-folders. */
const MAX_DEPTH = 4;
const FINAL = new Set(['completed', 'budget_exhausted']);
/** Ties (a sweep starts with its first run) put the family before its members. */
const KIND_ORDER = { sweep: 0, calibration: 1, run: 2 } as const;

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const int = (v: unknown): number => (typeof v === 'number' ? v : 0);
const mtime = (file: string): string | null => {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return null;
  }
};

/**
 * run.json says `running` both while a process writes the run and after that process was
 * killed: the run lock tells them apart. A killed run is `stopped` (socialsim resume goes on).
 */
function liveStatus(dir: string, status: string): string {
  return status === 'running' && liveWriter(dir) === null ? 'stopped' : status;
}

function runAt(dir: string): ListedRun | null {
  const info = readJson(join(dir, FILES.run));
  if (!info) return null;
  return {
    kind: 'run',
    path: dir,
    experiment: str(info.experiment),
    run_id: str(info.run_id),
    status: liveStatus(dir, str(info.status, 'unknown')),
    seed: typeof info.seed === 'number' ? info.seed : null,
    steps_completed: int(info.steps_completed),
    timesteps: int(info.timesteps),
    agents: int(info.agents),
    actions: int(info.actions),
    started_at: str(info.started_at) || mtime(join(dir, FILES.run)),
    finished_at: str(info.finished_at) || null,
    ...(typeof info.branch_of === 'string' ? { branch_of: info.branch_of } : {}),
    ...(typeof info.branch_at_step === 'number' ? { branch_at_step: info.branch_at_step } : {}),
    ...(typeof info.replay_of === 'string' ? { replay_of: info.replay_of } : {}),
  };
}

/** A sweep's runs are ordinary run folders beside the sweep folder (<root>/<experiment>/<run-id>). */
function sweepAt(dir: string): ListedSweep | null {
  const info = readJson(join(dir, FILES.sweep));
  if (!info) return null;
  const runs = Array.isArray(info.runs) ? (info.runs as { run_id?: unknown }[]) : [];
  const statuses: Record<string, number> = {};
  const seeds = new Set<number>();
  let first: string | null = null;
  for (const r of runs) {
    const run = typeof r.run_id === 'string' ? runAt(join(dir, '..', r.run_id)) : null;
    const status = run?.status ?? 'pending';
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (run?.seed !== undefined && run.seed !== null) seeds.add(run.seed);
    if (run?.started_at && (first === null || run.started_at < first)) first = run.started_at;
  }
  const done = runs.length > 0 && Object.entries(statuses).every(([s]) => FINAL.has(s));
  return {
    kind: 'sweep',
    path: dir,
    experiment: str(info.experiment),
    sweep_id: str(info.sweep_id),
    status: done ? 'completed' : (statuses.failed ?? 0) > 0 ? 'failed' : 'unfinished',
    started_at: first ?? mtime(join(dir, FILES.sweep)),
    runs: runs.length,
    run_statuses: statuses,
    seeds: [...seeds].sort((a, b) => a - b),
  };
}

function calibrationAt(dir: string): ListedCalibration | null {
  const info = readJson(join(dir, FILES.calibration));
  if (!info) return null;
  return {
    kind: 'calibration',
    path: dir,
    experiment: str(info.experiment),
    calibrate_id: str(info.calibrate_id),
    status: str(info.status, 'unknown'),
    started_at: str(info.started_at) || mtime(join(dir, FILES.calibration)),
    trials: Array.isArray(info.trials) ? info.trials.length : 0,
    seeds: Array.isArray(info.seeds) ? (info.seeds as number[]) : [],
  };
}

function folderAt(dir: string): ListedFolder | null | undefined {
  if (existsSync(join(dir, FILES.run))) return runAt(dir);
  if (existsSync(join(dir, FILES.sweep))) return sweepAt(dir);
  if (existsSync(join(dir, FILES.calibration))) return calibrationAt(dir);
  return undefined;
}

/**
 * Every run, sweep and calibration folder at or beneath `root`, newest first (a sweep before its
 * first run, then by path).
 * Runs that a sweep beside them lists carry its folder in `sweep`.
 */
export function findRuns(root: string): ListedFolder[] {
  const out: ListedFolder[] = [];
  const walk = (dir: string, depth: number): void => {
    const here = folderAt(dir);
    if (here !== undefined) {
      if (here) out.push(here);
      return;
    }
    if (depth >= MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
        .map((d) => d.name)
        .sort();
    } catch {
      return;
    }
    for (const name of names) walk(join(dir, name), depth + 1);
  };
  walk(root, 0);
  const sweepOf = new Map<string, string>();
  for (const f of out) {
    if (f.kind !== 'sweep') continue;
    const info = readJson(join(f.path, FILES.sweep));
    for (const r of Array.isArray(info?.runs) ? (info!.runs as { run_id?: unknown }[]) : []) {
      if (typeof r.run_id === 'string') sweepOf.set(join(f.path, '..', r.run_id), f.path);
    }
  }
  return out
    .map((f) => (f.kind === 'run' && sweepOf.has(f.path) ? { ...f, sweep: sweepOf.get(f.path)! } : f))
    .sort((a, b) => (b.started_at ?? '').localeCompare(a.started_at ?? '') || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.path.localeCompare(b.path));
}
