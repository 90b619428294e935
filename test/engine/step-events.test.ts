/**
 * events.jsonl's `step` lines carry what the live board shows per step (issue #14 item 2):
 * actions by type, LLM requests by endpoint, the budgets' use; and a line recovered from the
 * database after a crash carries the same figures as the live one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { Channel } from '../../src/channel/channel.js';
import type { Experiment } from '../../src/config/types.js';
import { EventLog, type StepEvent } from '../../src/engine/events.js';
import { recoverStepEvents } from '../../src/engine/recover-events.js';
import { runExperiment } from '../../src/engine/run.js';
import type { FakeReply } from '../../src/llm/fake-server.js';
import { smallExperiment } from '../helpers/experiment.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

const stepLines = (dir: string): StepEvent[] =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as StepEvent & { t: string })
    .filter((e) => e.type === 'step');

const sum = (o: Record<string, number>): number => Object.values(o).reduce((s, x) => s + x, 0);

/** The live line without what only it has (its time stamp, the step's wall time). */
const comparable = ({ t: _t, wall_ms: _w, recovered: _r, ...rest }: StepEvent & { t?: string }): Omit<StepEvent, 'wall_ms'> => rest;

/**
 * Drops the step lines of `lost` from the run's events.jsonl, as a kill between a commit and its
 * line would, and has them recovered from the database; returns the lines before and after.
 */
async function loseAndRecover(dir: string, exp: Experiment, lost: readonly number[]): Promise<{ live: StepEvent[]; recovered: StepEvent[] }> {
  const path = join(dir, 'events.jsonl');
  const live = stepLines(dir).filter((e) => lost.includes(e.step));
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => !(l.includes('"type":"step"') && lost.includes((JSON.parse(l) as StepEvent).step)));
  writeFileSync(path, kept.join('\n'));
  const channel = await Channel.open(join(dir, 'sim.duckdb'));
  try {
    await recoverStepEvents(channel, new EventLog(path), path, exp);
  } finally {
    await channel.close();
  }
  const recovered = stepLines(dir).filter((e) => e.recovered === true);
  return { live, recovered };
}

