/**
 * The Redis-backed budget gate against the in-process one (src/llm/budget-gate.ts), on a real
 * redis-server: the same seeded sequence of reserves and settles gets the same admissions, the
 * same refusal messages and the same counts, to the double; concurrent senders on separate
 * connections never pass a request cap; a gate whose state is gone refuses to guess.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/common/rng.js';
import { TaskAbort } from '../../src/agents/llm/task.js';
import { budgetKey, BudgetStateLostError, RedisGate, RedisRunGate, type BudgetSpec } from '../../src/distributed/budget.js';
import { BudgetGate, type Admission, type Reservation, type RunGate } from '../../src/llm/budget-gate.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer | undefined;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis(redis!.url);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.close();
});

/** Three models (one unpriced), a model's token cap and a run-wide cap on requests and cost. */
function spec(run: string, caps: { tokens?: number; requests?: number; usd?: number }): BudgetSpec {
  return {
    key: budgetKey(run),
    models: [{ name: 'a', price: { prompt: 0.5, completion: 1.5 } }, { name: 'b', price: { prompt: 2.1, completion: 7.3 } }, { name: 'c' }],
    scopes: [
      { name: 'a', models: ['a'], ...(caps.tokens !== undefined ? { maxTokens: caps.tokens } : {}) },
      { name: 'run', models: ['a', 'b', 'c', 'embedder'], ...(caps.requests !== undefined ? { maxRequests: caps.requests } : {}), ...(caps.usd !== undefined ? { maxCostUsd: caps.usd } : {}) },
    ],
  };
}

/** The hash's counts, as BudgetGate.spend gives them. */
async function spendInRedis(c: Redis, s: BudgetSpec, i: number): Promise<number[]> {
  const v = await c.hmget(s.key, `r:${i}`, `p:${i}`, `c:${i}`, `pr:${i}`, `cr:${i}`);
  return v.map((x) => Number(x ?? 0));
}

const localSpend = (g: BudgetGate, model: string): number[] => {
  const s = g.spend(model);
  return [s.requests, s.promptTokens, s.completionTokens, s.reservedPrompt, s.reservedCompletion];
};

/** Runs the same seeded operations on both gates and compares every answer and the final counts. */
async function compare(run: string, caps: Parameters<typeof spec>[1], seed: number, before?: (g: RunGate) => void): Promise<void> {
  const s = spec(run, caps);
  const local = BudgetGate.create(s.models, s.scopes);
  const gate = new RedisRunGate(s);
  const both = [local, gate] as const;
  if (before) for (const g of both) before(g);
  const rng = new Rng(seed);
  const held: [Reservation | null, Reservation | null][] = [];
  const models = ['a', 'b', 'c'];
  const counts = { ok: 0, refused: 0 };
  for (let op = 0; op < 400; op++) {
    // Half-way through, the run's gate moves to Redis, with reservations still held.
    if (op === 200) await gate.start(client(), 60);
    if (held.length > 0 && rng.chance(0.45)) {
      const [l, r] = held.splice(rng.int(held.length), 1)[0]!;
      const used = { promptTokens: rng.int(900) + 0.25 * rng.int(3), completionTokens: rng.int(300) };
      local.settle(l, used);
      await gate.settle(r, used);
      continue;
    }
    const model = models[rng.int(3)]!;
    const prompt = rng.int(1000) - 50;
    const completion = rng.int(400);
    const a: Admission = local.reserve(model, prompt, completion);
    const b: Admission = await gate.reserve(model, prompt, completion);
    expect(b, `op ${op}`).toEqual(a);
    counts[a.ok ? 'ok' : 'refused']++;
    if (a.ok && b.ok) held.push([a.reservation, b.reservation]);
  }
  // Both outcomes happened: the caps were reached, not only approached.
  expect(counts.ok).toBeGreaterThan(20);
  expect(counts.refused).toBeGreaterThan(5);
  const c = client();
  for (const [i, m] of models.entries()) expect(await spendInRedis(c, s, i), m).toEqual(localSpend(local, m));
  await gate.refresh();
  expect(gate.refusals()).toEqual(local.refusals());
}

describe('RedisGate', () => {
  it('when the same seeded reserves and settles go to both gates then every admission, message and count is the same', async () => {
    await compare('t-tokens', { tokens: 40_000 }, 1);
    await compare('t-requests', { requests: 150 }, 2);
    await compare('t-cost', { usd: 0.12 }, 3);
    await compare('t-all', { tokens: 90_000, requests: 170, usd: 0.2 }, 4);
  });

  it('when the run starts from earlier spending and a closed scope then Redis starts from them too', async () => {
    await compare('t-resume', { requests: 150, usd: 2 }, 5, (g) => {
      g.add('a', { requests: 40, promptTokens: 9000, completionTokens: 3000 });
      g.add('b', { requests: 7, promptTokens: 100, completionTokens: 11 });
    });
    await compare('t-closed', { tokens: 1e6, requests: 1000 }, 6, (g) => g.close('a'));
  });

  it('when many senders on separate connections reserve at once then exactly the cap is admitted', async () => {
    const s = spec('t-race', { requests: 50 });
    const run = new RedisRunGate(s);
    await run.start(client(), 60);
    const gates = [new RedisGate(client(), s), new RedisGate(client(), s), new RedisGate(client(), s)];
    const answers = await Promise.all(Array.from({ length: 240 }, (_, i) => gates[i % 3]!.reserve(['a', 'b', 'c'][i % 3]!, 10, 10)));
    expect(answers.filter((a) => a.ok)).toHaveLength(50);
    const refused = answers.filter((a): a is Extract<Admission, { ok: false }> => !a.ok);
    expect(new Set(refused.map((a) => a.scope))).toEqual(new Set(['run']));
    expect(refused[0]!.message).toBe('budget run exhausted (50 requests of 50 allowed): request not sent');
    await run.refresh();
    expect(run.refusals()).toEqual([{ scope: 'run', limit: 'requests' }]);
  });

  it('when the state is gone from Redis then a reserve fails the task instead of sending', async () => {
    const s = spec('t-gone', { requests: 5 });
    const c = client();
    await new RedisRunGate(s).start(c, 60);
    const g = new RedisGate(c, s);
    expect((await g.reserve('a', 1, 1)).ok).toBe(true);
    await c.del(s.key);
    const err = await g.reserve('a', 1, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetStateLostError);
    expect(err).toBeInstanceOf(TaskAbort);
    expect((err as Error).message).toMatch(/not in Redis .*nothing is sent until the run is resumed/);
  });
});
