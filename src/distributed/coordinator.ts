/** A run's choice of where its LLM requests go: `distributed.redis` → a `RedisPool`. */
import { PolicyUnavailableError, type PolicyOptions } from '../agents/policies.js';
import { configHash } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import type { LlmPool } from '../agents/llm/pool.js';
import type { RedisPoolOptions } from './pool.js';
import { remoteInit } from './protocol.js';
import type { WorkerAccounts } from './accounts.js';

/** Seconds without Redis before a run stops (resumable), unless `distributed.lost_after_s` says. */
export const DEFAULT_LOST_AFTER_S = 10;

/**
 * The pool factory for `createPolicies` (`redis` replaces `distributed.redis`), or undefined when
 * the run keeps its requests in threads. `accounts` gets each finished job's worker and requests.
 */
export function remotePoolFor(exp: Experiment, redis?: string, accounts?: WorkerAccounts): PolicyOptions['remotePool'] {
  const d = redis !== undefined ? { ...exp.distributed, redis } : exp.distributed;
  if (!d) return undefined;
  const budgeted = exp.budget ? 'budget' : Object.entries(exp.models).find(([, m]) => m.provider !== 'statistical' && m.budget)?.[0];
  if (budgeted !== undefined) {
    const where = budgeted === 'budget' ? 'budget' : `models.${budgeted}.budget`;
    throw new PolicyUnavailableError(
      `budgets need a single process in this version: the experiment sets ${where} and runs its requests on workers (distributed.redis / --redis); drop one or the other`,
    );
  }
  // The config hash is the run's id before any folder exists; workers see only its prefix.
  const run = configHash(exp).slice(0, 16);
  return (init, apiKeyEnvs) => lazyRedisPool({ url: d.redis, run, init: remoteInit(init, apiKeyEnvs), lostAfterMs: Math.round((d.lost_after_s ?? DEFAULT_LOST_AFTER_S) * 1000), ...(accounts ? { accounts } : {}) });
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
