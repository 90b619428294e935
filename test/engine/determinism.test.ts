import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

async function checksumsOfRun(seed: number, root: string): Promise<Awaited<ReturnType<typeof tableChecksums>>> {
  const { dir } = await runExperiment(smallExperiment({ seed }), { resultsRoot: root, quiet: true });
  return tableChecksums(join(dir, 'sim.duckdb'));
}

describe('determinism', () => {
  it('when the same experiment runs twice with one seed then every table is identical', async () => {
    const root = tempDir();
    const a = await checksumsOfRun(11, root);
    const b = await checksumsOfRun(11, root);
    expect(b).toEqual(a);
    // The run did something worth comparing.
    expect(a.likes.rows).toBeGreaterThan(0);
    expect(a.trace.rows).toBeGreaterThan(100);
    expect(a.rec.rows).toBeGreaterThan(0);
  });

  it('when the seed differs then the outcome differs', async () => {
    const root = tempDir();
    const a = await checksumsOfRun(11, root);
    const b = await checksumsOfRun(12, root);
    expect(b.trace.md5).not.toBe(a.trace.md5);
    expect(b.follows.md5).not.toBe(a.follows.md5);
  });
});
