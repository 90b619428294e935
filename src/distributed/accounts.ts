/**
 * LLM usage per worker (`host:pid`) of a distributed run: the jobs each worker finished and the
 * requests it sent for them (attempts, as `llm_calls.attempts` counts them: retries and the
 * repair turn included), by step. The run's pool adds each finished job; the run takes a step's
 * counts when it commits the step (events.jsonl's `workers`) and sums them in run.json. Kept
 * apart from the pool so a run without --redis does not load BullMQ to know it has none.
 */
import type { LlmCall } from '../agents/types.js';

/** Jobs and requests each worker (host:pid) finished. */
export type WorkerTally = Record<string, { jobs: number; requests: number }>;

export class WorkerAccounts {
  private readonly byStep = new Map<number, WorkerTally>();
  /** The coordinator's CPU (µs) while calls to workers were in flight, by step: all its threads, and its main thread's (null: unknown). */
  private readonly cpuByStep = new Map<number, { process: number; main: number | null }>();

  /**
   * CPU the run's process spent while its calls to workers were in flight (queueing jobs,
   * waiting, reading results): its LLM request path, apart from the step's own work, which
   * runs before and after those calls. The bench's per-request figure. `mainMicros`: the part
   * on the main thread (the event loop that queues and reads), null where it cannot be told.
   */
  addCpu(step: number, micros: number, mainMicros: number | null = null): void {
    const was = this.cpuByStep.get(step) ?? { process: 0, main: 0 };
    // One span the main thread's CPU could not be read in leaves the step's unknown.
    const main = was.main === null || mainMicros === null ? null : was.main + mainMicros;
    this.cpuByStep.set(step, { process: was.process + micros, main });
  }

  /** The step's request-path CPU in milliseconds (0.01 ms steps), all threads and the main thread's, and forgets it. */
  takeCpuMs(step: number): { readonly process: number; readonly main: number | null } {
    const cpu = this.cpuByStep.get(step);
    this.cpuByStep.delete(step);
    const ms = (us: number): number => Math.round(us / 10) / 100;
    if (!cpu) return { process: 0, main: 0 };
    return { process: ms(cpu.process), main: cpu.main === null ? null : ms(cpu.main) };
  }

  /** A finished job of `step`: its worker and the calls its results carry. */
  add(step: number, worker: string, results: readonly { readonly calls?: readonly Pick<LlmCall, 'attempts'>[] }[]): void {
    let t = this.byStep.get(step);
    if (!t) this.byStep.set(step, (t = {}));
    const w = (t[worker] ??= { jobs: 0, requests: 0 });
    w.jobs++;
    for (const r of results) for (const c of r.calls ?? []) w.requests += c.attempts;
  }

  /**
   * The step's counts, workers in name order, and forgets them (a step done again after a
   * resume counts afresh; jobs of a step that was never committed are dropped with it).
   */
  take(step: number): WorkerTally {
    const t = this.byStep.get(step) ?? {};
    this.byStep.delete(step);
    return sortedTally(t);
  }
}

/** `into` plus `more`, workers in name order. */
export function addTallies(into: Readonly<WorkerTally> | undefined, more: Readonly<WorkerTally>): WorkerTally {
  const out: WorkerTally = {};
  for (const [w, c] of Object.entries(into ?? {})) out[w] = { jobs: c.jobs, requests: c.requests };
  for (const [w, c] of Object.entries(more)) {
    const o = (out[w] ??= { jobs: 0, requests: 0 });
    o.jobs += c.jobs;
    o.requests += c.requests;
  }
  return sortedTally(out);
}

function sortedTally(t: Readonly<WorkerTally>): WorkerTally {
  const out: WorkerTally = {};
  for (const k of Object.keys(t).sort()) out[k] = { ...t[k]! };
  return out;
}
