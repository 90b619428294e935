/**
 * The coordinator's side of distributed agent workers: the same interface as the thread pool
 * (`LlmPool`), but each chunk of requests becomes a BullMQ job on its model's queue, taken by any
 * `socialsim worker` process. A call returns when every one of its jobs has finished (the step
 * barrier), with the results in request order, so decisions are applied as in a single process.
 * Workers push each job's results onto the run's own list, read back by `ResultInbox`.
 *
 * Job ids are deterministic within a run invocation (run, step, model, call, chunk; the run's key
 * is new for each invocation, so a resume never meets an earlier invocation's jobs): a job a dead
 * worker held is re-queued by BullMQ's stalled-job check and finished by another worker as the
 * same job. Redis is transport only: when it stops answering for `lostAfterMs`, every call in
 * flight rejects with `RedisLostError` and the run stops as interrupted, resumable.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { LlmPool } from '../agents/llm/pool.js';
import type { WorkerResult } from '../agents/llm/task.js';
import type { WirePost, WireRequest } from '../agents/llm/wire.js';
import type { Decision } from '../agents/types.js';
import type { SurveyAnswer, SurveyQuestion } from '../agents/llm/survey.js';
import { connectionOf, shownUrl, within } from './connection.js';
import { RedisLostError, RemoteJobError } from './errors.js';
import { WorkerAccounts, type WorkerTally } from './accounts.js';
import type { RedisRunGate } from './budget.js';
import { threadCpuMicros } from '../common/thread-cpu.js';

export { RedisLostError, RemoteJobError, type WorkerTally };
import { initHash, initKey, jobId, MODELS_KEY, postsKey, queueName, type JobData, type RemoteInit } from './protocol.js';
import { compactRequest, personaText, postText, type CompactRequest, type RemoteTask } from './feed-wire.js';
import { ResultInbox } from './inbox.js';
import { agentsPerJob, liveJobSlots } from './roster.js';

/**
 * How often the watchdog looks: an eighth of `lostAfterMs`, kept between these two (a second at
 * the default 10 s), so a lost Redis is told at most an eighth of that late. Each look wakes the
 * process (on this VM 0.15–0.25 ms of CPU even when it does nothing), and Redis is pinged only when
 * nothing was heard from it for `quietMs`.
 */
const LOOK_MAX_MS = 1000;
const LOOK_MIN_MS = 100;
/**
 * Silence after which the watchdog pings, at most: the inbox's blocking reads answer at least
 * once a second while jobs are pending (an empty wait is an answer too), so a step's wait costs
 * no pings. Never more than a quarter of `lostAfterMs`, so a quiet but present Redis is not lost.
 */
const QUIET_MS = 1250;
/** How long a run's model settings stay in Redis without a coordinator renewing them. */
const INIT_TTL_S = 7 * 24 * 3600;

export interface RedisPoolOptions {
  readonly url: string;
  /** The run invocation's key in job ids (its config hash and a nonce). */
  readonly run: string;
  readonly init: RemoteInit;
  /** Milliseconds without an answer from Redis before calls reject with `RedisLostError`. */
  readonly lostAfterMs: number;
  /** Where finished jobs are counted per worker and step (the run's); absent: the pool's own. */
  readonly accounts?: WorkerAccounts;
  /** The run's budgets: moved to Redis before the first job, their refusals read after each call. */
  readonly budget?: RedisRunGate;
}

export class RedisPool implements LlmPool {
  readonly remote = true;
  private readonly hash: string;
  /** Plain commands: the run's settings, the models' names, the watchdog's pings. */
  private readonly control: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly inbox: ResultInbox;
  /** The step whose feed posts are in Redis, the ids written and those still to write (field, value pairs). */
  private postsStep: number | null = null;
  private postsSent = new Set<number>();
  private postsFresh: string[] = [];
  /** Agents whose personas are in Redis, and those still to write (field, value pairs). */
  private readonly personasSent = new Set<number>();
  private personasFresh: string[] = [];
  /** Every write of posts and personas so far: a call's jobs are queued after what they name is in Redis. */
  private postWrites: Promise<unknown> = Promise.resolve();
  private readonly calls = new Map<string, number>();
  private readonly ready: Promise<void>;
  private readonly lost: Promise<never>;
  private loseWith!: (err: RedisLostError) => void;
  private lastAnswer = Date.now();
  private readonly quietMs: number;
  private pinging = false;
  private lastError = '';
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** Calls in flight, and the process's CPU when the first of them started (`cpuSpan`). */
  private inFlight = 0;
  private cpuFrom: NodeJS.CpuUsage | null = null;
  private mainCpuFrom: number | null = null;
  /** Jobs and requests (attempts) each worker finished, by step. */
  readonly accounts: WorkerAccounts;

