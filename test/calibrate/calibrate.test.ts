import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, stringify } from 'yaml';
import { compareCascades } from '../../src/analysis/nrmse.js';
import { withSimDb } from '../../src/analysis/open.js';
import { runAnalysisSettings } from '../../src/analysis/settings.js';
import { fragmentOf, mergeFragment, rawExperiment } from '../../src/calibrate/fitted.js';
import { planCalibration } from '../../src/calibrate/plan.js';
import type { CalibrationFile } from '../../src/calibrate/record.js';
import { runCalibration } from '../../src/calibrate/run-calibration.js';
import { configHash, parseExperiment } from '../../src/config/load.js';
import { withoutSweep } from '../../src/sweep/expand.js';
import { calibrateCommand, dryRunText, type CalibrateCommandOptions } from '../../src/cli/calibrate.js';
import { CliError } from '../../src/cli/errors.js';
import { cliInProcess } from '../helpers/cli.js';
import { recordingLogger } from '../helpers/vega.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/socialsim.js');
const OASIS = join(ROOT, 'experiments/oasis-format.yaml');
/** The OASIS sample shrunk: 30 simulated minutes, read up to 30 minutes after each source. */
const SHRINK = ['clock.timesteps=6', 'analysis.cascades.horizon=30m'];
const PARAM = 'models.stat.repost_base=0.1..0.6';
const OPTIONS: CalibrateCommandOptions = { params: [PARAM], budget: 4, seeds: 1, holdout: 0.3, parallel: 2, out: 'unused', set: SHRINK };

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Three of the sample's cascades, and one whose source post no run has. */
function againstFile(dir: string): string {
  const rows = readFileSync(join(ROOT, 'data/sample/oasis_cascade.csv'), 'utf8').trim().split('\n');
  const keep = rows.filter((l, i) => i === 0 || /^(water_rumour|towers_rumour|singer_rumour),/.test(l));
  const file = join(dir, 'three.csv');
  writeFileSync(file, [...keep, 'ghost,1,,0,1#0', 'ghost,2,1,60,1#0'].join('\n') + '\n');
  return file;
}

async function renders(spec: TopLevelSpec): Promise<void> {
  const { logger, messages } = recordingLogger();
  const view = new vega.View(vega.parse(compile(spec, { logger }).spec), { renderer: 'none', logger });
  await view.runAsync();
  await view.toSVG();
  view.finalize();
  expect(messages).toEqual([]);
}

const readInfo = (dir: string): CalibrationFile => JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')) as CalibrationFile;

