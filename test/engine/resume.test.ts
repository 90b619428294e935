import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { legacyConfigHash } from '../../src/config/load.js';
import { readRunInfo } from '../../src/engine/run-folder.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

describe('resume', () => {
  it('when a run is stopped twice and resumed then it ends exactly like an uninterrupted run', async () => {
    const root = tempDir();
    const straight = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true });

    const paused = await runExperiment(smallExperiment(), { resultsRoot: tempDir(), quiet: true, maxSteps: 2 });
    expect(paused.info).toMatchObject({ status: 'interrupted', steps_completed: 2 });
    const again = await resumeRun(paused.dir, { quiet: true, maxSteps: 3 });
    expect(again.info).toMatchObject({ status: 'interrupted', steps_completed: 5 });
    const done = await resumeRun(paused.dir, { quiet: true });
    expect(done.info).toMatchObject({ status: 'completed', steps_completed: 6, actions: straight.info.actions, failed_actions: straight.info.failed_actions });

    expect(await tableChecksums(join(paused.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(straight.dir, 'sim.duckdb')));
    const events = readFileSync(join(paused.dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; from_step?: number });
    expect(events.filter((e) => e.type === 'run_started').map((e) => e.from_step)).toEqual([0, 2, 5]);
  });

  it('when a process died mid-run (run.json still "running") then resume continues from the last committed step', async () => {
    const root = tempDir();
    const { dir } = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true, maxSteps: 3 });
    const info = readRunInfo(dir);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...info, status: 'running' }));
    const done = await resumeRun(dir, { quiet: true });
    expect(done.info).toMatchObject({ status: 'completed', steps_completed: 6 });
  });

  it('when run.json holds the hash of an older version (defaults included) then resume still accepts it', async () => {
    const root = tempDir();
    const exp = smallExperiment();
    const { dir } = await runExperiment(exp, { resultsRoot: root, quiet: true, maxSteps: 2 });
    const info = readRunInfo(dir);
    expect(info.config_hash).not.toBe(legacyConfigHash(exp));
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...info, config_hash: legacyConfigHash(exp) }));
    const done = await resumeRun(dir, { quiet: true });
    expect(done.info).toMatchObject({ status: 'completed', steps_completed: 6 });
  });

  it('when the run already completed or its experiment was edited then resume refuses with a reason', async () => {
    const root = tempDir();
    const { dir } = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true, maxSteps: 1 });
    const resolved = join(dir, 'experiment.resolved.yaml');
    const original = readFileSync(resolved, 'utf8');
    writeFileSync(resolved, original.replace(/seed: 7/, 'seed: 8'));
    await expect(resumeRun(dir, { quiet: true })).rejects.toThrow(/no longer matches run.json's config_hash/);
    writeFileSync(resolved, original);
    await resumeRun(dir, { quiet: true });
    await expect(resumeRun(dir, { quiet: true })).rejects.toThrow(/already completed all 6 steps/);
  });
});