  constructor(private readonly opts: RedisPoolOptions) {
    this.hash = initHash(opts.init);
    this.accounts = opts.accounts ?? new WorkerAccounts();
    this.lost = new Promise<never>((_, reject) => (this.loseWith = reject));
    this.lost.catch(() => undefined);
    this.control = new Redis({ ...connectionOf(opts.url), lazyConnect: false });
    this.control.on('error', (err: Error) => (this.lastError = err.message));
    this.inbox = new ResultInbox(
      opts.url,
      opts.init.results,
      this.control,
      (id, reason) => new RemoteJobError(`a worker failed job ${id}: ${reason}`),
      (err) => (this.lastError = err.message),
      () => (this.lastAnswer = Date.now()),
    );
    const lookMs = Math.max(LOOK_MIN_MS, Math.min(LOOK_MAX_MS, opts.lostAfterMs / 8));
    this.quietMs = Math.max(lookMs, Math.min(QUIET_MS, opts.lostAfterMs / 4));
    this.ready = this.guard(this.publish());
    this.ready.catch(() => undefined);
    this.timer = setInterval(() => this.ping(), lookMs);
    this.timer.unref();
  }

  decide(model: string, requests: readonly WireRequest[], step = -1): Promise<Decision[]> {
    const call = `d${this.nextCall(step, model)}`;
    return this.guard(this.cpuSpan(step, () => this.run(model, step, call, requests, (chunk) => ({ kind: 'decide', model, requests: chunk })))) as Promise<Decision[]>;
  }

  survey(model: string, question: SurveyQuestion, requests: readonly WireRequest[], step = -1): Promise<SurveyAnswer[]> {
    const call = `s${this.nextCall(step, model)}`;
    return this.guard(this.cpuSpan(step, () => this.run(model, step, call, requests, (chunk) => ({ kind: 'survey', model, question, requests: chunk })))) as Promise<SurveyAnswer[]>;
  }

