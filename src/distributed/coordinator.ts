/** A run's choice of where its LLM requests go: `distributed.redis` → a `RedisPool`, and its budgets in Redis. */
import { randomBytes } from 'node:crypto';
import type { PolicyOptions } from '../agents/policies.js';
import { configHash } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import type { LlmPool } from '../agents/llm/pool.js';
import type { RedisPoolOptions } from './pool.js';
import { personasKey, remoteInit, resultsKey } from './protocol.js';
import type { WorkerAccounts } from './accounts.js';
import type { BudgetGate } from '../llm/budget-gate.js';
import { budgetKey, RedisRunGate } from './budget.js';

/** Seconds without Redis before a run stops (resumable), unless `distributed.lost_after_s` says. */
export const DEFAULT_LOST_AFTER_S = 10;

/**
 * Where a run's requests go when they go to workers: the pool factory for `createPolicies`
 * (`redis` replaces `distributed.redis`), and the gate its budgets then use (in Redis, so the
 * workers share it; built from `local`, the in-process gate the run would otherwise use).
 * Undefined when the run keeps its requests in threads. `accounts` gets each finished job's
 * worker and requests.
 */
export function remotePoolFor(
  exp: Experiment,
  redis: string | undefined,
  accounts?: WorkerAccounts,
  local?: BudgetGate | null,
): { pool: NonNullable<PolicyOptions['remotePool']>; budgetGate: RedisRunGate | null } | undefined {
  const d = redis !== undefined ? { ...exp.distributed, redis } : exp.distributed;
  if (!d) return undefined;
  // The config hash names the experiment before any folder exists; the nonce keeps two runs of
  // it at once (different --out) from sharing job ids, results and budget counts, and a resume
  // from meeting the jobs of the invocation it continues (its budget counts start from the run's
  // records, written by RedisRunGate.start before the first job).
  const run = `${configHash(exp).slice(0, 12)}-${randomBytes(4).toString('hex')}`;
  const budgetGate = local ? new RedisRunGate({ key: budgetKey(run), models: local.shared.models, scopes: local.shared.scopes }) : null;
  return {
    budgetGate,
    pool: (init, apiKeyEnvs) =>
      lazyRedisPool({
        url: d.redis,
        run,
        init: { ...remoteInit(init, apiKeyEnvs, { results: resultsKey(run), personas: personasKey(run) }), ...(budgetGate ? { budget: budgetGate.spec } : {}) },
        lostAfterMs: Math.round((d.lost_after_s ?? DEFAULT_LOST_AFTER_S) * 1000),
        ...(accounts ? { accounts } : {}),
        ...(budgetGate ? { budget: budgetGate } : {}),
      }),
  };
}

/** A RedisPool made on first use: runs without --redis never load BullMQ and ioredis. */
function lazyRedisPool(o: RedisPoolOptions): LlmPool {
  let pool: Promise<LlmPool> | undefined;
  const get = (): Promise<LlmPool> => (pool ??= import('./pool.js').then((m) => new m.RedisPool(o)));
  return {
    remote: true,
    decide: async (model, requests, step) => (await get()).decide(model, requests, step),
    survey: async (model, question, requests, step) => (await get()).survey(model, question, requests, step),
    close: async () => {
      if (pool) await (await pool).close();
    },
  };
}
