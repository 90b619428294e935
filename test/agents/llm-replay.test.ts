import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';

/** The recorded run, made once (beforeAll) with its server closed after it: both tests replay it. */
let root: string;
let server: FakeServer;
let exp: ReturnType<typeof experiment>;
let original: Awaited<ReturnType<typeof runExperiment>>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'socialsim-llm-replay-'));
  server = await startFakeOpenAI({ handler: likeTop });
  exp = experiment(localModel([server.url]));
  original = await runExperiment(exp, { resultsRoot: root, quiet: true });
  await server.close();
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('replay from recorded LLM responses', () => {
  it('when a run is replayed with its server gone then no request is made and the tables are identical', async () => {
    await withSimDb(join(original.dir, 'sim.duckdb'), async (db) => {
      // One recorded answer per distinct request, each call carrying its request's hash.
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM llm_calls WHERE request_hash IS NULL`)).toEqual({ n: 0 });
      expect(await db.one(`SELECT count(DISTINCT request_hash)::INTEGER AS n FROM llm_responses`)).toEqual({ n: 60 });
      // And what each one sent (the checksums below compare it too).
      expect(await db.one(`SELECT count(*)::INTEGER AS n, count(DISTINCT request_hash)::INTEGER AS hashes FROM llm_prompts`)).toEqual({ n: 60, hashes: 60 });
    });

    const replay = await runExperiment(exp, { resultsRoot: root, quiet: true, replayFrom: original.dir });
    expect(replay.dir).toBe(`${original.dir}-replay`);
    expect(replay.info).toMatchObject({ status: 'completed', replay_of: original.dir });
    expect(await tableChecksums(join(replay.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(original.dir, 'sim.duckdb')));
    await withSimDb(join(replay.dir, 'sim.duckdb'), async (db) => {
      expect(await db.one(`SELECT count(*)::INTEGER AS n, count(DISTINCT endpoint)::INTEGER AS e, min(endpoint) AS endpoint FROM llm_calls`)).toEqual({ n: 60, e: 1, endpoint: 'replay' });
    });
  });

  it('when the replayed experiment asks something never recorded then the run fails naming the agent and step', async () => {
    // Another temperature is another request: nothing recorded answers it.
    const changed = experiment(localModel([server.url], ', temperature: 0.1'));
    await expect(runExperiment(changed, { resultsRoot: root, quiet: true, replayFrom: original.dir })).rejects.toThrow(
      /^replay: no recorded response for agent 40 \(cohort llm, model local\) at step 0; the replayed run diverged from the recording$/,
    );
  });
});