  /**
   * `work`, with the process's CPU from the first call in flight to the last counted to `step`
   * in the accounts, and its main thread's part: overlapping calls (cohorts of one step) count
   * once. The step's own work waits for its calls, so this is the request path alone.
   */
  private async cpuSpan<T>(step: number, work: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) {
      this.cpuFrom = process.cpuUsage();
      this.mainCpuFrom = threadCpuMicros();
    }
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0 && this.cpuFrom) {
        const d = process.cpuUsage(this.cpuFrom);
        const mainNow = this.mainCpuFrom === null ? null : threadCpuMicros();
        this.accounts.addCpu(step, d.user + d.system, mainNow === null || this.mainCpuFrom === null ? null : mainNow - this.mainCpuFrom);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.inbox.close();
    // The run invocation's keys go with it (a resume writes its own); late results are dropped.
    const keys = [this.opts.init.results, this.opts.init.personas, ...(this.opts.budget ? [this.opts.budget.spec.key] : []), ...(this.postsStep !== null ? [postsKey(this.opts.run, this.postsStep)] : [])];
    await within(this.control.del(...keys), 1000, 0);
    const all = [...this.queues.values()];
    // A lost Redis would keep close() waiting: then the connections are dropped.
    const done = await within(Promise.all(all.map((c) => c.close())).then(() => true), 2000, false);
    if (!done) await Promise.all(all.map((c) => within(c.disconnect(), 500, undefined)));
    this.control.disconnect();
  }

  /** The run's models in Redis (workers read them by hash), and their names for workers without --models. */
  private async publish(): Promise<void> {
    const client = this.control;
    // The budgets' state first: a worker that finds the settings may send at once.
    if (this.opts.budget) await this.opts.budget.start(client, INIT_TTL_S);
    await client.set(initKey(this.hash), JSON.stringify(this.opts.init), 'EX', INIT_TTL_S);
    const names = Object.keys(this.opts.init.models);
    if (names.length > 0) await client.sadd(MODELS_KEY, ...names);
  }

  /** A call's number among this model's calls at this step, taken synchronously in call order. */
  private nextCall(step: number, model: string): number {
    const key = `${step}\u0000${model}`;
    const n = this.calls.get(key) ?? 0;
    this.calls.set(key, n + 1);
    return n;
  }

  private async run(model: string, step: number, call: string, wire: readonly WireRequest[], task: (chunk: readonly CompactRequest[]) => RemoteTask): Promise<WorkerResult> {
    if (wire.length === 0) return [];
    await this.ready;
    const queue = this.queueFor(model);
    const posts = postsKey(this.opts.run, step);
    const requests = this.compact(step, wire);
    const [size] = await Promise.all([this.jobSize(model, requests.length), this.flush(posts)]);
    const jobs: { name: string; data: JobData; opts: { jobId: string; attempts: number; removeOnComplete: true; removeOnFail: false } }[] = [];
    for (let i = 0, k = 0; i < requests.length; i += size, k++) {
      const t = task(requests.slice(i, i + size));
      // Completed jobs go at once (their results are in the run's list); failed ones stay for the inbox to see.
      jobs.push({ name: t.kind, data: { init: this.hash, posts, task: t }, opts: { jobId: jobId(this.opts.run, step, model, call, k), attempts: 1, removeOnComplete: true, removeOnFail: false } });
    }
    // Waited for before they are queued: a fast worker's result must find its job expected.
    const waits = this.inbox.expect(jobs.map((j) => ({ id: j.opts.jobId, failedSet: queue.keys.failed!, jobKey: queue.toKey(j.opts.jobId) })));
    waits.forEach((w) => w.catch(() => undefined));
    try {
      await queue.addBulk(jobs);
    } catch (err) {
      this.inbox.drop(jobs.map((j) => j.opts.jobId));
      throw err;
    }
    const results = await Promise.all(waits);
    // Every job of the call is done: the scopes its requests exhausted are known in Redis.
    if (this.opts.budget) await this.opts.budget.refresh();
    const out: (Decision | SurveyAnswer)[] = [];
    for (const r of results) {
      this.accounts.add(step, r.worker, r.results);
      out.push(...r.results);
    }
    return out as WorkerResult;
  }

  /**
   * Requests per job for this call, from the jobs the model's live workers take at once (their
   * roster in Redis); the fewest (8) when it cannot be read. Which requests go together changes
   * nothing in what the run records: results come back in request order whatever the jobs.
   */
  private async jobSize(model: string, requests: number): Promise<number> {
    const slots = await liveJobSlots(this.control, model).catch(() => 0);
    return agentsPerJob(requests, slots);
  }

  /** The requests without what goes once into Redis (marked to be written: `flush`). */
  private compact(step: number, wire: readonly WireRequest[]): CompactRequest[] {
    if (step !== this.postsStep) {
      // The step before is over (a step's calls all end before the next starts): its posts go.
      if (this.postsStep !== null) void this.control.del(postsKey(this.opts.run, this.postsStep)).catch(() => 0);
      this.postsStep = step;
      this.postsSent = new Set();
    }
    const out = new Array<CompactRequest>(wire.length);
    for (let i = 0; i < wire.length; i++) out[i] = compactRequest(wire[i]!, this.sendPost, this.sendPersona);
    return out;
  }

  /** Marks a feed post to be written to the step's posts hash, unless it already was this step. */
  private readonly sendPost = (p: WirePost): void => {
    if (this.postsSent.has(p.postId)) return;
    this.postsSent.add(p.postId);
    this.postsFresh.push(String(p.postId), JSON.stringify(postText(p)));
  };

  /** Marks an agent's persona to be written, unless it already was in this run. */
  private readonly sendPersona = (r: WireRequest): void => {
    if (this.personasSent.has(r.agentId)) return;
    this.personasSent.add(r.agentId);
    this.personasFresh.push(String(r.agentId), JSON.stringify(personaText(r)));
  };

  /** Writes the posts and personas marked so far; resolves once every write, earlier calls' too, is done. */
  private flush(postsAt: string): Promise<unknown> {
    if (this.postsFresh.length > 0 || this.personasFresh.length > 0) {
      const tx = this.control.multi();
      if (this.postsFresh.length > 0) tx.hset(postsAt, ...this.postsFresh).expire(postsAt, INIT_TTL_S);
      if (this.personasFresh.length > 0) tx.hset(this.opts.init.personas, ...this.personasFresh).expire(this.opts.init.personas, INIT_TTL_S);
      this.postsFresh = [];
      this.personasFresh = [];
      this.postWrites = Promise.all([this.postWrites, tx.exec()]);
    }
    return this.postWrites;
  }

  private queueFor(model: string): Queue {
    let q = this.queues.get(model);
    if (!q) {
      q = this.watch(new Queue(queueName(model), { connection: connectionOf(this.opts.url) }));
      this.queues.set(model, q);
    }
    return q;
  }

  /** Connection errors are the watchdog's to report; an 'error' without a listener would crash the process. */
  private watch(c: Queue): Queue {
    c.on('error', (err: Error) => (this.lastError = err.message));
    return c;
  }

  /** `work`, unless Redis is lost first. */
  private guard<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    return Promise.race([work, this.lost]);
  }

  private ping(): void {
    const now = Date.now();
    if (now - this.lastAnswer >= this.opts.lostAfterMs) {
      clearInterval(this.timer);
      const why = this.lastError ? ` (${this.lastError})` : '';
      this.loseWith(new RedisLostError(`Redis at ${shownUrl(this.opts.url)} has not answered for ${this.opts.lostAfterMs / 1000} s${why}; the run's requests to its workers cannot go on`));
      return;
    }
    if (this.pinging || now - this.lastAnswer < this.quietMs) return;
    this.pinging = true;
    void this.control.ping().then(
        () => {
          this.lastAnswer = Date.now();
          this.pinging = false;
        },
        () => {
          this.pinging = false;
        },
      );
  }
}
