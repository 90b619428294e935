/**
 * What a worker does with one task, wherever it runs: a piscina thread (worker.ts) or a
 * `socialsim worker` process taking jobs from Redis (src/distributed/worker.ts). Both build a
 * `WorkerInit` and call `createTaskRunner`, so they share the client, limiter, retries, repair
 * turn and accounting.
 */
import { BudgetGate, type RequestGate, type SharedBudget } from '../../llm/budget-gate.js';
import { recordingClient, replayClient } from '../../llm/cache.js';
import { createModelClient } from '../../llm/client.js';
import { EndpointLimiter, type ClientLimiter, type SharedLimiter } from '../../llm/limiter.js';
import { secretsOf } from '../../llm/redact.js';
import type { ModelClient, ModelSettings } from '../../llm/types.js';
import type { Decision } from '../types.js';
import { decideWithLlm, type LlmAgentConfig } from './decide.js';
import { askSurvey, type SurveyAnswer, type SurveyQuestion } from './survey.js';
import type { WireRequest } from './wire.js';
import { TaskAbort } from './task-abort.js';

export interface WorkerModel {
  readonly settings: ModelSettings;
  readonly limiter: SharedLimiter;
  readonly agent: LlmAgentConfig;
  /** Replaying a run: its recorded responses by request key; no endpoint is called. */
  readonly replay?: readonly (readonly [string, string])[];
  /** Replaying a run: the requests its budget turned away (request key → error). */
  readonly refused?: readonly (readonly [string, string])[];
}

export interface WorkerInit {
  readonly models: Readonly<Record<string, WorkerModel>>;
  /** The run's budgets, shared with every thread: each request is admitted just before it is sent. */
  readonly budget?: SharedBudget;
}

export type WorkerTask =
  | { readonly kind: 'decide'; readonly model: string; readonly requests: readonly WireRequest[] }
  | { readonly kind: 'survey'; readonly model: string; readonly question: SurveyQuestion; readonly requests: readonly WireRequest[] };

export type WorkerResult = Decision[] | SurveyAnswer[];

export { TaskAbort };

/**
 * Runs tasks against `init`'s models: one client per model, made on first use. `gate`: the
 * budgets when they live elsewhere than `init.budget` (a `socialsim worker`'s, in Redis);
 * `limiterFor`: a model's limiter from its process limiter (a worker's adds slots shared in Redis).
 */
export function createTaskRunner(
  init: WorkerInit,
  budgetGate?: RequestGate,
  limiterFor: (model: string, local: EndpointLimiter) => ClientLimiter = (_model, local) => local,
): (task: WorkerTask) => Promise<WorkerResult> {
  const clients = new Map<string, { client: ModelClient; agent: LlmAgentConfig }>();
  const gate = budgetGate ?? (init.budget ? BudgetGate.attach(init.budget) : undefined);

  const clientFor = (model: string): { client: ModelClient; agent: LlmAgentConfig } => {
    let entry = clients.get(model);
    if (!entry) {
      const m = init.models[model];
      if (!m) throw new Error(`worker has no model "${model}"`);
      // The run's keys, removed from the recorded prompts as the client removes them from answers.
      const secrets = secretsOf(m.settings);
      const client = m.replay
        ? replayClient(m.settings, new Map(m.replay), new Map(m.refused ?? []), secrets)
        : recordingClient(createModelClient(m.settings, limiterFor(model, EndpointLimiter.attach(m.limiter)), gate), secrets);
      entry = { client, agent: m.agent };
      clients.set(model, entry);
    }
    return entry;
  };

  return async (task) => {
    const { client, agent } = clientFor(task.model);
    if (task.kind === 'survey') {
      return Promise.all(
        task.requests.map((r) =>
          askSurvey(client, agent, r, task.question).catch(
            (err: unknown): SurveyAnswer => aborted(err) ?? ({ answer: null, raw: null, error: `internal error while asking: ${err instanceof Error ? err.message : String(err)}`, calls: [] }),
          ),
        ),
      );
    }
    return Promise.all(
      task.requests.map((r) =>
        decideWithLlm(client, agent, r).catch(
          (err: unknown): Decision => aborted(err) ?? ({
            actions: [],
            rejected: [{ action: 'decide', args: '{}', error: `internal error while deciding: ${err instanceof Error ? err.message : String(err)}` }],
          }),
        ),
      ),
    );
  };
}

/** Rethrows a `TaskAbort` (the task fails); anything else becomes that agent's failed decision. */
function aborted(err: unknown): never | null {
  if (err instanceof TaskAbort) throw err;
  return null;
}
