import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { parseExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeHandler, type FakeRequestBody, type FakeServer } from '../../src/llm/fake-server.js';
import { compile } from 'vega-lite';
import { parse, View } from 'vega';
import { buildSpecs, writeReport } from '../../src/report/index.js';
import { tempDir } from '../helpers/tmp.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(handler?: FakeHandler): Promise<FakeServer> {
  const s = await startFakeOpenAI(handler ? { handler } : {});
  servers.push(s);
  return s;
}

/** The text of the request's last user message. */
function lastUser(body: FakeRequestBody): string {
  const users = (body.messages ?? []).filter((m): m is { role: string; content: string } => (m as { role?: string }).role === 'user');
  return users.at(-1)?.content ?? '';
}

/** A plausible agent: likes the top post of its feed and follows its author. */
const likeTop: FakeHandler = (body) => {
  const m = /\[post (\d+)\] @\S+ \(user (\d+)\)/.exec(lastUser(body));
  if (!m) return { toolCalls: [{ name: 'create_post', arguments: { text: 'Quiet feed today #tech' } }] };
  return { toolCalls: [{ name: 'like', arguments: { post_id: Number(m[1]) } }, { name: 'follow', arguments: { user_id: Number(m[2]) } }] };
};

function experiment(models: string, overrides: string[] = []): ReturnType<typeof parseExperiment> {
  return parseExperiment(
    `name: llm-mix
seed: 3
clock: { timesteps: 3, step: 1h }
dataset: { generate: { topics: [tech, music], follows_per_agent: 4 } }
models:
  stat: { provider: statistical }
${models}
cohorts:
  - { name: background, count: 40, model: stat, activity: 0.5 }
  - { name: llm, count: 20, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`,
    'llm-mix.yaml',
    { overrides },
  );
}

