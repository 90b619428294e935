import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { parseExperiment } from '../../src/config/load.js';
import { branchRun } from '../../src/engine/branch.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { fakeEmbedding, startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, fake as server } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

function experiment(url: string, extra = ''): ReturnType<typeof parseExperiment> {
  return parseExperiment(
    `name: embed-interest
seed: 5
clock: { timesteps: 5, step: 1h }
dataset: { generate: { topics: [tech, music, climate], follows_per_agent: 3 } }
models:
  stat: { provider: statistical }
  emb: { provider: openai-compatible, model: fake-embed, endpoints: ["${url}"], max_concurrency: 2, timeout_s: 2, max_retries: 1, backoff: { base_s: 0.01, max_s: 0.02 } }
cohorts:
  - { name: people, count: 40, model: stat, activity: 0.6 }
recsys: { kind: interest, embedding_model: emb, feed_size: 6 }
${extra}`,
    'embed-interest.yaml',
  );
}

const sentTexts = (s: FakeServer): string[] => s.embeddingRequests.flatMap((r) => r.input);

async function query<T extends object>(dir: string, sql: string): Promise<T[]> {
  return withSimDb(join(dir, 'sim.duckdb'), (db) => db.query<T>(sql));
}

/**
 * The experiment on an endpoint of its own, run once (beforeAll): the tests that read it, compare
 * a resumed run with it, or branch from it share it. What the run alone sent is kept apart from
 * what a later branch asks the same server.
 */
let sharedRoot: string;
let shared: { server: FakeServer; run: Awaited<ReturnType<typeof runExperiment>>; texts: string[]; requests: number };

beforeAll(async () => {
  sharedRoot = mkdtempSync(join(tmpdir(), 'socialsim-embedding-'));
  const s = await startFakeOpenAI();
  const run = await runExperiment(experiment(s.url), { resultsRoot: sharedRoot, quiet: true });
  shared = { server: s, run, texts: sentTexts(s), requests: s.embeddingRequests.length };
}, 60_000);

afterAll(async () => {
  await shared?.server.close();
  if (sharedRoot) rmSync(sharedRoot, { recursive: true, force: true });
});

