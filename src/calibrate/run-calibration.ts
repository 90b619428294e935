/**
 * Runs a calibration: Nelder–Mead (nelder-mead.ts) over the unit cube of the parameter space;
 * each point it asks for is a trial, evaluated as one run per seed. Runs are ordinary run folders
 * `<results>/<experiment>/<run-id>/`, brought to completion in child processes by the sweep's
 * child runner (`--parallel` at once; a finished folder is reused, an unfinished one resumed),
 * without report.html (`socialsim report <run-dir>` writes one). A run's loss is read from its
 * sim.duckdb as soon as its process exits, while the others still run.
 *
 * The folder `<results>/<experiment>/calibrate-<id>/` holds calibration.json (rewritten after
 * every batch), runs/<run-id>.yaml, logs/<run-id>.log, and at the end fitted.yaml and
 * calibration-report.html. Everything the search does follows from the arguments (the budget
 * only stops it), so running the same calibration again replays the same trials on the runs
 * already made, and a larger budget carries on where a smaller one stopped.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { withRunLock } from '../engine/run-lock.js';
import { join } from 'node:path';
import { resolvedYaml } from '../config/load.js';
import { runInChild } from '../sweep/child-runner.js';
import { CASCADE_METRICS, METRIC_TITLES } from '../analysis/curves.js';
import { compareRun, runLossOf, trialByMetric, trialMean, type RunLoss } from './loss.js';
import { DEFAULT_STEP, DEFAULT_TOLERANCE, nelderMead, SearchStopped, type MoveKind } from './nelder-mead.js';
import { horizonHint, pointRuns, valuesAt, type CalibrationPlan, type PointRun } from './plan.js';
import { bestTrial, CALIBRATE_FILES, LOSS_DESCRIPTION, writeCalibrationFile, type BatchTiming, type CalibrationFile, type TrialRecord, type TrialRun } from './record.js';
import { writeOutputs } from './outputs.js';

export interface CalibrateOptions {
  /** Trials (points evaluated) at most, the initial simplex's params + 1 included. */
  readonly budget: number;
  /** Runs at once, each in its own process; default 1. */
  readonly parallel?: number;
  readonly quiet?: boolean;
  /** Where progress lines go (default stderr). */
  readonly log?: (line: string) => void;
  /** Aborting stops the calibration after the runs in flight (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Called after each trial is recorded. */
  readonly onTrial?: (t: TrialRecord) => void;
  /** Time already spent planning (calibration.json's setup_ms). */
  readonly setupMs?: number;
}

export interface CalibrationOutcome {
  readonly plan: CalibrationPlan;
  readonly status: 'completed' | 'interrupted';
  readonly trials: readonly TrialRecord[];
  readonly best: TrialRecord | null;
  readonly runs: { readonly total: number; readonly reused: number };
  readonly info: CalibrationFile;
  readonly fittedPath: string | null;
  readonly reportPath: string | null;
}

/** A run of a trial did not finish: the calibration stops (its loss is unknown). */
export class CalibrationRunError extends Error {
  readonly code = 'calibrate.run_failed';
}

interface RunResult {
  status: string;
  reused: boolean;
  childMs: number;
  loss: RunLoss | null;
  error: string | null;
}

const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

export function pointLabel(plan: CalibrationPlan, values: readonly number[]): string {
  return plan.specs.map((s, i) => `${s.path}=${values[i]}`).join(' ');
}

/**
 * Runs the calibration holding its folder's lock: a second `calibrate` of the same experiment
 * and parameters while this one lives is refused (RunLockedError, with this process's PID).
 */
export async function runCalibration(plan: CalibrationPlan, opts: CalibrateOptions): Promise<CalibrationOutcome> {
  mkdirSync(plan.dir, { recursive: true });
  return withRunLock(plan.dir, () => calibrateLocked(plan, opts), 'calibration');
}