/** The LLM model under test; `extra` entries (`key: value` YAML) replace the defaults. */
const localModel = (urls: string[], extra = ''): string => {
  const fields = new Map<string, string>([
    ['provider', 'openai-compatible'],
    ['model', 'fake-model'],
    ['endpoints', `[${urls.map((u) => `"${u}"`).join(', ')}]`],
    ['max_concurrency', '4'],
    ['timeout_s', '2'],
    ['max_retries', '2'],
    ['backoff', '{ base_s: 0.01, max_s: 0.05 }'],
  ]);
  // Split `, a: 1, b: { c: 2 }` at top-level commas only.
  let depth = 0;
  let part = '';
  for (const ch of `${extra},`) {
    if (ch === ',' && depth === 0) {
      const m = /^\s*(\w+):\s*(.+?)\s*$/.exec(part);
      if (m) fields.set(m[1]!, m[2]!);
      part = '';
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    if (ch === '}' || ch === ']') depth--;
    part += ch;
  }
  return `  local: { ${[...fields].map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
};

describe('LLM cohorts', () => {
  it('when a cohort runs on two endpoints then its tool calls become actions and every request is accounted for', async () => {
    const [a, b] = [await fake(likeTop), await fake(likeTop)];
    const { dir, info } = await runExperiment(experiment(localModel([a.url, b.url])), { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    // 20 LLM agents, always active, 3 steps: 60 decisions, one request each.
    expect(a.requests.length + b.requests.length).toBe(60);
    expect(a.requests.length).toBeGreaterThan(5);
    expect(b.requests.length).toBeGreaterThan(5);
    // The prompt carries the persona and the feed; the tools are the action registry's.
    const body = a.requests[0]!.body!;
    expect(String((body.messages as { content: string }[])[0]!.content)).toMatch(/^You are .+ \(@.+\), a user of a Twitter-like social network/);
    expect((body.tools ?? []).map((t) => t.function?.name)).toEqual(expect.arrayContaining(['like', 'repost', 'follow', 'create_post', 'do_nothing']));
    expect((body.tools ?? []).map((t) => t.function?.name)).not.toContain('sign_up');

    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const calls = await db.one<{ n: number; ok: number; endpoints: number; tokens: number }>(
        `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE outcome = 'ok')::INTEGER AS ok, count(DISTINCT endpoint)::INTEGER AS endpoints,
                sum(prompt_tokens)::INTEGER AS tokens FROM llm_calls`,
      );
      expect(calls).toMatchObject({ n: 60, ok: 60, endpoints: 2 });
      expect(calls!.tokens).toBeGreaterThan(0);
      const llmActions = await db.query<{ action: string; n: number }>(
        `SELECT action, count(*)::INTEGER AS n FROM trace JOIN users u ON u.user_id = trace.agent_id WHERE u.cohort = 'llm' AND ok GROUP BY action ORDER BY action`,
      );
      const byAction = Object.fromEntries(llmActions.map((r) => [r.action, r.n]));
      expect(byAction['refresh']).toBe(60);
      expect(byAction['like']).toBeGreaterThan(20);
      // The statistical cohort ran alongside, untouched by the LLM path.
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM llm_calls c JOIN users u ON u.user_id = c.agent_id WHERE u.cohort <> 'llm'`)).toEqual({ n: 0 });
    });
  });

  it('when the model answers with malformed calls then one repair turn is made and what stays invalid is traced as failed', async () => {
    const server = await fake((body) => {
      const repairing = (body.messages ?? []).some((m) => (m as { role?: string }).role === 'tool');
      if (!repairing) return { toolCalls: [{ name: 'like', arguments: '{"post_id": ' }, { name: 'teleport', arguments: {} }, { name: 'do_nothing', arguments: {} }] };
      // The repair turn succeeds for agents with even ids (usernames end in _<id>) and fails again for odd ones.
      const system = String((body.messages as { content: string }[])[0]!.content);
      const id = Number(/_(\d+)\)/.exec(system)?.[1]);
      return id % 2 === 0 ? { toolCalls: [{ name: 'create_post', arguments: { text: 'fixed' } }] } : { toolCalls: [{ name: 'like', arguments: { post_id: 'x' } }] };
    });
    const { dir, info } = await runExperiment(experiment(localModel([server.url])), { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    expect(server.requests.length).toBe(120); // every decision: first answer + one repair turn
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const failed = await db.query<{ agent: number; error: string }>(`SELECT agent_id AS agent, error FROM trace WHERE NOT ok AND agent_id >= 40 ORDER BY seq`);
      // 10 odd agents × 3 steps, one unrepaired call each.
      expect(failed).toHaveLength(30);
      expect(failed.every((f) => f.agent % 2 === 1)).toBe(true);
      expect(new Set(failed.map((f) => f.error))).toEqual(new Set(['invalid arguments for like: post_id must be integer (after one repair turn)']));
      const ok = await db.query<{ action: string; n: number }>(`SELECT action, count(*)::INTEGER AS n FROM trace WHERE ok AND agent_id >= 40 GROUP BY action ORDER BY action`);
      expect(ok.map((r) => r.action)).toEqual(['create_post', 'do_nothing', 'refresh']);
    });
  });

  it('when endpoints return 500, 429 and drop connections then calls are retried and the run completes with failures counted', async () => {
    const flaky = await fake();
    // Per request in arrival order: a rotating set of faults, every fourth request succeeds first time.
    let i = 0;
    flaky.setHandler(() => {
      const k = i++ % 4;
      if (k === 0) return { status: 500 };
      if (k === 1) return { status: 429, retryAfter: 0 };
      if (k === 2) return { drop: true };
      return { toolCalls: [{ name: 'do_nothing', arguments: {} }] };
    });
    const exp = experiment(localModel([flaky.url], ', max_retries: 1'));
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const outcomes = await db.query<{ outcome: string; n: number; attempts: number }>(
        `SELECT outcome, count(*)::INTEGER AS n, max(attempts)::INTEGER AS attempts FROM llm_calls GROUP BY outcome ORDER BY outcome`,
      );
      expect(outcomes.reduce((s, o) => s + o.n, 0)).toBe(60);
      expect(outcomes.find((o) => o.outcome === 'ok')!.n).toBeGreaterThan(0);
      expect(outcomes.some((o) => o.outcome !== 'ok')).toBe(true);
      expect(Math.max(...outcomes.map((o) => o.attempts))).toBe(2);
      const failedDecisions = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM trace WHERE action = 'decide' AND NOT ok`);
      expect(failedDecisions!.n).toBe(outcomes.filter((o) => o.outcome !== 'ok').reduce((s, o) => s + o.n, 0));
    });
  });

  it('when an endpoint hangs then each attempt ends at its deadline, is retried, and the run completes with timeouts counted', async () => {
    let i = 0;
    // Every other request hangs forever; the rest answer.
    const server = await fake(() => (i++ % 2 === 0 ? { hang: true } : { toolCalls: [{ name: 'do_nothing', arguments: {} }] }));
    const exp = experiment(localModel([server.url], ', max_retries: 1, timeout_s: 0.3'), ['cohorts[1].count=6']);
    const started = Date.now();
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    // Never hangs: 3 steps of at most two 0.3 s attempts plus backoff, far below the test's limit.
    expect(Date.now() - started).toBeLessThan(20_000);
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const rows = await db.query<{ outcome: string; attempts: number; n: number }>(
        `SELECT outcome, attempts, count(*)::INTEGER AS n FROM llm_calls GROUP BY ALL ORDER BY ALL`,
      );
      expect(rows.reduce((n, r) => n + r.n, 0)).toBe(18);
      // A decision that hit a hang first needed a second attempt.
      expect(rows.some((r) => r.outcome === 'ok' && r.attempts === 2)).toBe(true);
      const timeouts = rows.filter((r) => r.outcome === 'timeout').reduce((n, r) => n + r.n, 0);
      const failed = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM trace WHERE action = 'decide' AND NOT ok AND error LIKE '%timeout%'`);
      expect(failed!.n).toBe(timeouts);
    });
  });

  it('when one endpoint keeps failing then it leaves rotation, the other serves the run, and events.jsonl says so', async () => {
    const dead = await fake(() => ({ status: 503 }));
    const alive = await fake(likeTop);
    const { dir, info } = await runExperiment(experiment(localModel([dead.url, alive.url], ', max_retries: 3')), { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    // Retries moved to the healthy endpoint: every decision got an answer.
    const usage = info.llm_usage!;
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ cohort: 'llm', model: 'local', requests: 60, ok: 60, failed: 0 });
    expect(usage[0]!.retries).toBeGreaterThan(0);
    // Out of rotation after unhealthyAfter (5) consecutive failures; the 30 s probe never came.
    expect(dead.requests.length).toBeLessThanOrEqual(5 + 4);
    expect(alive.requests.length).toBe(60);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; endpoint?: string; llm_requests?: number });
    expect(events.filter((e) => e.type === 'endpoint_down').map((e) => e.endpoint)).toEqual([dead.url]);
    expect(events.filter((e) => e.type === 'step').map((e) => e.llm_requests)).toEqual([20, 20, 20]);
    // The report shows the usage table.
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).toContain('LLM usage');
    expect(html).toMatch(/<td>llm<\/td><td>local<\/td><td class="num">60<\/td>/);
  });

  it('when a model has no tool calling (tool_mode: json) then its JSON action list is acted on', async () => {
    const server = await fake((body) => {
      expect(body.tools).toBeUndefined();
      const m = /\[post (\d+)\]/.exec(lastUser(body));
      return { content: `Here you go:\n\`\`\`json\n[{"action": "${m ? 'like' : 'do_nothing'}", "args": ${m ? `{"post_id": ${m[1]}}` : '{}'}}]\n\`\`\`` };
    });
    const { dir } = await runExperiment(experiment(localModel([server.url], ', tool_mode: json')), { resultsRoot: tempDir(), quiet: true });
    const system = String((server.requests[0]!.body!.messages as { content: string }[])[0]!.content);
    expect(system).toContain('Reply with a JSON array of the actions you take and nothing else');
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM trace WHERE agent_id >= 40 AND action = 'like' AND ok`)).toEqual({ n: expect.any(Number) });
      const likes = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM trace WHERE agent_id >= 40 AND action IN ('like', 'do_nothing')`);
      expect(likes!.n).toBe(60);
    });
  });

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

