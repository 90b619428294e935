/**
 * Runs a sweep: every expanded run as a child process (`child.ts`, its own DuckDB writer), up to
 * `parallel` at once, into ordinary run folders `<root>/<experiment>/<run-id>/`. The sweep folder
 * `<root>/<experiment>/sweep-<id>/` holds sweep.json, each run's experiment (runs/<id>.yaml),
 * each run's log (logs/<id>.log), the index sweep.duckdb and sweep-report.html.
 * A completed run is skipped, an unfinished one resumed, a missing one run; a failed run is
 * recorded and the sweep goes on.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configHash, loadExperiment, resolvedYaml } from '../config/load.js';
import { calledModels, preflightModels } from '../engine/preflight.js';
import { RUN_FILES } from '../engine/run-folder.js';
import { liveWriter, RunLockedError, withRunLock } from '../engine/run-lock.js';
import { planOf, runInChild } from './child-runner.js';
import { expandSweep, runLabel, sweepId, type SweepRun } from './expand.js';
import { readRunMetrics, SweepIndex, type IndexRow } from './index-db.js';
import { createSweepProgress } from './progress.js';
import { writeSweepReport } from './report.js';

export interface SweepOptions {
  readonly resultsRoot: string;
  /** Runs at once (child processes); default 1. */
  readonly parallel?: number;
  /** Print the expanded runs and stop. */
  readonly dryRun?: boolean;
  /** `--set path=value` applied to the base experiment before expansion. */
  readonly overrides?: readonly string[];
  /** No progress lines on stderr. */
  readonly quiet?: boolean;
  /** Where progress lines go (default stderr). */
  readonly log?: (line: string) => void;
  /** Ask every endpoint of the runs still to do before starting any (src/engine/preflight.ts); the CLI's default. */
  readonly preflight?: boolean;
}

export interface SweepOutcome {
  readonly dir: string;
  readonly sweepId: string;
  readonly runs: readonly IndexRow[];
  readonly reportPath: string | null;
  /** Ctrl-C stopped the sweep before every run finished. */
  readonly interrupted: boolean;
}

/** sweep.json: what the sweep is, enough to resume it without the original file. */
export interface SweepFile {
  sweep_id: string;
  experiment: string;
  file: string;
  base_overrides: string[];
  params: string[];
  runs: { run_id: string; config_hash: string; params: Record<string, unknown>; overrides: string[]; status: string }[];
}

export const SWEEP_FILES = { info: 'sweep.json', index: 'sweep.duckdb', report: 'sweep-report.html' } as const;

/** A sweep folder's sweep.json. */
export function readSweepFile(sweepDir: string): SweepFile {
  return JSON.parse(readFileSync(join(sweepDir, SWEEP_FILES.info), 'utf8')) as SweepFile;
}

/** The folder of each of the sweep's runs, in its order: ordinary run folders beside the sweep folder (<root>/<experiment>/<run-id>). */
export function sweepRunFolders(sweepDir: string, info: SweepFile): string[] {
  const resultsRoot = dirname(dirname(resolve(sweepDir)));
  return info.runs.map((r) => join(resultsRoot, info.experiment, r.run_id));
}

/** Expands `file` and runs the sweep (or, with `dryRun`, only expands it). */
export async function runSweep(file: string, opts: SweepOptions): Promise<SweepOutcome> {
  const runs = expandSweep(file, opts.overrides ?? []);
  const name = runs[0]?.experiment.name ?? 'sweep';
  const id = sweepId(runs);
  const dir = join(opts.resultsRoot, name, `sweep-${id}`);
  if (opts.dryRun) return { dir, sweepId: id, runs: runs.map((r) => pendingRow(r, opts.resultsRoot)), reportPath: null, interrupted: false };
  return executeSweep(dir, id, resolve(file), opts.overrides ?? [], runs, opts);
}

/**
 * Continues the sweep in `sweepDir` from its own records (sweep.json and runs/*.yaml), even if
 * the experiment file has changed since: finished runs are skipped, the rest resumed or run.
 */
export async function resumeSweep(sweepDir: string, opts: Omit<SweepOptions, 'resultsRoot' | 'dryRun' | 'overrides'>): Promise<SweepOutcome> {
  const info = readSweepFile(sweepDir);
  const runs: SweepRun[] = info.runs.map((r) => {
    const experiment = loadExperiment(join(sweepDir, 'runs', `${r.run_id}.yaml`));
    const hash = configHash(experiment);
    if (hash !== r.config_hash) throw new Error(`runs/${r.run_id}.yaml in ${sweepDir} no longer matches sweep.json; it was edited`);
    return { params: r.params, overrides: r.overrides, experiment, configHash: hash, runId: r.run_id };
  });
  return executeSweep(sweepDir, info.sweep_id, info.file, info.base_overrides, runs, { ...opts, resultsRoot: dirname(dirname(resolve(sweepDir))) });
}

/**
 * The preflight of the runs a sweep still has to do, once per distinct model: dead endpoints
 * refuse the sweep before its folder or any child exists.
 */
async function preflightSweep(runs: readonly SweepRun[], root: string): Promise<string[]> {
  const models = new Map<string, [string, ReturnType<typeof calledModels>[number][1]]>();
  for (const r of runs) {
    if (planOf(join(root, r.experiment.name, r.runId)) === 'skip') continue;
    for (const [name, cfg] of calledModels(r.experiment)) models.set(`${name} ${JSON.stringify(cfg)}`, [name, cfg]);
  }
  return preflightModels([...models.values()]);
}

