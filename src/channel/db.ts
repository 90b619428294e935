import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { CHECKPOINT_THRESHOLD, openDuckDbFile, type DuckDbFile } from '../common/duckdb-file.js';
import { CHANNEL_DDL, CHANNEL_MIGRATIONS, SCHEMA_VERSION, STAGING_DDL } from './schema.js';

export type Row = Record<string, unknown>;

/**
 * From this many agents a run's DuckDB has an instance of its own with a thread per core: its
 * scans and aggregates are large enough to split. Below it every query of a step is small, a
 * second thread only adds scheduling (a 1,000-agent step costs 15–20 % less CPU on one), and
 * the file is attached to the process's shared one-thread instance (common/duckdb-file.ts).
 */
export const SMALL_RUN_AGENTS = 20_000;

/**
 * The one DuckDB handle of a run. DuckDB loses rows when several threads write one file
 * (../shared/STACK.md), so exactly one ChannelDb writes, in the main thread.
 */
export class ChannelDb {
  private constructor(
    private readonly file: DuckDbFile,
    readonly path: string,
  ) {}

  get connection(): DuckDBConnection {
    return this.file.connection;
  }

  /**
   * Opens (or creates) a channel file. `agents`: the run's size; from SMALL_RUN_AGENTS on, the
   * file gets an instance of its own and DuckDB's threads.
   */
  static async open(path: string, opts: { readOnly?: boolean; agents?: number } = {}): Promise<ChannelDb> {
    // Each step commits to the WAL (durable); the checkpoint waits for CHECKPOINT_THRESHOLD of it.
    const large = opts.agents !== undefined && opts.agents >= SMALL_RUN_AGENTS;
    const file = await openDuckDbFile(path, { readOnly: opts.readOnly === true, ...(large ? { ownInstance: { checkpoint_threshold: CHECKPOINT_THRESHOLD } } : {}) });
    const db = new ChannelDb(file, path);
    if (!opts.readOnly) {
      try {
        // One transaction (each statement on its own would be a commit, and a WAL sync, of its
        // own) sent as one statement list: one round trip into DuckDB instead of one per table.
        // Then the connection's staging tables, which live as long as it does.
        const version = `INSERT INTO meta SELECT 'schema_version', '${SCHEMA_VERSION}' WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'schema_version')`;
        await db.connection.run(['BEGIN TRANSACTION', ...CHANNEL_DDL, ...CHANNEL_MIGRATIONS, version, 'COMMIT', ...STAGING_DDL].join(';\n'));
      } catch (err) {
        await db.close();
        throw err;
      }
    }
    return db;
  }

  async exec(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  async query<T extends Row>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as T[];
  }

  async setMeta(entries: Readonly<Record<string, string>>): Promise<void> {
    for (const [key, value] of Object.entries(entries)) {
      await this.connection.run('DELETE FROM meta WHERE key = $1', [key]);
      await this.connection.run('INSERT INTO meta VALUES ($1, $2)', [key, value]);
    }
  }

  /** Closes the file, checkpointing it: the next open reads no WAL. */
  close(): Promise<void> {
    return this.file.close();
  }
}
