/**
 * What the coordinator (`socialsim run --redis`) and its workers (`socialsim worker`) say to each
 * other through Redis: queue names, job ids, job data and results, and the run's model settings
 * without any API key. A worker reads each model's key from its own environment (the variable
 * `api_key_env` names), so no key ever goes through Redis.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { LlmAgentConfig } from '../agents/llm/decide.js';
import type { WorkerInit, WorkerResult } from '../agents/llm/task.js';
import { canonicalJson } from '../config/resolve.js';
import { createLimiterFor, MissingApiKeyError, withoutKeys } from '../llm/settings.js';
import type { ModelSettings } from '../llm/types.js';
import type { BudgetSpec } from './budget.js';
import type { RemoteTask } from './feed-wire.js';

/** Every key socialsim writes starts with this. */
export const PREFIX = 'socialsim';

/** The BullMQ queue of a model's requests (one per model, so a worker can serve some models only). */
export function queueName(model: string): string {
  return `${PREFIX}.llm.${safe(model)}`;
}

/** Model names coordinators have queued for: workers started without --models watch it. */
export const MODELS_KEY = `${PREFIX}:models`;

/** The workers serving a model and the jobs each takes at once (src/distributed/roster.ts). */
export function rosterKey(model: string): string {
  return `${PREFIX}:workers:${safe(model)}`;
}

/** Where a run's `RemoteInit` is kept, by its content hash. */
export function initKey(hash: string): string {
  return `${PREFIX}:init:${hash}`;
}

/** The list a run invocation's job results are pushed onto (src/distributed/inbox.ts reads it). */
export function resultsKey(run: string): string {
  return `${PREFIX}:results:${run}`;
}

/** A run invocation's feed posts of one step, each once (src/distributed/feed-wire.ts). */
export function postsKey(run: string, step: number): string {
  return `${PREFIX}:posts:${run}:${step}`;
}

/** A run invocation's agents' personas, each once (src/distributed/feed-wire.ts). */
export function personasKey(run: string): string {
  return `${PREFIX}:personas:${run}`;
}

/**
 * A job's id: the run, step, model, the policy's call within the step (a model shared by two
 * cohorts is asked once per cohort, in cohort order) and the chunk. The same step of the same
 * run gives the same ids, so a re-queued or re-sent job is the same job, never a second one.
 */
export function jobId(run: string, step: number, model: string, call: string, chunk: number): string {
  return [run, step, safe(model), call, chunk].join('.');
}

/** BullMQ's custom ids may not hold ':' nor be integers. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);
}

/** A model as workers get it: settings without keys, the key's variable name, the prompts. */
export interface RemoteModel {
  readonly settings: Omit<ModelSettings, 'apiKey' | 'otherKeys'>;
  /** The environment variable that holds the key on each worker's machine; null: no key. */
  readonly apiKeyEnv: string | null;
  readonly agent: LlmAgentConfig;
}

export interface RemoteInit {
  readonly models: Readonly<Record<string, RemoteModel>>;
  /** The list workers push this run invocation's job results onto (`resultsKey`). */
  readonly results: string;
  /** Where the run's agents' personas are (`personasKey`). */
  readonly personas: string;
  /** The run's budgets, whose state is in Redis (src/distributed/budget.ts); absent: none. */
  readonly budget?: BudgetSpec;
}

export interface JobData {
  /** The content hash of the run's `RemoteInit` (its key: `initKey`). */
  readonly init: string;
  /** Where the shared parts of the task's feed posts are (`postsKey`). */
  readonly posts: string;
  readonly task: RemoteTask;
}

/** What a worker pushes onto the run's results list for each finished job. */
export interface JobResult {
  /** The job's id. */
  readonly id: string;
  /** The worker's host name and process id, for accounting per worker host. */
  readonly worker: string;
  readonly results: WorkerResult;
}

/** The run's models for workers: the keys left out, their variables named instead. */
export function remoteInit(init: WorkerInit, apiKeyEnvs: Readonly<Record<string, string | undefined>>, keys: Pick<RemoteInit, 'results' | 'personas'>): RemoteInit {
  const models: Record<string, RemoteModel> = {};
  for (const [name, m] of Object.entries(init.models)) {
    models[name] = { settings: withoutKeys(m.settings), apiKeyEnv: apiKeyEnvs[name] ?? null, agent: m.agent };
  }
  return { models, results: keys.results, personas: keys.personas };
}

export function initHash(init: RemoteInit): string {
  return createHash('sha256').update(canonicalJson(init)).digest('hex').slice(0, 24);
}

/** Base URLs by model key: a worker's own endpoints (`socialsim worker --endpoint`). */
export type OwnEndpoints = Readonly<Record<string, readonly string[]>>;

/**
 * A worker's `WorkerInit` from a run's `RemoteInit`: each key from this machine's environment,
 * the limiters this process's own (`max_concurrency` holds per worker process). A model whose
 * key variable is unset here is left out, with the error its jobs fail with. A model in `own`
 * is sent to those URLs instead of the run's, each with the run's `max_concurrency` and the same
 * retry and rotation settings (only the URLs change, so the client and limiter are the same).
 */
export function localInit(
  remote: RemoteInit,
  env: Readonly<Record<string, string | undefined>>,
  own: OwnEndpoints = {},
): { init: WorkerInit; missing: ReadonlyMap<string, MissingApiKeyError> } {
  const missing = new Map<string, MissingApiKeyError>();
  const keys = new Map<string, string | null>();
  for (const [name, m] of Object.entries(remote.models)) {
    const v = m.apiKeyEnv === null ? null : env[m.apiKeyEnv];
    if (v === undefined || v === '') missing.set(name, new MissingApiKeyError(name, m.apiKeyEnv ?? ''));
    else keys.set(name, v);
  }
  const all = [...keys.values()].filter((k): k is string => k !== null);
  const models: WorkerInit['models'] = Object.fromEntries(
    [...keys].map(([name, key]) => {
      const m = remote.models[name]!;
      const urls = Object.hasOwn(own, name) ? own[name]! : null;
      const endpoints = urls ? ownEndpoints(urls, m.settings.endpoints) : m.settings.endpoints;
      const settings: ModelSettings = { ...m.settings, endpoints, apiKey: key, ...(all.length > 0 ? { otherKeys: all } : {}) };
      return [name, { settings, limiter: createLimiterFor(settings).shared, agent: m.agent }];
    }),
  );
  return { init: { models }, missing };
}

/** The worker's URLs with the run's per-endpoint `max_concurrency` (the config gives all endpoints the same). */
function ownEndpoints(urls: readonly string[], run: ModelSettings['endpoints']): ModelSettings['endpoints'] {
  const maxConcurrency = run[0]?.maxConcurrency ?? 1;
  return urls.map((url) => ({ url, maxConcurrency }));
}

/** How a worker names itself in results and logs. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}
