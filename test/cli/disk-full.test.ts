import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { cli, onlyRun, outcomeOf, runJson, stepLines, TINY_YAML } from '../helpers/crash.js';

describe('full disk', () => {
  // One uninterrupted run of the same experiment, shared by both faults.
  let dir = '';
  let file = '';
  let expected: Awaited<ReturnType<typeof outcomeOf>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'socialsim-disk-'));
    file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY_YAML);
    expected = await outcomeOf((await runExperiment(loadExperiment(file), { resultsRoot: join(dir, 'reference'), quiet: true })).dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // SOCIALSIM_TEST_FAULT (test only) fails one write with ENOSPC, as a full disk does.
  it.each([
    ['enospc@commit:2', 'a step commit', 2],
    ['enospc@runjson:2', 'the run.json write', 3],
  ] as const)('when the disk fills at %s (%s) then the run says so in one line, stays resumable, and resumes to an uninterrupted run', async (fault, _where, committed) => {
    const root = join(dir, fault.replace(/[@:]/g, '-'));
    const r = await cli(['run', file, '--out', root, '-q'], { SOCIALSIM_TEST_FAULT: fault });
    const runDir = onlyRun(root, 'tiny');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error [run.disk_full]: disk full at step 2; free space and run socialsim resume ${runDir} (ENOSPC: no space left on device, write (injected by SOCIALSIM_TEST_FAULT))\n`);
    // Not left `running`, and the first cause kept (not DuckDB's "cannot rollback").
    expect(runJson(runDir)).toMatchObject({ status: 'interrupted', steps_completed: committed });
    const errors = readFileSync(join(runDir, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"error"'));
    expect(errors.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['ENOSPC: no space left on device, write (injected by SOCIALSIM_TEST_FAULT)']);
    expect(readdirSync(runDir).filter((f) => f.includes('.tmp'))).toEqual([]);

    const resumed = await cli(['resume', runDir, '-q', '--no-report']);
    expect(resumed.code).toBe(0);
    expect(await outcomeOf(runDir)).toEqual(expected);
    expect(stepLines(runDir)).toEqual([0, 1, 2, 3, 4]);
  });
});
