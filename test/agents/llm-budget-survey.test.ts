import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { branchRun } from '../../src/engine/branch.js';
import { runExperiment } from '../../src/engine/run.js';
import { compile } from 'vega-lite';
import { parse, View } from 'vega';
import { buildSpecs, writeReport } from '../../src/report/index.js';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

/** Chat requests that reached the fake server. */
const chatRequests = (server: FakeServer): number => server.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

describe('LLM budgets', () => {
  /**
   * One run stopped by a budget of 25 requests, made once: the first test reads it, the second
   * branches from it. Its server lives as long as the run (the branches' requests are counted on it).
   */
  let stopped: { server: FakeServer; root: string; parent: Awaited<ReturnType<typeof runExperiment>> };
  beforeAll(async () => {
    const server = await startFakeOpenAI();
    const root = mkdtempSync(join(tmpdir(), 'socialsim-budget-'));
    const exp = experiment(localModel([server.url], ', max_concurrency: 16, max_retries: 1, budget: { max_requests: 25 }'));
    stopped = { server, root, parent: await runExperiment(exp, { resultsRoot: root, quiet: true, llmThreads: 3 }) };
  });
  afterAll(async () => {
    if (!stopped) return;
    await stopped.server.close();
    rmSync(stopped.root, { recursive: true, force: true });
  });

  it('when a model budget runs out mid-step with on_exhausted: stop then no request passes the cap, across worker threads, and the agents turned away do nothing', async () => {
    const { server, parent } = stopped;
    const { dir, info } = parent;
    // 20 requests per step: step 0 sends 20, step 1 the 5 left; the other 15 agents of step 1 are turned away.
    expect(chatRequests(server)).toBe(25);
    expect(info).toMatchObject({ status: 'budget_exhausted', steps_completed: 2 });
    expect(info.budget_events).toEqual([{ step: 1, scope: 'local', action: 'stop', cohorts: ['llm'], reason: '25 requests of 25 allowed' }]);
    expect(info.llm_usage).toEqual([expect.objectContaining({ cohort: 'llm', requests: 25, ok: 25, failed: 0, refused: 15 })]);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(events).toContain('"type":"budget_exhausted"');
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).toContain('Budget local exhausted at step 1 (25 requests of 25 allowed): the run stopped there.');
    expect(html).toContain('15 requests were turned away by a budget before being sent (not counted below).');
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      expect(await db.query(`SELECT step, outcome, sum(attempts)::INTEGER AS sent, count(*)::INTEGER AS calls FROM llm_calls GROUP BY ALL ORDER BY ALL`)).toEqual([
        { step: 0, outcome: 'ok', sent: 20, calls: 20 },
        { step: 1, outcome: 'budget_exhausted', sent: 0, calls: 15 },
        { step: 1, outcome: 'ok', sent: 5, calls: 5 },
      ]);
      // Each agent turned away: a failed decide naming the budget, nothing else, and it was shown nothing.
      const refused = await db.query<{ agent_id: number }>(
        `SELECT agent_id FROM trace WHERE step = 1 AND action = 'decide' AND NOT ok AND error = 'budget local exhausted (25 requests of 25 allowed): request not sent' ORDER BY agent_id`,
      );
      expect(refused).toHaveLength(15);
      const ids = refused.map((r) => r.agent_id).join(',');
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM trace WHERE step = 1 AND agent_id IN (${ids}) AND action <> 'decide'`)).toEqual({ n: 0 });
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM impressions WHERE step = 1 AND agent_id IN (${ids})`)).toEqual({ n: 0 });
    });
  });

  it('when a budget stopped the run then a branch at its last step with the budget raised goes on, and one with the same budget stops there too', async () => {
    const { server, root, parent } = stopped;
    expect(chatRequests(server)).toBe(25);
    expect(parent.info).toMatchObject({ status: 'budget_exhausted', steps_completed: 2 });
    const same = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 2, overrides: [] });
    expect(same.info).toMatchObject({ status: 'budget_exhausted', steps_completed: 2, budget_events: parent.info.budget_events });
    // The shared steps were answered from the parent's recording, its refusals included.
    expect(chatRequests(server)).toBe(25);
    expect(await tableChecksums(join(same.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(parent.dir, 'sim.duckdb')));

    const raised = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 2, overrides: ['models.local.budget.max_requests=100'] });
    expect(raised.info).toMatchObject({ status: 'completed', steps_completed: 3 });
    expect(raised.info.budget_events).toEqual([{ ...parent.info.budget_events![0], reset_at_branch: true }]);
    // A branch's budget counts what the branch sends: step 2's 20 requests.
    expect(chatRequests(server)).toBe(45);
  });

  it('when the run budget runs out with on_exhausted: fallback then LLM cohorts continue on the statistical policy', async () => {
    const server = await fake(likeTop);
    const exp = experiment(localModel([server.url]), ['budget={ max_requests: 20, on_exhausted: fallback }']);
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    expect(info.budget_events).toEqual([{ step: 0, scope: 'run', action: 'fallback', cohorts: ['llm'], reason: '20 requests of 20 allowed' }]);
    expect(chatRequests(server)).toBe(20);
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      // The LLM cohort kept acting in steps 1 and 2, without requests.
      expect(await db.query(`SELECT step, count(*)::INTEGER AS refreshes FROM trace WHERE agent_id >= 40 AND action = 'refresh' GROUP BY step ORDER BY step`)).toEqual([
        { step: 0, refreshes: 20 },
        { step: 1, refreshes: 20 },
        { step: 2, refreshes: 20 },
      ]);
      expect(await db.query(`SELECT DISTINCT step FROM llm_calls`)).toEqual([{ step: 0 }]);
    });
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).toContain('Budget run exhausted at step 0 (20 requests of 20 allowed): cohorts llm fell back to the statistical policy.');
  });

  it('when a fallback budget runs out mid-step across worker threads then the agents turned away act on the statistical policy that step, and a replay repeats it', async () => {
    const server = await fake(likeTop);
    const exp = experiment(localModel([server.url], ', max_concurrency: 16'), ['budget={ max_requests: 30, on_exhausted: fallback }']);
    const root = tempDir();
    const original = await runExperiment(exp, { resultsRoot: root, quiet: true, llmThreads: 3 });
    expect(chatRequests(server)).toBe(30);
    expect(original.info.status).toBe('completed');
    expect(original.info.budget_events).toEqual([{ step: 1, scope: 'run', action: 'fallback', cohorts: ['llm'], reason: '30 requests of 30 allowed' }]);
    const decided = (dir: string): Promise<Record<string, unknown>[]> =>
      withSimDb(join(dir, 'sim.duckdb'), (db) =>
        db.query(`SELECT c.step, c.outcome, count(*)::INTEGER AS agents, count(t.agent_id)::INTEGER AS acted FROM llm_calls c
                  LEFT JOIN (SELECT DISTINCT step, agent_id FROM trace WHERE action = 'refresh') t USING (step, agent_id) GROUP BY ALL ORDER BY ALL`),
      );
    // Step 1: 10 agents decided by the model, 10 turned away who still acted (statistical); step 2 sends nothing.
    expect(await decided(original.dir)).toEqual([
      { step: 0, outcome: 'ok', agents: 20, acted: 20 },
      { step: 1, outcome: 'budget_exhausted', agents: 10, acted: 10 },
      { step: 1, outcome: 'ok', agents: 10, acted: 10 },
    ]);
    await withSimDb(join(original.dir, 'sim.duckdb'), async (db) => {
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM trace WHERE action = 'decide' AND NOT ok`)).toEqual({ n: 0 });
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM trace WHERE step = 2 AND agent_id >= 40 AND action = 'refresh'`)).toEqual({ n: 20 });
    });
    // The replay sends nothing and turns the same requests away: the same tables.
    await server.close();
    const replay = await runExperiment(exp, { resultsRoot: root, quiet: true, replayFrom: original.dir, llmThreads: 3 });
    expect(replay.info.budget_events).toEqual(original.info.budget_events);
    expect(await tableChecksums(join(replay.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(original.dir, 'sim.duckdb')));
    expect(await decided(replay.dir)).toEqual(await decided(original.dir));
  });

  it('when a token budget is set then the tokens the server reports never pass it, requests in flight included', async () => {
    const server = await fake(likeTop);
    const cap = 12_000;
    const exp = experiment(localModel([server.url], `, max_concurrency: 16, max_tokens: 200, actions: [like, follow, create_post, do_nothing], budget: { max_tokens: ${cap} }`));
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true, llmThreads: 3 });
    expect(info.status).toBe('budget_exhausted');
    expect(info.budget_events).toEqual([expect.objectContaining({ scope: 'local', action: 'stop', reason: expect.stringMatching(/^\d+ tokens of 12000 allowed/) })]);
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const row = await db.one<{ sent: number; tokens: number; refused: number }>(
        `SELECT sum(attempts)::INTEGER AS sent, sum(prompt_tokens + completion_tokens)::INTEGER AS tokens, count(*) FILTER (WHERE outcome = 'budget_exhausted')::INTEGER AS refused FROM llm_calls`,
      );
      expect(row!.sent).toBe(chatRequests(server));
      expect(row!.refused).toBeGreaterThan(0);
      expect(row!.tokens).toBeLessThanOrEqual(cap);
      // Not stopped far too early either. Each request reserves its prompt estimate (tool schemas
      // included) and max_tokens, more than the fake server then reports (messages only, and a
      // short answer), so what is reported at the stop sits well under the cap — but not under a third.
      expect(row!.tokens).toBeGreaterThan(cap / 3);
    });
  });
});

