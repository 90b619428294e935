import type { Experiment, OpenAICompatibleModelConfig, OpenAIModelConfig } from '../config/types.js';
import type { SharedBudget } from '../llm/budget-gate.js';
import { createLimiterFor, MissingApiKeyError, modelSettingsFromConfig } from '../llm/settings.js';
import { createLlmPolicy } from './llm/policy.js';
import { defaultLlmThreads, LlmWorkerPool, type LlmPool } from './llm/pool.js';
import { estimateTokens } from './llm/fit.js';
import { loadTemplates } from './llm/prompts.js';
import { agentTools } from './llm/tools.js';
import type { WorkerInit, WorkerModel } from './llm/task.js';
import { createStatisticalPolicy } from './statistical.js';
import type { AgentPolicy } from './types.js';

/** A cohort's model cannot be used (e.g. its API key is not set); the CLI reports it as invalid input. */
export class PolicyUnavailableError extends Error {
  readonly code = 'run.unsupported_model';
}

type LlmConfig = OpenAICompatibleModelConfig | OpenAIModelConfig;

/**
 * One policy per model, shared by the cohorts that use it; keyed by cohort name. All LLM
 * models share one worker pool (threads are per run, not per model).
 */
export interface PolicyOptions {
  /** Recorded responses by model key: the LLM cohorts answer from them instead of endpoints. */
  readonly replay?: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  /** With `replay`: the requests the recorded run's budgets turned away, by model key (request key → error). */
  readonly refusals?: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  /** The run's budget gate (src/engine/budget.ts), shared with the worker threads. */
  readonly budget?: SharedBudget;
  /** Worker threads for LLM agents (default: one per 256 LLM agents, at most 2: defaultLlmThreads). */
  readonly threads?: number;
  /**
   * Requests go to this pool instead of threads (src/distributed/pool.ts): it gets the models
   * and each one's `api_key_env`. No key is read here: the workers read their own.
   */
  readonly remotePool?: (init: WorkerInit, apiKeyEnvs: Readonly<Record<string, string | undefined>>) => LlmPool;
}

export function createPolicies(
  exp: Experiment,
  env: Readonly<Record<string, string | undefined>> = process.env,
  opts: PolicyOptions = {},
): Map<string, AgentPolicy> {
  const used = new Map<string, Experiment['models'][string]>();
  // Cohorts, and seed accounts that act through a model, each keyed by the name personas carry.
  const actors = [...exp.cohorts.map((c) => ({ key: c.name, model: c.model })), ...exp.seeds.flatMap((s) => (s.model ? [{ key: seedCohort(s.name), model: s.model }] : []))];
  for (const actor of actors) {
    const model = exp.models[actor.model];
    if (!model) throw new PolicyUnavailableError(`"${actor.key}" uses model "${actor.model}", which is not defined under models`);
    used.set(actor.model, model);
  }

  const llm = new Map<string, WorkerModel>();
  for (const [name, model] of used) {
    if (model.provider === 'statistical') continue;
    const replay = opts.replay?.get(name);
    // A replay needs no endpoint and no key: the recorded answers stand in for the model.
    const refused = opts.refusals?.get(name);
    const liveEnv = opts.remotePool ? { ...env, ...keyless(model) } : env;
    llm.set(name, replay ? { ...llmWorkerModel(name, model, { ...env, ...keyless(model) }), replay, ...(refused ? { refused } : {}) } : llmWorkerModel(name, model, liveEnv));
  }
  // Each model's answers are cleaned of every key of the run, not only its own (src/llm/redact.ts).
  const keys = [...llm.values()].map((m) => m.settings.apiKey).filter((k): k is string => k !== null);
  if (keys.length > 0) for (const [name, m] of llm) llm.set(name, { ...m, settings: { ...m.settings, otherKeys: keys } });
  // Cohorts' agents and seed accounts on the LLM models: what the default thread count follows.
  const llmAgents =
    exp.cohorts.reduce((n, c) => n + (llm.has(c.model) ? c.count : 0), 0) + exp.seeds.filter((s) => s.model !== undefined && llm.has(s.model)).length;
  const apiKeyEnvs = Object.fromEntries([...llm.keys()].map((name) => [name, (used.get(name) as LlmConfig).api_key_env]));
  const pool: LlmPool | null =
    llm.size > 0 && opts.remotePool
      ? opts.remotePool({ models: Object.fromEntries(llm) }, apiKeyEnvs)
      : llm.size > 0
      ? new LlmWorkerPool(
          { models: Object.fromEntries(llm), ...(opts.budget ? { budget: opts.budget } : {}) },
          [...llm.values()].reduce((n, m) => n + m.settings.endpoints.reduce((k, e) => k + e.maxConcurrency, 0), 0),
          opts.threads ?? defaultLlmThreads(llmAgents),
        )
      : null;

  const byModel = new Map<string, AgentPolicy>();
  for (const [name, model] of used) {
    byModel.set(name, model.provider === 'statistical' ? createStatisticalPolicy(exp.seed, model) : createLlmPolicy(name, model, llm.get(name)!, pool!));
  }
  return new Map(actors.map((a) => [a.key, byModel.get(a.model)!]));
}