describe('interest recommender on an embedding endpoint', () => {
  it('when a run uses embedding_model then each distinct text is embedded once, stored, and ranks the feeds', async () => {
    const { run, texts } = shared;
    expect(run.info.status).toBe('completed');
    expect(texts.length).toBeGreaterThan(40);
    expect(new Set(texts).size).toBe(texts.length);
    const [stored] = await query<{ n: number }>(run.dir, `SELECT count(*)::INTEGER AS n FROM embeddings WHERE model = 'emb'`);
    expect(stored!.n).toBe(texts.length);
    const calls = await query<{ cohort: string; outcome: string; n: number }>(run.dir, `SELECT cohort, outcome, count(*)::INTEGER AS n FROM llm_calls GROUP BY ALL`);
    expect(calls).toEqual([{ cohort: 'recsys', outcome: 'ok', n: shared.requests }]);
    expect(run.info.llm_usage?.some((u) => u.cohort === 'recsys' && u.model === 'emb')).toBe(true);

    // The feeds follow the embeddings: an endpoint answering other vectors ranks otherwise.
    const other = await server({ embed: (text, dim) => fakeEmbedding(text.split('').reverse().join(''), dim) });
    const changed = await runExperiment(experiment(other.url), { resultsRoot: tempDir(), quiet: true });
    const feeds = (dir: string) => query<{ u: number; p: number }>(dir, 'SELECT user_id AS u, post_id::DOUBLE AS p FROM rec WHERE step = 0 ORDER BY user_id, rank');
    expect(await feeds(changed.dir)).not.toEqual(await feeds(run.dir));
  });

  it('when the endpoint keeps failing then the run completes on the popularity fallback, the failures recorded, and texts are asked for again later', async () => {
    const s = await server({ embeddingHandler: () => ({ status: 500, body: { error: { message: 'boom' } } }) });
    const run = await runExperiment(experiment(s.url), { resultsRoot: tempDir(), quiet: true });
    expect(run.info.status).toBe('completed');
    const calls = await query<{ outcome: string; attempts: number }>(run.dir, `SELECT DISTINCT outcome, attempts FROM llm_calls WHERE cohort = 'recsys'`);
    expect(calls).toEqual([{ outcome: 'server_error', attempts: 2 }]);
    const [feeds] = await query<{ users: number; stored: number }>(run.dir, 'SELECT count(DISTINCT user_id)::INTEGER AS users, (SELECT count(*) FROM embeddings)::INTEGER AS stored FROM rec WHERE step = 4');
    expect(feeds).toEqual({ users: 40, stored: 0 });
    // Every refresh asked again for what it lacked: the first step's texts went out at each of the 5 steps.
    const first = s.embeddingRequests[0]!.input[0]!;
    expect(sentTexts(s).filter((t) => t === first).length).toBe(5 * 2);
  });

  it('when a run is interrupted and resumed then no text is embedded twice and the tables equal an uninterrupted run', async () => {
    const whole = shared.run;
    const s2 = await server();
    const root = tempDir();
    const first = await runExperiment(experiment(s2.url), { resultsRoot: root, quiet: true, maxSteps: 2 });
    expect(first.info.status).toBe('interrupted');
    const resumed = await resumeRun(first.dir, { quiet: true });
    expect(resumed.info.status).toBe('completed');
    const texts = sentTexts(s2);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.length).toBe(shared.texts.length);
    expect(await tableChecksums(join(resumed.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(whole.dir, 'sim.duckdb')));
  });

  it('when a run is replayed with the endpoint gone then its embeddings come from the recording and the tables are identical', async () => {
    const s = await server();
    const root = tempDir();
    const exp = experiment(s.url);
    const original = await runExperiment(exp, { resultsRoot: root, quiet: true });
    const asked = s.embeddingRequests.length;
    await s.close();
    const replay = await runExperiment(exp, { resultsRoot: root, quiet: true, replayFrom: original.dir });
    expect(replay.info.status).toBe('completed');
    expect(s.embeddingRequests.length).toBe(asked);
    expect(await tableChecksums(join(replay.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(original.dir, 'sim.duckdb')));
  });

  it('when a run is branched without changes then the shared steps take the parent\'s vectors and the branch equals its parent', async () => {
    const { server: s, run: parent } = shared;
    const before = new Set(shared.texts);
    const branch = await branchRun(parent.dir, { resultsRoot: sharedRoot, quiet: true, atStep: 3, overrides: [] });
    expect(branch.info.status).toBe('completed');
    // After the branch point the branch asks for what its own steps need and its shared steps did not.
    const asked = sentTexts(s).slice(shared.texts.length);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.length).toBeLessThan(before.size / 2);
    expect(asked.every((t) => before.has(t))).toBe(true);
    expect(await tableChecksums(join(branch.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(parent.dir, 'sim.duckdb')));
  });

  it('when twitter has an embedding model then its out-of-network half is ranked by embeddings from the same endpoint', async () => {
    const s = await server();
    const exp = parseExperiment(
      `name: embed-twitter\nseed: 5\nclock: { timesteps: 3, step: 1h }\ndataset: { generate: { topics: [tech, music], follows_per_agent: 3 } }\nmodels:\n  stat: { provider: statistical }\n  emb: { provider: openai-compatible, model: fake-embed, endpoints: ["${s.url}"] }\ncohorts:\n  - { name: people, count: 40, model: stat, activity: 0.6 }\nrecsys: { kind: twitter, embedding_model: emb, feed_size: 6 }\n`,
      'embed-twitter.yaml',
    );
    const run = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(run.info.status).toBe('completed');
    expect(s.embeddingRequests.length).toBeGreaterThan(0);
    const [stored] = await query<{ n: number; feeds: number }>(run.dir, `SELECT (SELECT count(*) FROM embeddings)::INTEGER AS n, (SELECT count(DISTINCT user_id) FROM rec WHERE step = 2)::INTEGER AS feeds`);
    expect(stored).toEqual({ n: new Set(sentTexts(s)).size, feeds: 40 });
  });

  it('when embedding_model names an unknown or statistical model then loading the experiment says so', () => {
    expect(() => parseExperiment(`name: x\nmodels: { stat: { provider: statistical } }\ncohorts: [{ name: a, count: 2, model: stat }]\nrecsys: { kind: interest, embedding_model: embd }\n`, 'x.yaml')).toThrow(
      /recsys\.embedding_model.*unknown model "embd"; models defined: stat/s,
    );
    expect(() => parseExperiment(`name: x\nmodels: { stat: { provider: statistical } }\ncohorts: [{ name: a, count: 2, model: stat }]\nrecsys: { kind: interest, embedding_model: stat }\n`, 'x.yaml')).toThrow(
      /model "stat" has provider statistical; an embedding model needs provider openai-compatible or openai/,
    );
  });
});