function paramNames(runs: readonly SweepRun[]): string[] {
  return Object.keys(runs[0]?.params ?? {});
}

function pendingRow(r: SweepRun, root: string): IndexRow {
  const runDir = join(root, r.experiment.name, r.runId);
  return { run_id: r.runId, status: 'pending', seed: r.experiment.seed, config_hash: r.configHash, run_dir: runDir, params: r.params, metrics: null, error: null };
}

function writeSweepFile(dir: string, id: string, file: string, base: readonly string[], runs: readonly SweepRun[], rows: readonly IndexRow[]): void {
  const info: SweepFile = {
    sweep_id: id,
    experiment: runs[0]?.experiment.name ?? '',
    file,
    base_overrides: [...base],
    params: paramNames(runs),
    runs: runs.map((r, i) => ({ run_id: r.runId, config_hash: r.configHash, params: { ...r.params }, overrides: [...r.overrides], status: rows[i]?.status ?? 'pending' })),
  };
  writeFileSync(join(dir, SWEEP_FILES.info), JSON.stringify(info, null, 2) + '\n');
}

/**
 * Runs the sweep holding its folder's lock: a second `sweep` or `resume` of it, or of one of its
 * runs while another process writes that run, is refused (RunLockedError) before anything starts.
 */
async function executeSweep(dir: string, id: string, file: string, base: readonly string[], runs: readonly SweepRun[], opts: SweepOptions): Promise<SweepOutcome> {
  for (const r of runs) {
    const runDir = join(opts.resultsRoot, r.experiment.name, r.runId);
    const writer = liveWriter(runDir);
    if (writer !== null) throw new RunLockedError(runDir, writer);
  }
  // Dead endpoints refuse the sweep before its folder exists.
  const log = opts.quiet ? (): void => undefined : (opts.log ?? ((line: string): void => void process.stderr.write(`${line}\n`)));
  if (opts.preflight) for (const w of await preflightSweep(runs, opts.resultsRoot)) log(`warning: ${w}`);
  mkdirSync(dir, { recursive: true });
  return withRunLock(dir, () => executeLocked(dir, id, file, base, runs, opts), 'sweep');
}

async function executeLocked(dir: string, id: string, file: string, base: readonly string[], runs: readonly SweepRun[], opts: SweepOptions): Promise<SweepOutcome> {
  const log = opts.quiet ? (): void => undefined : (opts.log ?? ((line: string): void => void process.stderr.write(`${line}\n`)));
  mkdirSync(join(dir, 'runs'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const rows = runs.map((r) => pendingRow(r, opts.resultsRoot));
  for (const r of runs) {
    const yamlPath = join(dir, 'runs', `${r.runId}.yaml`);
    const text = resolvedYaml(r.experiment);
    if (!existsSync(yamlPath) || readFileSync(yamlPath, 'utf8') !== text) writeFileSync(yamlPath, text);
  }
  writeSweepFile(dir, id, file, base, runs, rows);
  const index = await SweepIndex.create(join(dir, SWEEP_FILES.index), paramNames(runs), rows);

  let stopping = false;
  const onSigint = (): void => {
    stopping = true;
  };
  process.on('SIGINT', onSigint);
  let finished = 0;
  let next = 0;
  const progress = createSweepProgress(runs.length, log, { quiet: opts.quiet });
  const one = async (i: number): Promise<void> => {
    const r = runs[i] as SweepRun;
    const row = rows[i] as IndexRow;
    if (planOf(row.run_dir) !== 'skip') progress.started(r.runId, runLabel(r.params), row.run_dir, r.experiment.clock.timesteps);
    const { plan, status, error, info, ms } = await runInChild({
      runDir: row.run_dir,
      experimentYaml: join(dir, 'runs', `${r.runId}.yaml`),
      resultsRoot: opts.resultsRoot,
      file,
      logPath: join(dir, 'logs', `${r.runId}.log`),
    });
    row.status = status;
    row.error = error;
    if (info && existsSync(join(row.run_dir, RUN_FILES.db))) {
      row.metrics = await readRunMetrics(row.run_dir, info.wall_ms).catch((err: unknown) => {
        row.error ??= `metrics: ${err instanceof Error ? err.message : String(err)}`;
        return null;
      });
    }
    await index.update(row);
    finished++;
    const took = plan === 'skip' ? `skipped (${row.status})` : `${row.status}${plan === 'resume' ? ' (resumed)' : ''} ${(ms / 1000).toFixed(1)} s`;
    progress.finished(r.runId, `[${finished}/${runs.length}] ${runLabel(r.params)} ${took}${row.status === 'failed' && row.error ? `: ${row.error}` : ''}`);
  };
  const worker = async (): Promise<void> => {
    while (!stopping && next < runs.length) await one(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel ?? 1, runs.length)) }, worker));
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    await index.close();
    writeSweepFile(dir, id, file, base, runs, rows);
  }
  const reportPath = await writeSweepReport(dir, paramNames(runs), rows);
  return { dir, sweepId: id, runs: rows, reportPath, interrupted: stopping && finished < runs.length };
}
