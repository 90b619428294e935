import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { CHANNEL_DDL, CHANNEL_MIGRATIONS, SCHEMA_VERSION, STAGING_DDL } from './schema.js';

export type Row = Record<string, unknown>;

/** Below this many agents a run's DuckDB works on one thread (ChannelDb.useThreadsFor). */
export const SMALL_RUN_AGENTS = 20_000;

/**
 * The one DuckDB handle of a run. DuckDB loses rows when several threads write one file
 * (../shared/STACK.md), so exactly one ChannelDb writes, in the main thread.
 */
/**
 * DuckDB's threads for a run of `agents` agents: one below SMALL_RUN_AGENTS, where every query
 * of a step is small and a second thread only adds scheduling (a 1,000-agent step costs 15–20 %
 * less CPU on one); undefined, DuckDB's default of one per core, above it, where a step's scans
 * and aggregates are large enough to split.
 */
function threadsFor(agents: number): number | undefined {
  return agents < SMALL_RUN_AGENTS ? 1 : undefined;
}

export class ChannelDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  /**
   * Opens (or creates) a channel file. `agents`: the run's size, whose DuckDB threads are then
   * set as `useThreadsFor` would set them, but before DuckDB starts a thread pool (setting them
   * later stops threads it already started).
   */
  static async open(path: string, opts: { readOnly?: boolean; agents?: number } = {}): Promise<ChannelDb> {
    // Each step commits to the WAL (durable); folding the WAL into the file (a checkpoint) is
    // deferred to 256 MB of WAL instead of DuckDB's 16 MB, and done once at close.
    const config: Record<string, string> = opts.readOnly ? { access_mode: 'READ_ONLY' } : { checkpoint_threshold: '256MB' };
    const threads = opts.agents === undefined ? undefined : threadsFor(opts.agents);
    if (threads !== undefined) config.threads = String(threads);
    const instance = await DuckDBInstance.create(path, config);
    const connection = await instance.connect();
    const db = new ChannelDb(instance, connection, path);
    if (!opts.readOnly) {
      try {
        // One transaction (each statement on its own would be a commit, and a WAL sync, of its
        // own) sent as one statement list: one round trip into DuckDB instead of one per table.
        // Then the connection's staging tables, which live as long as it does.
        const version = `INSERT INTO meta SELECT 'schema_version', '${SCHEMA_VERSION}' WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'schema_version')`;
        await connection.run(['BEGIN TRANSACTION', ...CHANNEL_DDL, ...CHANNEL_MIGRATIONS, version, 'COMMIT', ...STAGING_DDL].join(';\n'));
      } catch (err) {
        db.close();
        throw err;
      }
    }
    return db;
  }

  /** DuckDB's threads for a run of `agents` agents (threadsFor), set on an open file. */
  async useThreadsFor(agents: number): Promise<void> {
    const threads = threadsFor(agents);
    if (threads !== undefined) await this.connection.run(`SET threads = ${threads}`);
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
