/**
 * A piscina worker: builds prompts, calls the endpoints of its models and returns validated
 * decisions. Endpoint concurrency limits are shared with every other worker through the
 * limiters' SharedArrayBuffers; the main thread alone writes DuckDB.
 */
import { workerData } from 'node:worker_threads';
import { createModelClient } from '../../llm/client.js';
import { EndpointLimiter, type SharedLimiter } from '../../llm/limiter.js';
import type { ModelClient, ModelSettings } from '../../llm/types.js';
import type { Decision } from '../types.js';
import { decideWithLlm, type LlmAgentConfig } from './decide.js';
import type { WireRequest } from './wire.js';

export interface WorkerModel {
  readonly settings: ModelSettings;
  readonly limiter: SharedLimiter;
  readonly agent: LlmAgentConfig;
}

export interface WorkerInit {
  readonly models: Readonly<Record<string, WorkerModel>>;
}

export interface WorkerTask {
  readonly model: string;
  readonly requests: readonly WireRequest[];
}

const init = workerData as WorkerInit;
const clients = new Map<string, { client: ModelClient; agent: LlmAgentConfig }>();

function clientFor(model: string): { client: ModelClient; agent: LlmAgentConfig } {
  let entry = clients.get(model);
  if (!entry) {
    const m = init.models[model];
    if (!m) throw new Error(`worker has no model "${model}"`);
    entry = { client: createModelClient(m.settings, EndpointLimiter.attach(m.limiter)), agent: m.agent };
    clients.set(model, entry);
  }
  return entry;
}

export default async function decideBatch(task: WorkerTask): Promise<Decision[]> {
  const { client, agent } = clientFor(task.model);
  return Promise.all(
    task.requests.map((r) =>
      decideWithLlm(client, agent, r).catch(
        (err: unknown): Decision => ({
          actions: [],
          rejected: [{ action: 'decide', args: '{}', error: `internal error while deciding: ${err instanceof Error ? err.message : String(err)}` }],
        }),
      ),
    ),
  );
}
