import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { cli, onlyRun, outcomeOf, runJson, stepLines, TINY_YAML } from '../helpers/crash.js';
import { tempDir } from '../helpers/tmp.js';

describe('full disk', () => {
  it('when the disk fills at a step commit or at the run.json write then the run says so in one line, stays resumable, and resumes to an uninterrupted run', async () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY_YAML);
    const expected = await outcomeOf((await runExperiment(loadExperiment(file), { resultsRoot: join(dir, 'reference'), quiet: true })).dir);

    // SOCIALSIM_TEST_FAULT (test only) fails one write with ENOSPC, as a full disk does.
    for (const [fault, committed] of [['enospc@commit:2', 2], ['enospc@runjson:2', 3]] as const) {
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
    }
  });
});