describe('step events', () => {
  it('when a statistical run commits a step then its line counts applied and failed actions by type, as trace has them, and a recovered line is the same', async () => {
    const exp = smallExperiment({ overrides: ['clock.timesteps=3', 'cohorts[0].count=40', 'cohorts[1].count=20'] });
    const { dir } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    const lines = stepLines(dir);
    expect(lines.map((e) => e.step)).toEqual([0, 1, 2]);
    const trace = await withSimDb(join(dir, 'sim.duckdb'), (db) =>
      db.query<{ step: number; action: string; ok: boolean; n: number }>(`SELECT step, action, ok, count(*)::INTEGER AS n FROM trace GROUP BY ALL ORDER BY ALL`),
    );
    for (const e of lines) {
      expect(e.actions).toBeGreaterThan(0);
      expect(sum(e.by_action) + sum(e.failed_by_action)).toBe(e.actions);
      expect(sum(e.failed_by_action)).toBe(e.failed_actions);
      const of = (ok: boolean): Record<string, number> => Object.fromEntries(trace.filter((r) => r.step === e.step && r.ok === ok).map((r) => [r.action, r.n]));
      expect(e.by_action).toEqual(of(true));
      expect(e.failed_by_action).toEqual(of(false));
      // Keys in name order, so lines compare as text.
      expect(Object.keys(e.by_action)).toEqual(Object.keys(e.by_action).sort());
      // No model, no requests; no budget set, no budget field.
      expect(e.llm).toEqual([]);
      expect(e).not.toHaveProperty('budget');
    }
    expect(sum(lines[1]!.by_action)).toBeGreaterThan(0);

    const { live, recovered } = await loseAndRecover(dir, exp, [1, 2]);
    expect(recovered.map((e) => [e.step, e.wall_ms])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(recovered.map(comparable)).toEqual(live.map(comparable));
  });

  it('when an LLM run with budgets commits a step then its line has the requests by endpoint and each budget\'s use, and a recovered line is the same', async () => {
    // Agent 41's requests are refused (client errors are not retried), wherever they go.
    const refuse41 = (body: Parameters<typeof likeTop>[0], req: Parameters<typeof likeTop>[1]): FakeReply | Promise<FakeReply> =>
      /_41\)/.test(String((body.messages as { content: string }[])[0]!.content)) ? { status: 400, body: { error: { message: 'no', type: 'invalid_request_error' } } } : likeTop(body, req);
    const [a, b] = [await fake(refuse41), await fake(refuse41)];
    const exp = experiment(localModel([a.url, b.url], ', price: { prompt: 2, completion: 10 }, budget: { max_requests: 1000, max_cost_usd: 50 }'), [
      'budget={ max_tokens: 100000000 }',
    ]);
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    const lines = stepLines(dir);
    expect(lines.map((e) => e.step)).toEqual([0, 1, 2]);
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const byEndpoint = await db.query(
        `SELECT step, model, endpoint, count(*)::INTEGER AS requests, count(*) FILTER (WHERE outcome <> 'ok')::INTEGER AS failures,
           round(avg(latency_ms), 1) AS latency_ms_mean, list(latency_ms ORDER BY latency_ms)[ceil(0.95 * count(*))::INTEGER] AS latency_ms_p95,
           sum(prompt_tokens)::INTEGER AS prompt_tokens, sum(completion_tokens)::INTEGER AS completion_tokens
         FROM llm_calls GROUP BY ALL ORDER BY step, model, endpoint`,
      );
      const upTo = await db.query<{ step: number; requests: number; tokens: number; p: number; c: number }>(
        `SELECT s.step, sum(c.attempts)::INTEGER AS requests, sum(c.prompt_tokens + c.completion_tokens)::INTEGER AS tokens,
           sum(c.prompt_tokens)::INTEGER AS p, sum(c.completion_tokens)::INTEGER AS c
         FROM steps s JOIN llm_calls c ON c.step <= s.step GROUP BY s.step ORDER BY s.step`,
      );
      for (const e of lines) {
        expect(e.llm_requests).toBe(20);
        expect(e.llm.map((x) => x.endpoint)).toEqual([a.url, b.url].sort());
        expect(sum(Object.fromEntries(e.llm.map((x) => [x.endpoint, x.requests])))).toBe(e.llm_requests);
        expect(e.llm.reduce((s, x) => s + x.failures, 0)).toBe(e.llm_failures);
        expect(e.llm.map((x) => ({ step: e.step, ...x }))).toEqual(byEndpoint.filter((r) => r.step === e.step));
        expect(e.llm.every((x) => x.model === 'local' && x.prompt_tokens > 0 && x.latency_ms_p95 >= 0)).toBe(true);
        // Each budget with only the caps it sets, against what was sent up to this step.
        const u = upTo.find((r) => r.step === e.step)!;
        expect(e.budget).toEqual([
          { scope: 'local', used_requests: u.requests, max_requests: 1000, used_usd: Math.round(((2 * u.p + 10 * u.c) / 1e6) * 1e6) / 1e6, max_usd: 50 },
          { scope: 'run', used_tokens: u.tokens, max_tokens: 100000000 },
        ]);
      }
    });
    // Agent 41's request failed at every step.
    expect(lines.map((e) => e.llm_failures)).toEqual([1, 1, 1]);
    expect(lines[2]!.budget![0]!.used_requests).toBeGreaterThan(lines[0]!.budget![0]!.used_requests!);

    const { live, recovered } = await loseAndRecover(dir, exp, [0, 2]);
    expect(recovered.map((e) => e.step)).toEqual([0, 2]);
    expect(recovered.map(comparable)).toEqual(live.map(comparable));
  });
});
