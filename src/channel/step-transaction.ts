/**
 * One step's transaction. Opened early — after the step's decisions, before its actions apply
 * (Channel.openStep) — it stages the recommender's lists (list-writes.ts) and sends their
 * INSERTs to DuckDB, which expands them on its own threads while the main thread applies the
 * actions; `commit` waits for them, writes the rest of the step and commits. Opened at commit
 * time it does the same in a row. Either way the step is one transaction: a crash or an abort
 * leaves it fully written or absent, and the tables hold the same rows.
 */
import type { StepBatch } from './batch.js';
import type { ChannelDb } from './db.js';
import { stageListWrites } from './list-writes.js';

export class StepTransaction {
  private constructor(
    private readonly db: ChannelDb,
    readonly batch: StepBatch,
    private readonly lists: Promise<void>,
  ) {}

  static async open(db: ChannelDb, batch: StepBatch): Promise<StepTransaction> {
    await db.exec('BEGIN TRANSACTION');
    try {
      const lists = (await stageListWrites(db.connection, batch))();
      // Awaited by commit or abandon; a failure meanwhile must not surface as an unhandled rejection.
      lists.catch(() => undefined);
      return new StepTransaction(db, batch, lists);
    } catch (err) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Waits for the lists, runs `write` (the rest of the step) and commits; rolls back on any failure. */
  async commit(write: () => Promise<void>): Promise<void> {
    try {
      const waiting = performance.now();
      await this.lists;
      this.batch.listWriteMs += performance.now() - waiting;
      await write();
      await this.db.exec('COMMIT');
    } catch (err) {
      // A failed COMMIT (a full disk) has already dropped the transaction; ROLLBACK then fails
      // with "no transaction is active", which must not hide the first cause.
      await this.db.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Drops the step: the lists' INSERTs in flight finish first (one statement at a time on a connection). */
  async abandon(): Promise<void> {
    await this.lists.catch(() => undefined);
    await this.db.exec('ROLLBACK').catch(() => undefined);
  }
}
