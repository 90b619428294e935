import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/engine/run.js';
import { expandSweep } from '../../src/sweep/expand.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { cliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

const ONE = `
name: one-sweep
seed: 3
clock: { timesteps: 3, step: 1h, start: 2024-06-17T08:00:00Z }
cohorts:
  - { name: all, count: 20, model: stat, activity: 0.6 }
report: { auto: false } # what is checked is the run's folder and steps (test/sweep/run-sweep.test.ts checks the children's reports)
sweep:
  matrix:
    recsys.kind: [random]
`;

describe('sweep resume and CLI', () => {
  it('when a run of the sweep was stopped part-way then the sweep resumes it in its folder', async () => {
    const dir = tempDir();
    const file = join(dir, 'one.yaml');
    writeFileSync(file, ONE);
    const root = join(dir, 'results');
    const [run] = expandSweep(file);
    const partial = await runExperiment(run!.experiment, { resultsRoot: root, quiet: true, maxSteps: 1 });
    expect(partial.info.status).toBe('interrupted');
    expect(partial.dir).toBe(join(root, 'one-sweep', run!.runId));

    const lines: string[] = [];
    const out = await runSweep(file, { resultsRoot: root, parallel: 1, log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringMatching(/^\[1\/1\] recsys\.kind=random completed \(resumed\) \d+\.\d s$/)]);
    expect(out.runs[0]).toMatchObject({ status: 'completed', run_dir: partial.dir });
    const info = JSON.parse(readFileSync(join(partial.dir, 'run.json'), 'utf8')) as { steps_completed: number };
    expect(info.steps_completed).toBe(3);
  });

  it('when the sweep is invalid then `socialsim sweep` exits 2 naming the problem; --dry-run lists the runs', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ONE.replace('[random]', '[random, tiktok]'));
    const r = spawnSync(process.execPath, [BIN, 'sweep', bad, '--out', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('sweep run recsys.kind=tiktok: recsys.kind: must be one of: random, popularity, reddit-hot, twitter, interest, trace, mf, lightgcn, multvae; got "tiktok"');

    const good = join(dir, 'good.yaml');
    writeFileSync(good, ONE.replace('[random]', '[random, popularity]'));
    // The refusal on the binary (exit code 2); the dry run in this process.
    const dry = await cliInProcess(['sweep', good, '--dry-run', '--out', dir, '--set', 'sweep.seeds=[1, 2]']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^[0-9a-f]{12} {2}[0-9a-f]{64} {2}recsys\.kind=random seed=1$/m);
    expect(dry.stdout).toContain('4 runs; sweep folder would be');
  });
});
