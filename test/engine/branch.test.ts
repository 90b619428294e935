import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { branchRun } from '../../src/engine/branch.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

/** md5 of a query's rows, in order. */
async function digest(dir: string, sql: string): Promise<string> {
  return withSimDb(join(dir, 'sim.duckdb'), async (db) => {
    const row = await db.one<{ h: string }>(`SELECT md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t), '')) AS h FROM (${sql}) AS t`);
    return row!.h;
  });
}

describe('branch', () => {
  it('when a run is branched with no change then the branch equals its parent', async () => {
    const root = tempDir();
    const parent = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true });
    const branch = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 3, overrides: [] });
    expect(branch.dir).toBe(`${parent.dir}-at3`);
    expect(branch.info).toMatchObject({ status: 'completed', steps_completed: 6, branch_of: parent.dir, branch_at_step: 3 });
    expect(await tableChecksums(join(branch.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(parent.dir, 'sim.duckdb')));
  });

  it('when a branch changes the recommender at step 3 then steps 0-2 are the parent’s and later ones differ', async () => {
    const root = tempDir();
    const parent = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true });
    const branch = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 3, overrides: ['recsys.kind=random'] });
    expect(branch.info.status).toBe('completed');
    for (const table of ['trace', 'rec', 'steps']) {
      expect(await digest(branch.dir, `SELECT * FROM ${table} WHERE step < 3`)).toBe(await digest(parent.dir, `SELECT * FROM ${table} WHERE step < 3`));
    }
    expect(await digest(branch.dir, `SELECT * FROM rec WHERE step >= 3`)).not.toBe(await digest(parent.dir, `SELECT * FROM rec WHERE step >= 3`));
    expect(await digest(branch.dir, `SELECT * FROM trace WHERE step >= 3`)).not.toBe(await digest(parent.dir, `SELECT * FROM trace WHERE step >= 3`));
  });

  it('when the branch point is outside the parent’s steps then it is refused', async () => {
    const root = tempDir();
    const parent = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true, maxSteps: 2 });
    await expect(branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 4, overrides: [] })).rejects.toThrow(
      "--at-step must be between 1 and the parent's 2 completed steps, got 4",
    );
  });
});
