/**
 * `socialsim worker`: takes jobs (chunks of agent requests) from per-model BullMQ queues and runs
 * them with the same task handler as the run's threads (src/agents/llm/task.ts): same client,
 * limiter, retries, repair turn and accounting. It holds no state a crash can lose: a job it held
 * when it died goes back to its queue once its lock lapses (`lockMs`), and another worker does it.
 * API keys come from this process's environment, never from Redis.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createTaskRunner, type WorkerResult, type WorkerTask } from '../agents/llm/task.js';
import { agentIds, expandTask, postIds, type PersonaText, type PostText } from './feed-wire.js';
import { SlotHub } from './slots.js';
import { beat, BEAT_MS, leave } from './roster.js';
import type { MissingApiKeyError } from '../llm/settings.js';
import { RedisGate } from './budget.js';
import { connectionOf, shownUrl, within } from './connection.js';
import { initKey, localInit, MODELS_KEY, queueName, workerName, type JobData, type JobResult, type OwnEndpoints, type RemoteInit } from './protocol.js';

export interface RedisWorkerOptions {
  readonly url: string;
  /** Models to serve; absent = every model a coordinator has queued for (watched). */
  readonly models?: readonly string[];
  /** Jobs of each model in progress at once. */
  readonly concurrency: number;
  /** A job's lock: a worker that stops renewing it for this long (killed) loses the job to another. */
  readonly lockMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Models this worker sends to endpoints of its own (`--endpoint`) instead of the run's. */
  readonly endpoints?: OwnEndpoints;
  /** Lines for the operator (stderr by the CLI). */
  readonly log: (line: string) => void;
}

interface Runner {
  readonly run: (task: WorkerTask) => Promise<WorkerResult>;
  /** The run's results list. */
  readonly results: string;
  /** The run's feed posts seen so far (their shared parts), by id: each is read from Redis once. */
  readonly posts: Map<number, PostText>;
  /** The run's agents' personas seen so far, by agent id: each is read from Redis once. */
  readonly personas: Map<number, PersonaText>;
  /** Where they are. */
  readonly personasKey: string;
  readonly missing: ReadonlyMap<string, MissingApiKeyError>;
}

/** How often a worker without --models looks for new models. */
const DISCOVER_MS = 1000;
/** A run's results list outlives a coordinator that died without deleting it by this much. */
const RESULTS_TTL_S = 24 * 3600;
/** Feed posts a worker keeps per run before it forgets them (and reads them again when shown). */
const POSTS_KEPT = 200_000;

export class RedisAgentWorker {
  readonly name = workerName();
  private readonly control: Redis;
  private readonly workers = new Map<string, Worker<JobData, null>>();
  private readonly runners = new Map<string, Promise<Runner>>();
  private timer: NodeJS.Timeout | null = null;
  /** Renews this worker's place in the rosters of the models it serves (src/distributed/roster.ts). */
  private beatTimer: NodeJS.Timeout | null = null;
  /** Budget reserves and result pushes (made on first use). */
  private waiting: Redis | null = null;
  /** Endpoint slots shared with the other workers (made for the first model on the run's endpoints). */
  private slots: SlotHub | null = null;
  private redisDown = false;
  jobsDone = 0;

  private constructor(private readonly opts: RedisWorkerOptions) {
    this.control = new Redis(connectionOf(opts.url));
    this.control.on('error', (err: Error) => this.down(err.message));
    this.control.on('ready', () => this.up());
  }

  /** Connected and taking jobs; rejects when Redis cannot be reached within `connectMs`. */
  static async start(opts: RedisWorkerOptions, connectMs = 10_000): Promise<RedisAgentWorker> {
    const w = new RedisAgentWorker(opts);
    const ok = await within(w.control.ping().then(() => true), connectMs, false);
    if (!ok) {
      w.control.disconnect();
      throw new Error(`cannot reach Redis at ${shownUrl(opts.url)} (within ${Math.round(connectMs / 1000)} s): is redis-server running there, and the port open to this machine?`);
    }
    if (opts.models && opts.models.length > 0) for (const m of opts.models) w.serve(m);
    else {
      await w.discover();
      w.timer = setInterval(() => void w.discover().catch(() => undefined), DISCOVER_MS);
    }
    return w;
  }

  /** The models served so far. */
  get models(): string[] {
    return [...this.workers.keys()];
  }

