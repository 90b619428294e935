/**
 * A run's agent policies: made from its experiment (live, with its budgets shared with the LLM
 * worker threads or kept in Redis for `socialsim worker`s; or answered from a recording), what
 * cohorts fall back on when a budget runs out, and their closing.
 */
import { createPolicies, seedCohort, type PolicyOptions } from '../agents/policies.js';
import { createStatisticalPolicy } from '../agents/statistical.js';
import type { AgentPolicy } from '../agents/types.js';
import type { Prices } from '../analysis/llm-usage.js';
import { statisticalDefaults } from '../config/load.js';
import type { Experiment, StatisticalModelConfig } from '../config/types.js';
import { WorkerAccounts } from '../distributed/accounts.js';
import { remotePoolFor } from '../distributed/coordinator.js';
import type { RunGate } from '../llm/budget-gate.js';
import { budgetGateFor } from './budget.js';
import type { Recording } from './replay.js';

/**
 * The policies of a run and the budget gate they send through: answered from `recording` (a
 * replay: no gate, nothing is sent), or live with the experiment's budgets shared with the
 * worker threads.
 */
export function policiesFor(
  exp: Experiment,
  opts: { readonly llmThreads?: number; readonly redis?: string } = {},
  recording?: Recording,
): { policies: Map<string, AgentPolicy>; budgetGate: RunGate | null; workerAccounts: WorkerAccounts | null } {
  // A replay sends nothing: it answers from its recording in this process, --redis or not.
  const accounts = new WorkerAccounts();
  const local = recording ? null : budgetGateFor(exp);
  // On workers, the budgets live in Redis (the workers share them); in threads, in `local`.
  const remote = recording ? undefined : remotePoolFor(exp, opts.redis, accounts, local);
  const options: PolicyOptions = {
    ...(recording ?? {}),
    ...(remote ? { remotePool: remote.pool } : {}),
    ...(local && !remote ? { budget: local.shared } : {}),
    ...(opts.llmThreads !== undefined ? { threads: opts.llmThreads } : {}),
  };
  return { policies: createPolicies(exp, process.env, options), budgetGate: remote ? remote.budgetGate : local, workerAccounts: remote ? accounts : null };
}

export async function closePolicies(policies: ReadonlyMap<string, AgentPolicy>): Promise<void> {
  await Promise.all([...new Set(policies.values())].map((p) => p.close?.()));
}

export function llmPrices(exp: Experiment): Prices {
  return Object.fromEntries(Object.entries(exp.models).map(([name, m]) => [name, m.provider === 'statistical' ? undefined : m.price]));
}

/** The policy keys (cohorts, and seed accounts acting through a model) on the given models. */
export function budgetCohorts(exp: Experiment, models: readonly string[]): string[] {
  return [
    ...exp.cohorts.filter((c) => models.includes(c.model)).map((c) => c.name),
    ...exp.seeds.filter((s) => s.model !== undefined && models.includes(s.model)).map((s) => seedCohort(s.name)),
  ];
}

/** What cohorts continue on when their model's budget runs out: the experiment's first statistical model, or the defaults. */
export function fallbackPolicy(exp: Experiment): AgentPolicy {
  const stat = Object.values(exp.models).find((m): m is StatisticalModelConfig => m.provider === 'statistical');
  return createStatisticalPolicy(exp.seed, stat ?? statisticalDefaults());
}
