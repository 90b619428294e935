import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

async function checksumsOfRun(seed: number, root: string): Promise<Awaited<ReturnType<typeof tableChecksums>>> {
  // force: the second run of the same experiment replaces the first one's folder.
  const { dir } = await runExperiment(smallExperiment({ seed }), { resultsRoot: root, quiet: true, force: true });
  return tableChecksums(join(dir, 'sim.duckdb'));
}

type Checksums = Awaited<ReturnType<typeof checksumsOfRun>>;
/** The run at seed 11, made once (beforeAll): one test runs it again, another runs seed 12 beside it. */
let seed11Root: string;
let seed11: Checksums;

beforeAll(async () => {
  seed11Root = mkdtempSync(join(tmpdir(), 'socialsim-determinism-'));
  seed11 = await checksumsOfRun(11, seed11Root);
}, 60_000);

afterAll(() => {
  if (seed11Root) rmSync(seed11Root, { recursive: true, force: true });
});

describe('determinism', () => {
  it('when the same experiment runs twice with one seed then every table is identical', async () => {
    const a = seed11;
    const b = await checksumsOfRun(11, tempDir());
    expect(b).toEqual(a);
    // The run did something worth comparing.
    expect(a.likes.rows).toBeGreaterThan(0);
    expect(a.trace.rows).toBeGreaterThan(100);
    expect(a.rec.rows).toBeGreaterThan(0);
  });

  it('when the seed differs then the outcome differs', async () => {
    const a = seed11;
    const b = await checksumsOfRun(12, tempDir());
    expect(b.trace.md5).not.toBe(a.trace.md5);
    expect(b.follows.md5).not.toBe(a.follows.md5);
  });

  it('when a run folder’s experiment.resolved.yaml is run again then it reproduces the run’s tables', async () => {
    const first = await runExperiment(smallExperiment(), { resultsRoot: tempDir(), quiet: true });
    const again = await runExperiment(loadExperiment(join(first.dir, 'experiment.resolved.yaml')), { resultsRoot: tempDir(), quiet: true });
    expect(again.info.run_id).toBe(first.info.run_id);
    expect(await tableChecksums(join(again.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(first.dir, 'sim.duckdb')));
  });
});