async function calibrateLocked(plan: CalibrationPlan, opts: CalibrateOptions): Promise<CalibrationOutcome> {
  const t0 = performance.now();
  const log = opts.quiet ? (): void => undefined : (opts.log ?? ((line: string): void => void process.stderr.write(`${line}\n`)));
  const parallel = Math.max(1, opts.parallel ?? 1);
  mkdirSync(join(plan.dir, 'runs'), { recursive: true });
  mkdirSync(join(plan.dir, 'logs'), { recursive: true });

  const trials: TrialRecord[] = [];
  const batches: BatchTiming[] = [];
  const results = new Map<string, RunResult>();
  const startedAt = new Date().toISOString();
  const info = (status: CalibrationFile['status'], error: string | null, restarts: number, outputsMs = 0): CalibrationFile => ({
    calibrate_id: plan.id,
    experiment: plan.base.name,
    file: plan.file,
    base_overrides: [...plan.baseOverrides],
    against: plan.against,
    status,
    error,
    params: plan.specs.map((s, i) => ({ path: s.path, lo: s.lo, hi: s.hi, scale: s.scale, integer: s.integer, start: valuesAt(plan, plan.start)[i]! })),
    seeds: [...plan.seeds],
    budget: opts.budget,
    parallel,
    holdout: plan.holdout,
    split: { train: [...plan.split.train], heldout: [...plan.split.heldout], unpaired: [...plan.cascades.unpaired] },
    horizon_min: plan.settings.horizonMs / 60_000,
    loss: LOSS_DESCRIPTION,
    optimiser: { method: 'Nelder–Mead on the unit cube, reflection into bounds (src/calibrate/nelder-mead.ts)', step: DEFAULT_STEP, tolerance: DEFAULT_TOLERANCE, seed: plan.base.seed, restarts },
    trials,
    best: bestTrial(trials),
    timing: { setup_ms: opts.setupMs ?? 0, batches, outputs_ms: outputsMs, wall_ms: (opts.setupMs ?? 0) + performance.now() - t0 },
    started_at: startedAt,
    updated_at: new Date().toISOString(),
  });
  let restarts = 0;

  /** Brings the runs of a batch to completion, `parallel` at once, and reads each one's loss. */
  const runBatch = async (jobs: readonly PointRun[], timing: BatchTiming): Promise<void> => {
    let next = 0;
    let alive = 0;
    let aliveSince = 0;
    const one = async (r: PointRun): Promise<void> => {
      const yamlPath = join(plan.dir, 'runs', `${r.runId}.yaml`);
      if (!existsSync(r.runDir) || !existsSync(yamlPath)) {
        const text = resolvedYaml(r.experiment);
        if (!existsSync(yamlPath) || readFileSync(yamlPath, 'utf8') !== text) writeFileSync(yamlPath, text);
      }
      if (alive++ === 0) aliveSince = performance.now();
      const child = await runInChild({ runDir: r.runDir, experimentYaml: yamlPath, resultsRoot: plan.resultsRoot, file: plan.file, logPath: join(plan.dir, 'logs', `${r.runId}.log`), noReport: true, by: 'calibrate' });
      if (--alive === 0) timing.runs_ms += performance.now() - aliveSince;
      if (child.plan !== 'skip') timing.started++;
      const result: RunResult = { status: child.status, reused: child.plan === 'skip', childMs: child.ms, loss: null, error: child.error };
      if (child.status === 'completed' || child.status === 'budget_exhausted') {
        const tl = performance.now();
        try {
          result.loss = runLossOf((await compareRun(r.runDir, plan.settings)).pairs, plan.split);
        } catch (err) {
          result.error = `reading its cascades: ${err instanceof Error ? err.message : String(err)}`;
        }
        timing.loss_ms += performance.now() - tl;
      }
      results.set(r.runId, result);
    };
    const worker = async (): Promise<void> => {
      while (next < jobs.length && !opts.signal?.aborted) await one(jobs[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
  };

  const evaluate = async (units: readonly (readonly number[])[], kind: MoveKind): Promise<number[]> => {
    if (opts.signal?.aborted) throw new SearchStopped('interrupted');
    const tb = performance.now();
    const points = units.map((u) => {
      const values = valuesAt(plan, u);
      return { unit: [...u], values, runs: pointRuns(plan, values) };
    });
    const jobs = new Map<string, PointRun>();
    for (const p of points) for (const r of p.runs) if (!results.has(r.runId)) jobs.set(r.runId, r);
    const timing: BatchTiming = { trials: [], wall_ms: 0, runs_ms: 0, loss_ms: 0, started: 0 };
    await runBatch([...jobs.values()], timing);
    if (opts.signal?.aborted) throw new SearchStopped('interrupted');
    const broken = [...jobs.values()].find((r) => results.get(r.runId)?.loss == null);
    if (broken) {
      const res = results.get(broken.runId);
      throw new CalibrationRunError(`run ${broken.runId} (${pointLabel(plan, points.find((p) => p.runs.includes(broken))!.values)} seed=${broken.seed}) ended ${res?.status ?? 'failed'}${res?.error ? `: ${res.error}` : ''}; its log: ${join(plan.dir, 'logs', `${broken.runId}.log`)}`);
    }
    const losses = points.map((p) => {
      const runs: TrialRun[] = p.runs.map((r) => {
        const res = results.get(r.runId)!;
        const reused = res.reused || !jobs.has(r.runId);
        return { run_id: r.runId, seed: r.seed, status: res.status, reused, child_ms: reused ? 0 : res.childMs, train: res.loss?.train ?? null, heldout: res.loss?.heldout ?? null, error: res.error };
      });
      const train = trialMean(runs.map((r) => r.train?.loss ?? null));
      const prev = trials.at(-1)?.best_so_far ?? null;
      const t: TrialRecord = {
        trial: trials.length + 1,
        kind,
        point: Object.fromEntries(plan.specs.map((s, i) => [s.path, p.values[i]!])),
        unit: p.unit,
        runs,
        train_loss: train,
        heldout_loss: trialMean(runs.map((r) => r.heldout?.loss ?? null)),
        train_by_metric: trialByMetric(runs.map((r) => r.train!)),
        heldout_by_metric: trialByMetric(runs.map((r) => r.heldout!)),
        best_so_far: train === null ? prev : prev === null ? train : Math.min(prev, train),
      };
      trials.push(t);
      timing.trials.push(t.trial);
      const made = runs.filter((r) => !r.reused).length;
      log(
        `[trial ${t.trial}/${opts.budget} ${kind}] ${pointLabel(plan, p.values)}: train ${fmt(t.train_loss)}, held-out ${fmt(t.heldout_loss)}; best ${fmt(t.best_so_far)}` +
          ` (${made > 0 ? `${made} run${made === 1 ? '' : 's'}` : ''}${made > 0 && made < runs.length ? ', ' : ''}${made < runs.length ? `${runs.length - made} reused` : ''})`,
      );
      opts.onTrial?.(t);
      return train ?? NaN;
    });
    timing.wall_ms = performance.now() - tb;
    batches.push(timing);
    writeCalibrationFile(plan.dir, info('running', null, restarts));
    return losses;
  };

  log(
    `calibrate ${plan.id}: ${plan.specs.length} parameter${plan.specs.length === 1 ? '' : 's'}, ${plan.split.train.length} train + ${plan.split.heldout.length} held-out cascades, ` +
      `up to ${opts.budget} trials × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'}, ${parallel} at once`,
  );
  const hint = horizonHint(plan);
  if (hint) log(hint);
  let status: CalibrationOutcome['status'] = 'completed';
  try {
    const r = await nelderMead(evaluate, { dim: plan.specs.length, budget: opts.budget, seed: plan.base.seed, start: plan.start });
    restarts = r.restarts;
  } catch (err) {
    if (err instanceof SearchStopped) status = 'interrupted';
    else {
      writeCalibrationFile(plan.dir, info('failed', err instanceof Error ? err.message : String(err), restarts));
      throw err;
    }
  }
  const to = performance.now();
  const outputs = trials.length > 0 ? await writeOutputs(plan, trials, status) : { fittedPath: null, reportPath: null };
  const final = info(status, null, restarts, performance.now() - to);
  writeCalibrationFile(plan.dir, final);
  const all = trials.flatMap((t) => t.runs);
  return {
    plan,
    status,
    trials,
    best: final.best,
    runs: { total: new Set(all.map((r) => r.run_id)).size, reused: new Set(all.filter((r) => r.reused).map((r) => r.run_id)).size },
    info: final,
    fittedPath: outputs.fittedPath,
    reportPath: outputs.reportPath,
  };
}

/** The lines `socialsim calibrate` ends with: the fitted values and train vs held-out NRMSE. */
export function summaryLines(o: CalibrationOutcome): string[] {
  const b = o.best;
  const lines = [`calibrate ${o.plan.id}: ${o.status}, ${o.trials.length} trials (${o.runs.total} runs, ${o.runs.reused} reused)`];
  if (!b) return [...lines, 'no trial finished'];
  const per = (m: TrialRecord['train_by_metric']): string => CASCADE_METRICS.map((k) => `${METRIC_TITLES[k]} ${fmt(m[k])}`).join(', ');
  lines.push(`best: trial ${b.trial}`);
  for (const [path, v] of Object.entries(b.point)) lines.push(`  ${path} = ${v}`);
  lines.push(`train NRMSE (${o.plan.split.train.length} cascades):    ${fmt(b.train_loss)}  (${per(b.train_by_metric)})`);
  lines.push(`held-out NRMSE (${o.plan.split.heldout.length} cascades): ${fmt(b.heldout_loss)}  (${per(b.heldout_by_metric)})`);
  return lines;
}

export { CALIBRATE_FILES };
