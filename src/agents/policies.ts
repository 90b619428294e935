import type { Experiment } from '../config/types.js';
import { createStatisticalPolicy } from './statistical.js';
import type { AgentPolicy } from './types.js';

/** A cohort's model has no policy yet; the CLI reports it as invalid input. */
export class PolicyUnavailableError extends Error {
  readonly code = 'run.unsupported_model';
}

/** One policy per model, shared by the cohorts that use it; keyed by cohort name. */
export function createPolicies(exp: Experiment): Map<string, AgentPolicy> {
  const byModel = new Map<string, AgentPolicy>();
  const byCohort = new Map<string, AgentPolicy>();
  for (const cohort of exp.cohorts) {
    const model = exp.models[cohort.model];
    if (!model) throw new PolicyUnavailableError(`cohort "${cohort.name}" uses model "${cohort.model}", which is not defined under models`);
    let policy = byModel.get(cohort.model);
    if (!policy) {
      if (model.provider !== 'statistical') {
        throw new PolicyUnavailableError(
          `cohort "${cohort.name}" uses model "${cohort.model}" (provider ${model.provider}); LLM-driven cohorts are not available in this version yet — use provider: statistical`,
        );
      }
      policy = createStatisticalPolicy(exp.seed, model);
      byModel.set(cohort.model, policy);
    }
    byCohort.set(cohort.name, policy);
  }
  return byCohort;
}
