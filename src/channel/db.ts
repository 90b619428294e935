import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { CHANNEL_DDL, CHANNEL_MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Row = Record<string, unknown>;

/** Below this many agents a run's DuckDB works on one thread (ChannelDb.useThreadsFor). */
export const SMALL_RUN_AGENTS = 20_000;

/**
 * The one DuckDB handle of a run. DuckDB loses rows when several threads write one file
 * (../shared/STACK.md), so exactly one ChannelDb writes, in the main thread.
 */
export class ChannelDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(path: string, opts: { readOnly?: boolean } = {}): Promise<ChannelDb> {
    // Each step commits to the WAL (durable); folding the WAL into the file (a checkpoint) is
    // deferred to 256 MB of WAL instead of DuckDB's 16 MB, and done once at close.
    const instance = await DuckDBInstance.create(path, opts.readOnly ? { access_mode: 'READ_ONLY' } : { checkpoint_threshold: '256MB' });
    const connection = await instance.connect();
    const db = new ChannelDb(instance, connection, path);
    if (!opts.readOnly) {
      // One transaction: each statement on its own would be a commit, and a WAL sync, of its own.
      await connection.run('BEGIN TRANSACTION');
      for (const ddl of [...CHANNEL_DDL, ...CHANNEL_MIGRATIONS]) await connection.run(ddl);
      const existing = await db.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM meta WHERE key = 'schema_version'`);
      if ((existing[0]?.n ?? 0) === 0) {
        await connection.run(`INSERT INTO meta VALUES ('schema_version', $1)`, [String(SCHEMA_VERSION)]);
      }
      await connection.run('COMMIT');
    }
    return db;
  }

  /**
   * DuckDB's threads for a run of `agents` agents: one below SMALL_RUN_AGENTS, where every query
   * of a step is small and a second thread only adds scheduling (a 1,000-agent step costs 15–20 %
   * less CPU on one); DuckDB's default, one per core, above it, where a step's scans and
   * aggregates are large enough to split.
   */
  async useThreadsFor(agents: number): Promise<void> {
    if (agents < SMALL_RUN_AGENTS) await this.connection.run('SET threads = 1');
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

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