describe('socialsim calibrate', () => {
  it('when a shrunk OASIS calibration is interrupted, finished, and run again then it continues, records losses equal to compareCascades, reuses its runs and writes a fitted.yaml that is its best run', async () => {
    const dir = tempDir();
    const root = join(dir, 'results');
    const against = againstFile(dir);
    const args = ['calibrate', OASIS, '--params', PARAM, '--against', against, '--seeds', '1', '--budget', '4', '--parallel', '2', '--out', root, ...SHRINK.flatMap((s) => ['--set', s])];

    // Dry run: the split and the plan, nothing run.
    const dry = await calibrateCommand(OASIS, { ...OPTIONS, against, out: root, dryRun: true });
    expect(dry.outcome).toBeNull();
    const text = dryRunText(dry.plan, OPTIONS);
    expect(text).toMatch(/cascades: 3 paired, 1 without a simulated partner \(left out: ghost\)/);
    expect(text).toMatch(/train \(2\):/);
    expect(text).toMatch(/held-out \(1\):/);
    expect(text).toContain('plan: up to 4 trials × 1 seed = up to 4 runs (the first 2 trials together), 2 at once');
    expect(existsSync(root)).toBe(false);

    // In process, stopped after the first batch (Ctrl-C does the same through an AbortSignal).
    const plan = await planCalibration(OASIS, { params: [PARAM], against, seeds: 1, holdout: 0.3, overrides: SHRINK }, root);
    expect([plan.split.train.length, plan.split.heldout.length]).toEqual([2, 1]);
    const abort = new AbortController();
    const first = await runCalibration(plan, { budget: 4, parallel: 2, quiet: true, signal: abort.signal, onTrial: () => abort.abort() });
    expect(first.status).toBe('interrupted');
    expect(first.trials.map((t) => t.kind)).toEqual(['initial', 'initial']);
    expect(readInfo(plan.dir).status).toBe('interrupted');

    // The command carries on: the first two trials' runs are reused.
    const r = cli(args);
    expect(r.code, r.stderr).toBe(0);
    const info = readInfo(plan.dir);
    expect(info.status).toBe('completed');
    expect(info.trials).toHaveLength(4);
    expect(info.trials.slice(0, 2).map((t) => t.point)).toEqual(first.trials.map((t) => t.point));
    expect(info.trials.slice(0, 2).every((t) => t.runs.every((run) => run.reused))).toBe(true);
    const best = info.trials.reduce((a, b) => (b.train_loss! < a.train_loss! ? b : a));
    expect(info.best?.trial).toBe(best.trial);
    expect(info.split.unpaired).toEqual([{ cascade_id: 'ghost', source_post: '1#0' }]);
    expect(r.stdout).toContain(`held-out NRMSE (1 cascades): ${best.heldout_loss!.toFixed(3)}`);
    expect(r.stdout).toContain(`train NRMSE (2 cascades):    ${best.train_loss!.toFixed(3)}`);

    // Each trial's loss is the mean NRMSE over its train (held-out) cascades × metrics, recomputed from the run folder.
    for (const t of info.trials) {
      const run = t.runs[0]!;
      const runDir = join(root, 'oasis-format', run.run_id);
      const pairs = (await withSimDb(join(runDir, 'sim.duckdb'), (db) => compareCascades(db, runAnalysisSettings(runDir)))).pairs;
      const mean = (ids: readonly string[]): number => {
        const xs = pairs.filter((p) => ids.includes(p.cascade_id) && p.nrmse !== null).map((p) => p.nrmse!);
        return xs.reduce((a, b) => a + b, 0) / xs.length;
      };
      expect(t.train_loss).toBeCloseTo(mean(info.split.train), 12);
      expect(t.heldout_loss).toBeCloseTo(mean(info.split.heldout), 12);
      expect(t.runs[0]!.train!.cells + t.runs[0]!.train!.null_cells).toBe(2 * 3);
      // An ordinary run folder, started by calibrate, without a report.
      const runJson = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { status: string; command: string[] };
      expect([runJson.status, runJson.command[0]]).toEqual(['completed', 'calibrate']);
      expect(existsSync(join(runDir, 'report.html'))).toBe(false);
    }

    // fitted.yaml merged into the experiment (with the same --set and --against) loads, validates, and is the best run's experiment.
    const fitted = readFileSync(join(plan.dir, 'fitted.yaml'), 'utf8');
    const value = best.point['models.stat.repost_base']!;
    expect(parse(fitted)).toEqual({ models: { stat: { repost_base: value } } });
    const merged = mergeFragment(rawExperiment(readFileSync(OASIS, 'utf8'), plan.baseOverrides), parse(fitted) as Record<string, unknown>);
    // The --against file (a temp file) is now written in the experiment, outside its data root: allowed explicitly (not hashed).
    const exp = withoutSweep(parseExperiment(stringify({ ...merged, allow_outside_paths: true }), OASIS));
    expect(exp.models['stat']).toMatchObject({ repost_base: value });
    expect(configHash(exp).slice(0, 12)).toBe(best.runs[0]!.run_id);
    expect(fragmentOf(rawExperiment(readFileSync(OASIS, 'utf8'), []), [`models.stat.repost_base=${value}`])).toEqual(parse(fitted));

    // The report: self-contained, the held-out figure, charts that render without warnings.
    const html = readFileSync(join(plan.dir, 'calibration-report.html'), 'utf8');
    expect(html).toContain('data-lib="vega-lite@');
    expect(html).toContain(`held-out NRMSE ${best.heldout_loss!.toFixed(3)}`);
    const specs = JSON.parse(/<script type="application\/json" id="socialsim-specs">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, TopLevelSpec>;
    expect(Object.keys(specs)).toEqual(['loss', 'params', 'cascades']);
    for (const spec of Object.values(specs)) await renders(spec);

    // Again with the same arguments: every run reused, the same trials.
    const mtimes = info.trials.map((t) => statSync(join(root, 'oasis-format', t.runs[0]!.run_id, 'run.json')).mtimeMs);
    // (In this process: the binary's exit code and output are checked above; its runs are child processes either way.)
    const again = await cliInProcess(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/4 trials \((\d) runs, \1 reused\)/);
    const second = readInfo(plan.dir);
    expect(second.trials.map((t) => [t.point, t.train_loss, t.heldout_loss])).toEqual(info.trials.map((t) => [t.point, t.train_loss, t.heldout_loss]));
    expect(second.trials.every((t) => t.runs.every((run) => run.reused))).toBe(true);
    expect(info.trials.map((t) => statSync(join(root, 'oasis-format', t.runs[0]!.run_id, 'run.json')).mtimeMs)).toEqual(mtimes);
  });

  it('when fewer than two cascades pair, or a parameter or the budget is bad, then calibrate exits 2 with the reason and runs nothing', async () => {
    const dir = tempDir();
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'cascade,user,parent,delay,source_post\nwater_rumour,1300000000000000000,,0,1300000000000000000#0\n');
    const out = join(dir, 'results');
    const r = cli(['calibrate', OASIS, '--params', PARAM, '--against', one, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[calibrate\.too_few_cascades\]: calibrate needs at least 2 real cascades paired .* found 1;/);
    const failure = async (opts: Partial<CalibrateCommandOptions>): Promise<CliError> => {
      const err = await calibrateCommand(OASIS, { ...OPTIONS, out, ...opts }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      return err as CliError;
    };
    const bad = await failure({ params: ['models.stat.repost_base=0.1..2'] });
    expect([bad.code, bad.exitCode, bad.message]).toEqual(['calibrate.bad_param', 2, '--params models.stat.repost_base=0.1..2: at 2: models.stat.repost_base: must be number between 0 and 1, got 2']);
    const small = await failure({ params: [PARAM, 'models.stat.like_base=0.01..0.2'], budget: 2 });
    expect([small.code, small.exitCode]).toEqual(['calibrate.small_budget', 2]);
    expect(small.message).toContain('--budget 2 does not cover the first simplex');
    expect(existsSync(out)).toBe(false);
  });

  it('when another live process is calibrating the same folder then calibrate refuses, naming its PID, and touches nothing', async () => {
    const out = join(tempDir(), 'results');
    const { plan } = await calibrateCommand(OASIS, { ...OPTIONS, out, dryRun: true });
    mkdirSync(plan.dir, { recursive: true });
    const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(plan.dir, 'run.lock'), JSON.stringify({ pid: writer.pid, start: null }));
      const err = await calibrateCommand(OASIS, { ...OPTIONS, out }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).code).toBe('run.locked');
      expect((err as CliError).message).toContain(`this calibration is being written by PID ${writer.pid}`);
      expect(readdirSync(plan.dir)).toEqual(['run.lock']);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});