  /** Stops taking jobs; jobs in progress finish first unless `force`. */
  async close(force = false): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.beatTimer) clearInterval(this.beatTimer);
    // Out of the rosters first: no coordinator sizes its next jobs for this worker.
    await within(Promise.all(this.models.map((m) => leave(this.control, m, this.name, this.opts.concurrency))), 1000, []);
    await Promise.all([...this.workers.values()].map((w) => w.close(force)));
    this.control.disconnect();
    this.waiting?.disconnect();
    this.slots?.close();
  }

  private slotHub(): SlotHub {
    return (this.slots ??= new SlotHub(connectionOf(this.opts.url, { maxRetriesPerRequest: null }), (err) => this.down(err.message)));
  }

  /**
   * The connection results are pushed and budget gates reserve through. Its commands wait while
   * Redis is away (as BullMQ's do) rather than fail the requests they admit or the results of
   * requests already sent.
   */
  private waitingClient(): Redis {
    if (!this.waiting) {
      this.waiting = new Redis(connectionOf(this.opts.url, { maxRetriesPerRequest: null }));
      this.waiting.on('error', (err: Error) => this.down(err.message));
    }
    return this.waiting;
  }

  private async discover(): Promise<void> {
    for (const m of (await this.control.smembers(MODELS_KEY)).sort()) if (!this.workers.has(m)) this.serve(m);
  }

  private serve(model: string): void {
    const worker = new Worker<JobData, null>(queueName(model), (job) => this.process(job), {
      connection: connectionOf(this.opts.url, { maxRetriesPerRequest: null }),
      concurrency: this.opts.concurrency,
      lockDuration: this.opts.lockMs,
      stalledInterval: this.opts.lockMs,
      // A job whose workers keep dying fails after this many re-queues (the run then fails with its id).
      maxStalledCount: 10,
    });
    worker.on('error', (err: Error) => this.down(err.message));
    this.workers.set(model, worker);
    this.beat(model);
    this.beatTimer ??= setInterval(() => this.models.forEach((m) => this.beat(m)), BEAT_MS);
    this.opts.log(`worker ${this.name}: serving model "${model}"`);
  }

  /** A beat lost while Redis is away is not reported: the next one renews the place. */
  private beat(model: string): void {
    void beat(this.control, model, this.name, this.opts.concurrency).catch(() => undefined);
  }

  /**
   * Runs the job and pushes its results onto the run's list before the job completes: a worker
   * that dies in between leaves a job that is done again, whose second result the run drops.
   */
  private async process(job: Job<JobData, null>): Promise<null> {
    const { init, posts, task: remote } = job.data;
    const runner = await this.runnerFor(init);
    const missing = runner.missing.get(remote.model);
    if (missing) throw new UnrecoverableError(`${missing.message} on worker ${this.name}`);
    const task = await this.expand(runner, posts, remote);
    const results = await runner.run(task);
    const result: JobResult = { id: job.id!, worker: this.name, results };
    const replies = await this.waitingClient().multi().rpush(runner.results, JSON.stringify(result)).expire(runner.results, RESULTS_TTL_S).exec();
    // Results Redis did not take (out of memory, say) fail the job, which the run then reports.
    const refused = replies?.find(([err]) => err !== null)?.[0];
    if (refused || !replies) throw new Error(`Redis did not take the job's results: ${refused?.message ?? 'transaction aborted'}`);
    this.jobsDone++;
    return null;
  }

  /** The task whole again: the posts and personas this worker has not seen yet read in one round trip. */
  private async expand(runner: Runner, key: string, task: JobData['task']): Promise<WorkerTask> {
    const posts = postIds(task).filter((id) => !runner.posts.has(id));
    const agents = agentIds(task).filter((id) => !runner.personas.has(id));
    if (posts.length > 0 || agents.length > 0) {
      const tx = this.waitingClient().multi();
      if (posts.length > 0) tx.hmget(key, ...posts.map(String));
      if (agents.length > 0) tx.hmget(runner.personasKey, ...agents.map(String));
      const replies = (await tx.exec()) ?? [];
      const values = replies.map(([err, v]) => {
        if (err) throw err;
        return v as (string | null)[];
      });
      // Texts never change, so the maps only grow; a long run's are emptied now and then.
      if (runner.posts.size > POSTS_KEPT) runner.posts.clear();
      if (posts.length > 0) values.shift()!.forEach((v, k) => v !== null && runner.posts.set(posts[k]!, JSON.parse(v) as PostText));
      if (agents.length > 0) values.shift()!.forEach((v, k) => v !== null && runner.personas.set(agents[k]!, JSON.parse(v) as PersonaText));
    }
    return expandTask(
      task,
      (id) => runner.posts.get(id),
      (id) => runner.personas.get(id),
    );
  }

  /** The run's task handler, made once per run settings (by their hash). */
  private runnerFor(hash: string): Promise<Runner> {
    let r = this.runners.get(hash);
    if (!r) {
      r = this.control.get(initKey(hash)).then((json) => {
        if (json === null) throw new UnrecoverableError(`the run's model settings (${initKey(hash)}) are not in Redis; was it flushed? resume the run to publish them again`);
        const remote = JSON.parse(json) as RemoteInit;
        const { init, missing } = localInit(remote, this.opts.env, this.opts.endpoints);
        // A budgeted run's requests are admitted by its gate in Redis, shared with every worker.
        const gate = remote.budget ? new RedisGate(this.waitingClient(), remote.budget) : undefined;
        // On the run's endpoints, each one's max_concurrency holds across workers (slots in Redis,
        // per run invocation: its settings' hash); on a worker's own (--endpoint), per process.
        const own = this.opts.endpoints ?? {};
        const run = createTaskRunner(init, gate, (model, local) =>
          Object.hasOwn(own, model)
            ? local
            : this.slotHub().limiter(local, hash, model, init.models[model]!.settings.endpoints.map((e) => e.maxConcurrency), init.models[model]!.settings.timeoutMs, this.name),
        );
        return { run, results: remote.results, posts: new Map(), personas: new Map(), personasKey: remote.personas, missing };
      });
      // A failed read is tried again by the next job.
      r.catch(() => this.runners.delete(hash));
      this.runners.set(hash, r);
    }
    return r;
  }

  private down(message: string): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.opts.log(`worker ${this.name}: Redis at ${shownUrl(this.opts.url)} does not answer (${message}); retrying`);
  }

  private up(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.opts.log(`worker ${this.name}: Redis at ${shownUrl(this.opts.url)} answers again`);
  }
}

/** The model names runs have queued for in this Redis, sorted; null when Redis does not answer within `ms`. */
export async function knownModels(url: string, ms = 5000): Promise<string[] | null> {
  const client = new Redis({ ...connectionOf(url), lazyConnect: true });
  client.on('error', () => undefined);
  try {
    return await within(
      client.connect().then(async () => (await client.smembers(MODELS_KEY)).sort()),
      ms,
      null,
    );
  } finally {
    client.disconnect();
  }
}
