import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

describe('learned recommenders across a resume', () => {
  it('when an mf run is interrupted and resumed then its warm-started model, and so every feed, equals the uninterrupted run', async () => {
    const exp = smallExperiment({ overrides: ['recsys.kind=mf', 'recsys.refresh_every=1'] });
    const whole = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    const paused = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true, maxSteps: 3 });
    await withSimDb(join(paused.dir, 'sim.duckdb'), async (db) => {
      expect(await db.query(`SELECT step, kind, octet_length(state) > 0 AS stored FROM recsys_state`)).toEqual([{ step: 2, kind: 'mf', stored: true }]);
    });
    const done = await resumeRun(paused.dir, { quiet: true });
    expect(done.info.status).toBe('completed');
    const a = await tableChecksums(join(whole.dir, 'sim.duckdb'));
    expect(await tableChecksums(join(done.dir, 'sim.duckdb'))).toEqual(a);
    expect(a.rec.rows).toBeGreaterThan(0);
  });
});
