/**
 * The LLM judge of stance against the loopback fake server: requests, strict parsing, the
 * tables, and a second `analyze` with the server stopped that answers from the cache.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { parseJudgeAnswer, JUDGE_CACHE } from '../../src/analysis/stance-judge.js';
import { analyzeRun } from '../../src/analysis/store.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { loadExperiment } from '../../src/config/load.js';
import { buildReport } from '../../src/report/write.js';
import { makeDb, type TestDb } from './cascade-db.js';
import { RUN } from './stance-db.js';

let db: TestDb | undefined;
let srv: FakeServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  db?.cleanup();
});

/** The text of the post in a judge request (the user message's "Post:" line). */
const postOf = (messages: readonly unknown[] | undefined): string => {
  const user = (messages ?? []).map((m) => m as { role?: string; content?: string }).find((m) => m.role === 'user');
  return /Post: (.*)/.exec(user?.content ?? '')?.[1] ?? '';
};

/** A run folder: the hand-made sim.duckdb and an experiment naming the fake server's model as the judge. */
function experiment(dir: string, url: string, budget = ''): void {
  writeFileSync(
    join(dir, 'experiment.resolved.yaml'),
    `name: judged
seed: 1
clock: { timesteps: 2, step: 1h }
dataset: { generate: { stance_topics: [climate] } }
models:
  judge:
    provider: openai-compatible
    model: judge-model
    endpoints: [${url}]
    max_concurrency: 2
    temperature: 0
    max_tokens: 4
    timeout_s: 5
    max_retries: 0
    max_outage: 10s
    backoff: { base_s: 0.01, max_s: 0.05 }
    extra_body: {}${budget}
analysis:
  stance: { judge: judge }
`,
  );
}

async function tables(dir: string): Promise<Record<string, unknown[]>> {
  return withSimDb(join(dir, 'analysis.duckdb'), async (d) => ({
    model: await d.query(`SELECT * FROM stance_model ORDER BY method`),
    steps: await d.query(`SELECT * FROM stance_by_step WHERE method = 'judge:judge' ORDER BY step, cohort`),
    judged: await d.query(`SELECT * FROM stance_judged ORDER BY post_id`),
  }));
}

