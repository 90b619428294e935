/**
 * A piscina worker: builds prompts, calls the endpoints of its models and returns validated
 * decisions. Endpoint concurrency limits and budgets are shared with every other worker through
 * the limiters' and the budget gate's SharedArrayBuffers; the main thread alone writes DuckDB.
 * The task handler itself is task.ts, shared with `socialsim worker` (src/distributed/worker.ts).
 */
import { workerData } from 'node:worker_threads';
import { createTaskRunner, type WorkerInit, type WorkerResult, type WorkerTask } from './task.js';

export type { WorkerInit, WorkerModel, WorkerResult, WorkerTask } from './task.js';

const run = createTaskRunner(workerData as WorkerInit);

export default function runTask(task: WorkerTask): Promise<WorkerResult> {
  return run(task);
}
