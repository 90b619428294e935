import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { runExperiment } from '../../src/engine/run.js';
import { writeReport } from '../../src/report/index.js';
import { closeFakeServersAfterEach, experiment, fake, lastUser, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

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
    // Never hangs (the server never answers half the requests): the deadlines end every attempt.
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
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
});
