import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { runExperiment } from '../../src/engine/run.js';
import { compile } from 'vega-lite';
import { parse, View } from 'vega';
import { buildSpecs, writeReport } from '../../src/report/index.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

describe('LLM budgets', () => {
  it('when a model budget runs out with on_exhausted: stop then the run ends cleanly at that step', async () => {
    const server = await fake();
    const exp = experiment(localModel([server.url], ', max_retries: 1, budget: { max_requests: 25 }'));
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    // 20 requests per step: step 0 stays under 25, step 1 reaches 40, so the run stops after it.
    expect(info).toMatchObject({ status: 'budget_exhausted', steps_completed: 2 });
    expect(info.budget_events).toEqual([{ step: 1, scope: 'local', action: 'stop', cohorts: ['llm'], reason: '40 requests of 25 allowed' }]);
    expect(server.requests.length).toBe(40);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8');
    expect(events).toContain('"type":"budget_exhausted"');
  });

  it('when the run budget runs out with on_exhausted: fallback then LLM cohorts continue on the statistical policy', async () => {
    const server = await fake(likeTop);
    const exp = experiment(localModel([server.url]), ['budget={ max_requests: 20, on_exhausted: fallback }']);
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    expect(info.budget_events).toEqual([{ step: 0, scope: 'run', action: 'fallback', cohorts: ['llm'], reason: '20 requests of 20 allowed' }]);
    expect(server.requests.length).toBe(20);
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

