/**
 * Where a run's job results come back: a Redis list of its own (`resultsKey`), which workers push
 * each finished job's results onto, and which the run drains many at a time with one blocking
 * command (BLMPOP). BullMQ's own way (a QueueEvents stream reader and `waitUntilFinished`) costs
 * the run a job-state check per job, a removal per job and the parsing of every event of the
 * queue — other runs' results included — which was most of its CPU per request.
 *
 * A job that fails never reaches the list: it stays in its queue's failed set (the pool queues
 * jobs with `removeOnFail: false`), which is looked at once a second while jobs are pending, so
 * a job BullMQ failed by itself (its workers kept dying) is seen too.
 */
import { Redis } from 'ioredis';
import { connectionOf } from './connection.js';
import type { JobResult } from './protocol.js';

/** Results taken from the list per command. */
const BATCH = 512;
/** Seconds a BLMPOP blocks: short, so the loop notices close() and an emptied wait soon. */
const BLOCK_S = 1;
/** How often pending jobs are looked for in their queues' failed sets. */
const FAILED_CHECK_MS = 1000;

/** Where a job's failure would show: its queue's failed set and the job's hash. */
export interface JobPlace {
  readonly failedSet: string;
  readonly jobKey: string;
}

interface Waiting extends JobPlace {
  readonly resolve: (r: JobResult) => void;
  readonly reject: (err: Error) => void;
}

export class ResultInbox {
  private readonly pending = new Map<string, Waiting>();
  /** Blocking reads only (BLMPOP holds its connection). */
  private readonly reader: Redis;
  private looping = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(
    url: string,
    private readonly key: string,
    /** Plain commands: the failed-set checks. */
    private readonly control: Redis,
    /** A failed job's error, from its id and BullMQ's failedReason. */
    private readonly failure: (id: string, reason: string) => Error,
    onError: (err: Error) => void,
    /** Called on each reply from Redis (a result, an empty wait, a failed-set check): it is there. */
    private readonly heard: () => void = () => undefined,
  ) {
    // Commands wait while Redis is away: the pool's watchdog decides when it is lost.
    this.reader = new Redis(connectionOf(url, { maxRetriesPerRequest: null }));
    this.reader.on('error', onError);
    this.timer = setInterval(() => void this.checkFailed(), FAILED_CHECK_MS);
    this.timer.unref();
  }

  /** A promise per id, settled by its result or its failure; register before the jobs are queued. */
  expect(jobs: readonly (JobPlace & { readonly id: string })[]): Promise<JobResult>[] {
    const out = jobs.map(
      (j) =>
        new Promise<JobResult>((resolve, reject) => {
          this.pending.set(j.id, { failedSet: j.failedSet, jobKey: j.jobKey, resolve, reject });
        }),
    );
    void this.loop();
    return out;
  }

  /** Stops waiting for these jobs (never queued). */
  drop(ids: readonly string[]): void {
    for (const id of ids) this.pending.delete(id);
  }

  /** Stops reading; jobs still pending are rejected. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.reader.disconnect();
    this.failAll(new Error('the run closed its connection to the workers'));
  }

  private failAll(err: Error): void {
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
  }

  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      while (this.pending.size > 0 && !this.closed) {
        let reply: [string, string[]] | null;
        try {
          reply = (await this.reader.call('BLMPOP', BLOCK_S, 1, this.key, 'LEFT', 'COUNT', BATCH)) as [string, string[]] | null;
          this.heard();
        } catch (err) {
          // A connection dropped: the command is sent again once Redis is back (the watchdog
          // decides when it is lost). Redis refusing the command (before 7.0) ends every wait.
          if (err instanceof Error && /unknown command/i.test(err.message)) this.failAll(new Error(`Redis at the run's URL lacks BLMPOP (${err.message}): socialsim worker runs need Redis 7 or later`));
          else await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        for (const entry of reply?.[1] ?? []) this.take(entry);
      }
    } finally {
      this.looping = false;
    }
    // A job registered while the loop was leaving: go on for it.
    if (this.pending.size > 0 && !this.closed) void this.loop();
  }

  /** A result for a pending job settles it; one for no pending job (a re-done job's second result) is dropped. */
  private take(entry: string): void {
    const r = JSON.parse(entry) as JobResult & { id: string };
    const w = this.pending.get(r.id);
    if (!w) return;
    this.pending.delete(r.id);
    w.resolve(r);
  }

  private async checkFailed(): Promise<void> {
    if (this.checking || this.pending.size === 0) return;
    this.checking = true;
    try {
      const bySet = new Map<string, string[]>();
      for (const [id, w] of this.pending) (bySet.get(w.failedSet) ?? bySet.set(w.failedSet, []).get(w.failedSet)!).push(id);
      for (const [set, ids] of bySet) {
        const scores = (await this.control.call('ZMSCORE', set, ...ids)) as (string | null)[];
        this.heard();
        for (const [k, id] of ids.entries()) {
          const w = this.pending.get(id);
          if (scores[k] === null || !w) continue;
          const reason = (await this.control.hget(w.jobKey, 'failedReason')) ?? 'no reason given';
          this.pending.delete(id);
          // The failed job goes: the run stops on it, and nothing else waits for it.
          await this.control.multi().zrem(set, id).del(w.jobKey).exec();
          w.reject(this.failure(id, reason));
        }
      }
    } catch {
      // Redis away: the watchdog reports it; the next check tries again.
    } finally {
      this.checking = false;
    }
  }
}
