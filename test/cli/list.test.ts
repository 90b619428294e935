import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCommand } from '../../src/cli/list.js';
import { simDbOf } from '../../src/cli/run-dir.js';
import { findRuns, type ListedRun } from '../../src/engine/run-list.js';
import { branchRun } from '../../src/engine/branch.js';
import { runExperiment, type RunOutcome } from '../../src/engine/run.js';
import { writeReport } from '../../src/report/index.js';
import { cliInProcess } from '../helpers/cli.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;

function cli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A results root with two runs of `small` (seeds 7 and 8), a branch, a sweep listing both runs and a calibration. */
let root: string;
let first: RunOutcome;
let second: RunOutcome;
let branch: RunOutcome;

beforeAll(async () => {
  root = join(mkdtempSync(join(tmpdir(), 'socialsim-list-')), 'results');
  first = await runExperiment(smallExperiment({ overrides: ['clock.timesteps=2'] }), { resultsRoot: root, quiet: true, now: new Date('2024-05-01T10:00:00Z') });
  second = await runExperiment(smallExperiment({ overrides: ['clock.timesteps=3'], seed: 8 }), { resultsRoot: root, quiet: true, now: new Date('2024-05-02T10:00:00Z'), maxSteps: 1 });
  branch = await branchRun(first.dir, { resultsRoot: root, quiet: true, atStep: 1, overrides: ['recsys.kind=random'], now: new Date('2024-05-03T10:00:00Z') });
  const sweep = join(root, 'small', 'sweep-0123abcd');
  mkdirSync(sweep);
  const runs = [first, second].map((r) => ({ run_id: r.info.run_id, config_hash: r.info.config_hash, params: {}, overrides: [], status: 'pending' }));
  writeFileSync(join(sweep, 'sweep.json'), JSON.stringify({ sweep_id: '0123abcd', experiment: 'small', file: 'small.yaml', base_overrides: [], params: [], runs }));
  const calibration = join(root, 'small', 'calibrate-4567');
  mkdirSync(calibration);
  writeFileSync(join(calibration, 'calibration.json'), JSON.stringify({ calibrate_id: '4567', experiment: 'small', status: 'interrupted', seeds: [7, 8], trials: [{}, {}], started_at: '2024-04-30T08:00:00.000Z' }));
}, 120_000);
afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

describe('socialsim list', () => {
  it('when a results folder holds runs, a branch, a sweep and a calibration then list shows each, newest first, with status, experiment, seed and steps', () => {
    const found = findRuns(root);
    expect(found.map((f) => [f.kind, relative(root, f.path)])).toEqual([
      ['run', relative(root, branch.dir)],
      ['run', relative(root, second.dir)],
      ['sweep', join('small', 'sweep-0123abcd')],
      ['run', relative(root, first.dir)],
      ['calibration', join('small', 'calibrate-4567')],
    ]);
    const [b, s, sweep, f] = found as [ListedRun, ListedRun, Extract<(typeof found)[number], { kind: 'sweep' }>, ListedRun];
    expect(f).toMatchObject({ experiment: 'small', status: 'completed', seed: 7, steps_completed: 2, timesteps: 2, started_at: '2024-05-01T10:00:00.000Z', sweep: sweep.path });
    expect(s).toMatchObject({ status: 'interrupted', seed: 8, steps_completed: 1, timesteps: 3 });
    expect(b).toMatchObject({ status: 'completed', branch_of: first.dir, branch_at_step: 1 });
    expect(sweep).toMatchObject({ status: 'unfinished', runs: 2, run_statuses: { completed: 1, interrupted: 1 }, seeds: [7, 8], started_at: '2024-05-01T10:00:00.000Z' });

    const text = listCommand(root);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\)\s+KIND\s+STATUS\s+EXPERIMENT\s+SEED\s+STEPS\s+FOLDER$/);
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatch(new RegExp(`^2024-05-01 10:00\\s+run\\s+completed\\s+small\\s+7\\s+2/2\\s+\\S*${first.info.run_id}\\s+in \\S*sweep-0123abcd$`));
    expect(lines[1]).toContain(`branch of `);
    expect(lines[3]).toMatch(/sweep\s+unfinished\s+small\s+7,8\s+2 runs\s+\S+\s+1 completed, 1 interrupted$/);
    expect(JSON.parse(listCommand(root, { json: true }))).toEqual(JSON.parse(JSON.stringify(found)));
  });

  it('when the folder is missing or holds nothing then list says so', () => {
    expect(() => listCommand(join(root, 'nope'))).toThrow(expect.objectContaining({ code: 'list.not_found', exitCode: 2 }));
    const empty = tempDir();
    expect(listCommand(empty)).toMatch(/^no runs, sweeps or calibrations under .*; start one with: socialsim run experiments\/quickstart.yaml\n$/);
  });

  it('when run.json says running then list shows it running only while its writer lives, else stopped (killed: resume it)', () => {
    const root2 = tempDir();
    const dir = join(root2, 'small', 'abcdef012345');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ experiment: 'small', run_id: 'abcdef012345', status: 'running', seed: 1, steps_completed: 2, timesteps: 5, agents: 3, started_at: '2024-05-04T10:00:00Z' }));
    expect(findRuns(root2).map((r) => r.status)).toEqual(['stopped']);
    // Another live process holds the lock.
    const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: writer.pid, start: null }));
      expect(findRuns(root2).map((r) => r.status)).toEqual(['running']);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('when report or inspect is given a results folder then the error lists the run folders beneath it and how to pass one', () => {
    let message = '';
    try {
      simDbOf(root, 'report');
    } catch (err) {
      message = (err as Error).message;
      expect(err).toMatchObject({ code: 'run.not_found', exitCode: 2 });
    }
    expect(message).toMatch(/ is not a run folder \(it holds no sim\.duckdb\); the run folders beneath it:\n  STARTED \(UTC\)/);
    expect(message).toContain(first.info.run_id);
    expect(message).toMatch(new RegExp(`\\npass one of them, e\\.g\\.: socialsim report \\S*${branch.info.run_id}$`));
  });

  it('when two runs are reported into one folder then each report is named after its run', async () => {
    const out = join(tempDir(), 'reports') + '/';
    const a = await writeReport(first.dir, { out });
    const b = await writeReport(branch.dir, { out });
    expect(a).toBe(join(out, `small-${first.info.run_id}.html`));
    expect(b).toBe(join(out, `small-${branch.info.run_id}.html`));
    expect(readdirSync(out).sort()).toEqual([`small-${branch.info.run_id}.html`, `small-${first.info.run_id}.html`].sort());
    expect(existsSync(join(first.dir, 'report.html'))).toBe(false);
  });

  it('when run from the command line then list --json, report on a results folder and a population-changing branch behave as documented', async () => {
    const cwd = join(root, '..');
    // The report's refusal on the binary (exit code 2); list and the branch's refusal in this process.
    const list = await cliInProcess(['list', 'results', '--json'], cwd);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { path: string }[]).map((f) => f.path)).toContain(relative(cwd, first.dir));
    const report = cli(['report', 'results'], cwd);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('error [run.not_found]: results is not a run folder (it holds no sim.duckdb); the run folders beneath it:');
    expect(report.stderr).toMatch(/pass one of them, e\.g\.: socialsim report results\/small\/\S+\n$/);
    const refused = await cliInProcess(['branch', relative(cwd, first.dir), '--at-step', '1', '--set', 'cohorts[0].count=500'], cwd);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error [run.branch_invalid]: a branch cannot change who lives in the run: cohorts[0].count (120 → 500).');
    expect(refused.stdout).toBe('');
  });
});