describe('surveys', () => {
  it('when a survey is due then a fixed sample of LLM agents answers on the scale, and bad answers are kept as errors', async () => {
    const server = await fake((body) => {
      const names = (body.tools ?? []).map((t) => t.function?.name);
      if (!names.includes('answer_survey')) return { toolCalls: [{ name: 'do_nothing', arguments: {} }] };
      const system = String((body.messages as { content: string }[])[0]!.content);
      const id = Number(/_(\d+)\)/.exec(system)?.[1]);
      // Agent 41 insists on an answer off the scale; the others answer id mod 7 + 1.
      return { toolCalls: [{ name: 'answer_survey', arguments: { answer: id === 41 ? 9 : (id % 7) + 1 } }] };
    });
    const exp = experiment(localModel([server.url]), ['surveys=[{ name: belief, at: [0, 2], question: "How far do you trust the news?", sample: 0.5 }]']);
    const { dir } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const rows = await db.query<{ step: number; agent: number; answer: number | null; error: string | null; cohort: string }>(
        `SELECT step, agent_id AS agent, answer, error, cohort FROM survey_answers ORDER BY step, agent_id`,
      );
      const step0 = rows.filter((r) => r.step === 0);
      const step2 = rows.filter((r) => r.step === 2);
      expect(rows.filter((r) => r.step === 1)).toEqual([]);
      // Only the LLM cohort answers; the same sample both times; about half of 20.
      expect(new Set(rows.map((r) => r.cohort))).toEqual(new Set(['llm']));
      expect(step2.map((r) => r.agent)).toEqual(step0.map((r) => r.agent));
      expect(step0.length).toBeGreaterThan(4);
      expect(step0.length).toBeLessThan(16);
      for (const r of rows) {
        if (r.agent === 41) expect(r).toMatchObject({ answer: null, error: 'answer 9 is outside 1..7 (after one repair turn)' });
        else expect(r).toMatchObject({ answer: (r.agent % 7) + 1, error: null });
      }
      // The survey's requests are accounted like any other.
      const calls = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM llm_calls`);
      const extra = rows.some((r) => r.agent === 41) ? 2 : 0; // agent 41's repair turns
      expect(calls!.n).toBe(60 + rows.length + extra);
      // And their prompts recorded like any other, one row per request of a step (the survey's
      // prompt has no time in it, so an agent asked at steps 0 and 2 sends the same request twice).
      const surveyPrompt = `q.messages::VARCHAR LIKE '%A short survey. How far do you trust the news?%'`;
      const requests = await db.query<{ step: number; request_hash: string }>(
        `SELECT DISTINCT c.step, c.request_hash FROM llm_calls c SEMI JOIN llm_prompts q ON q.request_hash = c.request_hash AND ${surveyPrompt} ORDER BY ALL`,
      );
      expect(requests).toHaveLength(rows.length + extra);
      expect([...new Set(requests.map((r) => r.step))]).toEqual([0, 2]);
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM llm_prompts q WHERE ${surveyPrompt}`)).toEqual({ n: requests.length });
      const repairs = await db.one(`SELECT count(*)::INTEGER AS n FROM llm_prompts q WHERE ${surveyPrompt} AND q.messages::VARCHAR LIKE '%That answer could not be used (answer 9 is outside 1..7)%'`);
      expect(repairs).toEqual({ n: extra });
    });
    // The report charts the mean answer per step and cohort, and the chart renders.
    const specs = await buildSpecs(dir);
    const survey = specs.find((s) => s.id === 'surveys')!;
    const { spec } = compile(survey.spec);
    const view = new View(parse(spec), { renderer: 'none' });
    await view.runAsync();
    const means = view.data('survey_means') as { step: number; mean: number }[];
    expect(means.map((m) => m.step)).toEqual([0, 2]);
    expect(await view.toSVG()).toContain('<path');
  });
});

