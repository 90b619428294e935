import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Piscina } from 'piscina';
import { compiledFile } from '../../common/build.js';
import type { Decision } from '../types.js';
import type { SurveyAnswer, SurveyQuestion } from './survey.js';
import type { WorkerInit, WorkerResult, WorkerTask } from './worker.js';
import type { WireRequest } from './wire.js';

/** Agents per worker task: small enough to spread over threads, large enough to amortise messaging. */
const AGENTS_PER_TASK = 8;

/**
 * LLM agents one worker thread serves by default. A thread spends about 1 ms of CPU a request
 * (the openai SDK's work, mostly: README, bench:llm), so a step of this many requests costs
 * it a quarter of a second at most, less than a second thread takes to start (~0.3 s of
 * CPU loading the SDK); above it, a second thread pays for itself within a step or two.
 */
export const LLM_AGENTS_PER_THREAD = 256;

/** Worker threads a run starts for `llmAgents` LLM agents when not told: one per 256, at most 2 and the cores. */
export function defaultLlmThreads(llmAgents: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(2, cores, Math.ceil(llmAgents / LLM_AGENTS_PER_THREAD)));
}

/** The build's one-file bundle of worker.js and its imports (scripts/build.mjs). */
const WORKER_BUNDLE = 'worker.bundle.mjs';

/**
 * The worker's module: when this module is compiled, the build's bundle beside it (a thread
 * starts in half the CPU: one file instead of the openai SDK's ~100 modules), else its compiled
 * sibling; when the sources run (vitest, tsx), the same from dist/ if dist/ is fresh, else the
 * source through tsx.
 */
const WORKER_URL = ((): URL => {
  const compiled = import.meta.url.endsWith('.ts') ? compiledFile('src/agents/llm/worker.ts') : fileURLToPath(new URL('./worker.js', import.meta.url));
  if (compiled === null) return new URL('./worker.ts', import.meta.url);
  const bundle = join(dirname(compiled), WORKER_BUNDLE);
  return pathToFileURL(existsSync(bundle) ? bundle : compiled);
})();

/** The module the worker threads start from (WORKER_URL). */
export const llmWorkerModule = (): URL => WORKER_URL;

/**
 * Where LLM agents' requests run: worker threads in this process (`LlmWorkerPool`), or
 * `socialsim worker` processes through Redis (src/distributed/pool.ts). `step` names the step
 * a call belongs to (job ids of the distributed pool); results come back in request order.
 */
export interface LlmPool {
  /** True when the requests run elsewhere: this process sees none of the endpoints' states. */
  readonly remote?: boolean;
  decide(model: string, requests: readonly WireRequest[], step?: number): Promise<Decision[]>;
  survey(model: string, question: SurveyQuestion, requests: readonly WireRequest[], step?: number): Promise<SurveyAnswer[]>;
  close(): Promise<void>;
}

/**
 * The worker threads that run LLM agents. Tasks carry plain data; each worker keeps one client
 * per model, all attached to the same shared endpoint limiters, so `max_concurrency` holds
 * across threads while every thread keeps its share of requests in flight.
 */
export class LlmWorkerPool implements LlmPool {
  private readonly piscina: Piscina<WorkerTask, WorkerResult>;
  private closed = false;

  constructor(
    init: WorkerInit,
    totalConcurrency: number,
    readonly threads = defaultLlmThreads(Number.POSITIVE_INFINITY),
  ) {
    // Enough concurrent tasks per thread that the endpoints' combined limit can always be filled.
    const tasksPerThread = Math.max(4, Math.ceil((1.25 * totalConcurrency) / (AGENTS_PER_TASK * threads)));
    const needsTsx = WORKER_URL.pathname.endsWith('.ts') && !process.execArgv.some((a) => a.includes('tsx'));
    // Loaded with the first pool: a run without LLM agents never loads piscina.
    const { Piscina: Pool } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    this.piscina = new Pool<WorkerTask, WorkerResult>({
      filename: WORKER_URL.href,
      workerData: init,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: tasksPerThread,
      // 'sync' atomics park an idle worker in Atomics.wait, which freezes its event loop and
      // with it every HTTP response it is waiting for; tasks here are I/O-bound and concurrent.
      atomics: 'disabled',
      // Each request allocates a few short-lived KB (bodies, headers, parsed JSON); a larger
      // young generation makes scavenges rarer and cuts the workers' GC time.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
      idleTimeout: 60_000,
      ...(needsTsx ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
    });
  }

  async decide(model: string, requests: readonly WireRequest[]): Promise<Decision[]> {
    return (await this.inBatches(requests, (chunk) => this.piscina.run({ kind: 'decide', model, requests: chunk }))) as Decision[];
  }

  async survey(model: string, question: SurveyQuestion, requests: readonly WireRequest[]): Promise<SurveyAnswer[]> {
    return (await this.inBatches(requests, (chunk) => this.piscina.run({ kind: 'survey', model, question, requests: chunk }))) as SurveyAnswer[];
  }

  private async inBatches(requests: readonly WireRequest[], run: (chunk: readonly WireRequest[]) => Promise<WorkerResult>): Promise<(Decision | SurveyAnswer)[]> {
    const tasks: Promise<WorkerResult>[] = [];
    for (let i = 0; i < requests.length; i += AGENTS_PER_TASK) tasks.push(run(requests.slice(i, i + AGENTS_PER_TASK)));
    return (await Promise.all(tasks)).flat();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