/** The policy key (persona.cohort) of a seed account that acts through a model. */
export function seedCohort(name: string): string {
  return `seed:${name}`;
}

/**
 * Prompt tokens a model must have left after max_tokens and the tool schemas: the persona,
 * instructions and a few feed posts. Below it agents would act on a feed trimmed to nothing.
 */
export const MIN_PROMPT_TOKENS = 768;

/** Tokens an LLM model's prompts may use: its context less max_tokens and the schemas of the tools it offers. */
function promptBudget(model: LlmConfig): { readonly promptTokens: number; readonly schemas: number } {
  const schemas = model.tool_mode === 'tools' ? toolSchemaTokens(model.actions) : 0;
  return { promptTokens: model.context_tokens - model.max_tokens - schemas, schemas };
}

/** Why an LLM model's context is too small for its prompts, or null. */
export function promptBudgetProblem(name: string, model: LlmConfig, { promptTokens, schemas } = promptBudget(model)): string | null {
  if (promptTokens >= MIN_PROMPT_TOKENS) return null;
  const offered = model.actions ? `the ${model.actions.length} listed actions` : `all ${agentTools().length} actions`;
  return (
    `model "${name}": context_tokens ${model.context_tokens} leaves ${promptTokens} tokens for the prompt after max_tokens (${model.max_tokens}) and the tool schemas of ${offered} (~${schemas}); ` +
    `at least ${MIN_PROMPT_TOKENS} are needed: raise context_tokens, list fewer actions (models.${name}.actions), or use tool_mode: json`
  );
}

function llmWorkerModel(name: string, model: LlmConfig, env: Readonly<Record<string, string | undefined>>): WorkerModel {
  const budget = promptBudget(model);
  const problem = promptBudgetProblem(name, model, budget);
  if (problem) throw new PolicyUnavailableError(problem);
  const { promptTokens } = budget;
  try {
    const settings = modelSettingsFromConfig(name, model, env);
    return {
      settings,
      limiter: createLimiterFor(settings).shared,
      agent: {
        modelName: name,
        toolMode: model.tool_mode,
        templates: loadTemplates(model.prompts),
        promptTokens,
        ...(model.actions ? { actions: [...model.actions] } : {}),
      },
    };
  } catch (err) {
    if (err instanceof MissingApiKeyError) throw new PolicyUnavailableError(err.message);
    throw err;
  }
}

/** What the tool list costs in the prompt (servers render the schemas into the context). */
function toolSchemaTokens(actions?: readonly string[]): number {
  return estimateTokens(JSON.stringify(agentTools(false, actions ? new Set(actions) : undefined)));
}

/** A placeholder for the key variable, so a replay runs where the original key is absent. */
function keyless(model: LlmConfig): Record<string, string> {
  return model.api_key_env ? { [model.api_key_env]: process.env[model.api_key_env] || 'replay-needs-no-key' } : {};
}
