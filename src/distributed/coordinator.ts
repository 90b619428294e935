/** A run's choice of where its LLM requests go: `distributed.redis` → a `RedisPool`. */
import { PolicyUnavailableError, type PolicyOptions } from '../agents/policies.js';
import { configHash } from '../config/load.js';
import type { Experiment } from '../config/types.js';
import { RedisPool } from './pool.js';
import { remoteInit } from './protocol.js';

/** Seconds without Redis before a run stops (resumable), unless `distributed.lost_after_s` says. */
export const DEFAULT_LOST_AFTER_S = 10;

/** The pool factory for `createPolicies` (`redis` replaces `distributed.redis`), or undefined when the run keeps its requests in threads. */
export function remotePoolFor(exp: Experiment, redis?: string): PolicyOptions['remotePool'] {
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
  return (init, apiKeyEnvs) => new RedisPool({ url: d.redis, run, init: remoteInit(init, apiKeyEnvs), lostAfterMs: Math.round((d.lost_after_s ?? DEFAULT_LOST_AFTER_S) * 1000) });
}