describe('stance judge', () => {
  it('when an answer is exactly one of the three words (any case, one final period) then it is the label, otherwise it is invalid', () => {
    expect(parseJudgeAnswer(' Against.\n')).toBe('against');
    expect(parseJudgeAnswer('FOR')).toBe('for');
    expect(parseJudgeAnswer('neutral')).toBe('neutral');
    expect(parseJudgeAnswer('for it')).toBeNull();
    expect(parseJudgeAnswer('maybe')).toBeNull();
    expect(parseJudgeAnswer('')).toBeNull();
  });

  it('when a judge is configured then each post is asked once, labels and shares follow its answers, and a second analyze with the server stopped gives the same tables from the cache', async () => {
    db = await makeDb([...RUN]);
    const dir = dirname(db.dbPath);
    // The judge reads the words: "green" → for, "hoax" → "Against." (valid), "news" → an invalid answer.
    srv = await startFakeOpenAI({
      handler: (body) => {
        const post = postOf(body.messages);
        return { content: post.includes('green') ? 'for' : post.includes('hoax') ? 'Against.' : post.includes('news') ? 'maybe' : 'neutral' };
      },
    });
    experiment(dir, srv.url);
    await analyzeRun(dir, ['stance']);
    // Posts 1–12 name climate (13 and 14 do not) in four distinct texts: the for words, the
    // against words, "#climate news today" and "Climate is green": one request each.
    expect(srv.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(4);
    expect(srv.requests[0]!.body).toMatchObject({ model: 'judge-model', temperature: 0, max_tokens: 4 });
    const first = await tables(dir);
    // On decided authors' posts (1–10) the judge follows the words: agent 5 (for) wrote the
    // against words, so 9 of 10 match; chance 0.5; nothing is trained (NULL).
    expect(first.model).toEqual([
      { topic: 'climate', method: 'centroid', accuracy: 0.9, chance: 0.5, train_posts: 10 },
      { topic: 'climate', method: 'judge:judge', accuracy: 0.9, chance: 0.5, train_posts: null },
    ]);
    // Step 1 pop: 1, 2, 3 for, 6 against. Step 2 b: 11 invalid (left out), 12 for. Step 2 pop: 4 for; 5, 7–10 against.
    expect(first.steps).toEqual([
      { side: 'sim', step: 1, cohort: 'pop', topic: 'climate', method: 'judge:judge', posts: 4, for_share: 0.75, against_share: 0.25, neutral_share: 0 },
      { side: 'sim', step: 2, cohort: 'b', topic: 'climate', method: 'judge:judge', posts: 1, for_share: 1, against_share: 0, neutral_share: 0 },
      { side: 'sim', step: 2, cohort: 'pop', topic: 'climate', method: 'judge:judge', posts: 6, for_share: 1 / 6, against_share: 5 / 6, neutral_share: 0 },
    ]);
    const judged = first.judged as { post_id: number; label: string | null; error: string | null; request_hash: string }[];
    expect(judged.map((j) => j.post_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(judged.find((j) => j.post_id === 11)).toMatchObject({ label: null, error: 'invalid answer: "maybe"' });
    expect(judged.filter((j) => j.error === null)).toHaveLength(11);
    expect(new Set(judged.map((j) => j.request_hash)).size).toBe(4);
    expect(readFileSync(join(dir, JUDGE_CACHE), 'utf8').trim().split('\n')).toHaveLength(4);
    // Each request sent is on record, as agents' are in llm_calls: 4 distinct texts, 4 calls.
    const calls = await withSimDb(join(dir, 'analysis.duckdb'), (d) => d.query<{ request_hash: string; outcome: string; attempts: number }>(`SELECT request_hash, outcome, attempts FROM stance_judge_calls ORDER BY request_hash`));
    expect(calls.map((c) => c.request_hash)).toEqual([...new Set(judged.map((j) => j.request_hash))].sort());
    expect(calls.every((c) => c.outcome === 'ok' && c.attempts === 1)).toBe(true);

    // The server stops: the second analyze sends nothing and its tables are the same.
    await srv.close();
    srv = undefined;
    await analyzeRun(dir, ['stance']);
    expect(await tables(dir)).toEqual(first);
    expect(await withSimDb(join(dir, 'analysis.duckdb'), (d) => d.query('SELECT * FROM stance_judge_calls'))).toEqual([]);

    // The report reads the judge from the cache too, without a server.
    const { sections } = await buildReport(dir);
    const section = sections.find((s) => s.id === 'stance')!;
    expect(section.error).toBeUndefined();
    expect(section.html).toContain('judge:judge');
  }, 60_000);

  it('when the judge’s server is down and nothing is cached then every post records the failure and the offline tables are still there', async () => {
    db = await makeDb([...RUN]);
    const dir = dirname(db.dbPath);
    srv = await startFakeOpenAI();
    const url = srv.url;
    await srv.close();
    srv = undefined;
    experiment(dir, url);
    await analyzeRun(dir, ['stance']);
    const t = await tables(dir);
    const judged = t.judged as { label: string | null; error: string | null }[];
    expect(judged).toHaveLength(12);
    for (const j of judged) {
      expect(j.label).toBeNull();
      expect(j.error).toMatch(/^(connection|no_endpoint)/);
    }
    expect(t.steps).toEqual([]);
    expect((t.model as { method: string; accuracy: number | null }[]).map((m) => [m.method, m.accuracy])).toEqual([['centroid', 0.9], ['judge:judge', null]]);
  }, 60_000);

  it('when analysis.stance.judge names no LLM model then the experiment is refused with the models defined', async () => {
    db = await makeDb([]);
    const file = join(dirname(db.dbPath), 'exp.yaml');
    const base = `name: j\nclock: { timesteps: 1 }\nmodels:\n  stat: { provider: statistical }\ncohorts:\n  - { name: pop, count: 2, model: stat }\n`;
    writeFileSync(file, `${base}analysis: { stance: { judge: nope } }\n`);
    expect(() => loadExperiment(file)).toThrow(/analysis\.stance\.judge: unknown model "nope"; models defined: stat/);
    writeFileSync(file, `${base}analysis: { stance: { judge: stat } }\n`);
    expect(() => loadExperiment(file)).toThrow(/a stance judge needs provider openai-compatible or openai/);
  });

  it("when the judge's model has a budget then the run's requests and earlier analyses' count against it, and no request passes the cap", async () => {
    // The run already sent 1 request on the judge's model (2 attempts count as 2 requests);
    // the budget allows 4: the first analyze may send 2 of the 4 distinct texts, and the
    // second none (2 on file + 2 from the run = 4).
    db = await makeDb([...RUN, `INSERT INTO llm_calls VALUES (1, 1, 'pop', 'judge', 'http://x/v1', 10, 5, 1, 2, 'ok', NULL, 'h1')`]);
    const dir = dirname(db.dbPath);
    srv = await startFakeOpenAI({ handler: () => ({ content: 'for' }) });
    experiment(dir, srv.url, '\n    budget: { max_requests: 4 }');
    await analyzeRun(dir, ['stance']);
    const sent = (): number => srv!.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
    expect(sent()).toBe(2);
    const judged = (await tables(dir)).judged as { label: string | null; error: string | null; request_hash: string }[];
    const refused = judged.filter((j) => j.label === null);
    expect(new Set(judged.filter((j) => j.label === 'for').map((j) => j.request_hash)).size).toBe(2);
    expect(new Set(refused.map((j) => j.request_hash)).size).toBe(2);
    for (const j of refused) expect(j.error).toMatch(/^budget judge exhausted \(4 requests of 4 allowed\)/);
    // The refused requests are on record as such (0 attempts), as agents' are in llm_calls.
    const calls = await withSimDb(join(dir, 'analysis.duckdb'), (d) => d.query<{ outcome: string; attempts: number }>(`SELECT outcome, attempts FROM stance_judge_calls ORDER BY outcome`));
    expect(calls).toEqual([
      { outcome: 'budget_exhausted', attempts: 0 },
      { outcome: 'budget_exhausted', attempts: 0 },
      { outcome: 'ok', attempts: 1 },
      { outcome: 'ok', attempts: 1 },
    ]);
    // A second analyze: the two answers come from the cache, the other two are still refused.
    await analyzeRun(dir, ['stance']);
    expect(sent()).toBe(2);
    const again = (await tables(dir)).judged as { label: string | null }[];
    expect(again.filter((j) => j.label === 'for')).toHaveLength(judged.filter((j) => j.label === 'for').length);
  }, 60_000);
});
