/**
 * The crash-point test (issue 15): a CLI process SIGKILLs itself at each named point through the
 * test-only hook SOCIALSIM_TEST_CRASH (src/common/test-hooks.ts), `resume` finishes the run, and
 * its tables and run.json totals equal those of one uninterrupted run of the same experiment.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { expandSweep } from '../../src/sweep/expand.js';
import { cliInProcess } from '../helpers/cli.js';
import { alive, cli, onlyRun, outcomeOf, runJson, stepLines, TINY_YAML } from '../helpers/crash.js';
import { tempDir } from '../helpers/tmp.js';

const STEPS = [0, 1, 2, 3, 4];

async function killedAt(point: string, file: string, root: string): Promise<string> {
  const r = await cli(['run', file, '--out', root, '-q'], { SOCIALSIM_TEST_CRASH: point });
  expect(r.signal).toBe('SIGKILL');
  return onlyRun(root, 'tiny');
}

describe('crash points', () => {
  // One uninterrupted run of the same experiment, shared by the single-run crash points.
  let dir = '';
  let file = '';
  let expected: Awaited<ReturnType<typeof outcomeOf>>;
  let said = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'socialsim-crash-'));
    file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY_YAML);
    const reference = await runExperiment(loadExperiment(file), { resultsRoot: join(dir, 'reference'), quiet: true });
    expected = await outcomeOf(reference.dir);
    said = `completed: 5/5 steps, 30 agents, ${expected.totals.actions.toLocaleString('en-US')} actions (${expected.totals.failed_actions} rejected)`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when a run is killed right after its folder was made then run points to resume, and resume starts it from nothing', async () => {
    expect(expected.totals.status).toBe('completed');
    // experiment.resolved.yaml and run.json (running), no sim.duckdb.
    const fresh = await killedAt('after-folder', file, join(dir, 'after-folder'));
    expect(readdirSync(fresh).sort()).toEqual(['experiment.resolved.yaml', 'run.json', 'run.lock']);
    // Refusals only read the folder: in this process. Kills are real processes, and so is one resume of each kind that checks stderr or the exit code.
    const again = await cliInProcess(['run', file, '--out', join(dir, 'after-folder'), '-q']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('continue it with `socialsim resume`');
    // Killed even earlier: only experiment.resolved.yaml.
    const bare = join(dir, 'bare', 'tiny', basename(fresh));
    cpSync(fresh, bare, { recursive: true });
    rmSync(join(bare, 'run.json'));
    // One resume on the binary (nothing on its stderr), the other in this process.
    for (const [runDir, resume] of [[fresh, cli], [bare, cliInProcess]] as const) {
      const resumed = await resume(['resume', runDir, '-q', '--no-report']);
      expect(resumed.stderr).toBe('');
      expect(resumed.stdout).toContain(said);
      expect(await outcomeOf(runDir)).toEqual(expected);
      expect(stepLines(runDir)).toEqual(STEPS);
    }
  });

  it('when a run is killed between a step commit and its run.json write then resume gives the database totals and the lost events line', async () => {
    const afterCommit = await killedAt('after-commit:2', file, join(dir, 'after-commit'));
    expect(runJson(afterCommit)).toMatchObject({ status: 'running', steps_completed: 2 });
    expect(stepLines(afterCommit)).toEqual([0, 1]);
    const resumed = await cliInProcess(['resume', afterCommit, '-q', '--no-report']);
    expect(resumed.stdout).toContain(said);
    expect(await outcomeOf(afterCommit)).toEqual(expected);
    // The lost line comes back from the database, marked as recovered.
    expect(stepLines(afterCommit)).toEqual(STEPS);
    const recovered = readFileSync(join(afterCommit, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"recovered":true'));
    expect(recovered.map((l) => (JSON.parse(l) as { step: number }).step)).toEqual([2]);
  });

  it('when a run is killed while writing its report then resume writes the report', async () => {
    const inReport = await killedAt('during-report', file, join(dir, 'during-report'));
    expect(runJson(inReport).status).toBe('completed');
    expect(existsSync(join(inReport, 'report.html'))).toBe(false);
    const finished = await cli(['resume', inReport, '-q']);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toContain(said);
    expect(readFileSync(join(inReport, 'report.html'), 'utf8')).toContain('<html');
    expect(readdirSync(inReport).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(await outcomeOf(inReport)).toEqual(expected);
    // Once it is there, there is nothing to resume, and resume says how to rewrite it.
    const nothing = await cliInProcess(['resume', inReport, '-q']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain(`nothing to resume (socialsim report ${inReport} rewrites its report)`);
  });

  it('when a sweep is killed then its child dies with it, and resume finishes every run as an uninterrupted one', async () => {
    const dir = tempDir();
    const file = join(dir, 'sweep.yaml');
    // No report.html per run: the runs' tables are what is compared.
    writeFileSync(file, TINY_YAML.replace('timesteps: 5', 'timesteps: 12') + 'report: { auto: false }\nsweep:\n  matrix:\n    recsys.kind: [random, popularity]\n');
    const runs = expandSweep(file);
    const expected = await Promise.all(runs.map(async (r) => outcomeOf((await runExperiment(r.experiment, { resultsRoot: join(dir, 'reference'), quiet: true })).dir)));

    const root = join(dir, 'results');
    // The first run's child kills the sweep once it has committed step 2.
    const sweep = await cli(['sweep', file, '--out', root, '-q'], { SOCIALSIM_TEST_CRASH: 'sweep-parent:2' });
    expect(sweep.signal).toBe('SIGKILL');
    const first = join(root, 'tiny', runs[0]!.runId);
    const child = (JSON.parse(readFileSync(join(first, 'run.lock'), 'utf8')) as { pid: number }).pid;
    expect(child).not.toBe(sweep.pid);
    for (let i = 0; i < 200 && alive(child); i++) await sleep(50);
    expect(alive(child)).toBe(false);
    // It died part-way, not at its end: no run of 12 steps gets there in the meantime.
    expect(runJson(first).status).toBe('running');
    expect(runJson(first).steps_completed).toBeLessThan(12);
    expect(existsSync(join(root, 'tiny', runs[1]!.runId))).toBe(false);

    const sweepDir = readdirSync(join(root, 'tiny')).find((f) => f.startsWith('sweep-'))!;
    // The kill is the process's; the resume (whose runs are child processes anyway) runs in this one.
    const resumed = await cliInProcess(['resume', join(root, 'tiny', sweepDir), '-q']);
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toContain('2 runs, 2 completed');
    for (const [i, r] of runs.entries()) expect(await outcomeOf(join(root, 'tiny', r.runId))).toEqual(expected[i]);
  }, 180_000); // a sweep killed and resumed: child processes that a loaded machine starts slowly (not a performance bound)
});
