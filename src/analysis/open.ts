/**
 * Read-only access to a run's `sim.duckdb`. Analysis never writes: the file is opened read-only,
 * so a report can run next to other readers (but not while another process's engine still holds
 * the write lock on it; in the engine's own process the two share the file, common/duckdb-file.ts).
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { DamagedRunError } from '../common/damaged.js';
import { openDuckDbFile, type DuckDbFile } from '../common/duckdb-file.js';

/** A plain value of a result row: BIGINT/HUGEINT come back as numbers, timestamps as ISO strings. */
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;
/** Positional (`$1`, `?`) or named (`$name`) query parameters. */
export type Params = readonly Cell[] | Readonly<Record<string, Cell>>;

export interface SimDb {
  readonly path: string;
  /**
   * Runs one SQL statement and returns its rows as objects. `T` describes the row shape the SQL
   * produces (the caller's contract: cast in SQL, e.g. `count(*)::INTEGER`).
   */
  query<T extends object = Row>(sql: string, params?: Params): Promise<T[]>;
  /** Like `query` but returns the first row, or `undefined`. */
  one<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined>;
  /**
   * Runs one statement and returns its result by column (name → values): for results of
   * millions of rows, where an object per row costs more than the query. Values come as DuckDB's
   * client gives them (cast BIGINTs to DOUBLE or INTEGER in SQL to get numbers).
   */
  columns<T extends Record<string, readonly unknown[]>>(sql: string, params?: Params): Promise<T>;
  /**
   * Like `columns` for results of numbers only (every column is read as a DOUBLE: booleans as 0
   * and 1, NULL as NaN), each column a Float64Array. Tens of times faster than `columns` on
   * millions of rows, which converts value by value.
   */
  numbers(sql: string, params?: Params): Promise<Record<string, Float64Array>>;
  close(): Promise<void>;
}

function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    const n = Number(v);
    // Counts and ids fit easily; anything beyond 2^53 keeps its exact digits as a string.
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function toDuckParams(params: Params): DuckDBValue[] | Record<string, DuckDBValue> {
  if (Array.isArray(params)) return [...(params as readonly Cell[])];
  return { ...(params as Readonly<Record<string, Cell>>) };
}

class ReadOnlySimDb implements SimDb {
  private closed = false;
  private readonly conn: DuckDBConnection;
  constructor(
    readonly path: string,
    private readonly file: DuckDbFile,
  ) {
    this.conn = file.connection;
  }

  async query<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    if (this.closed) throw new Error(`sim db ${this.path} is closed`);
    const reader = await this.conn.runAndReadAll(sql, params === undefined ? undefined : toDuckParams(params));
    const rows = reader.getRowObjectsJS();
    return rows.map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) out[k] = toCell(v);
      return out as T;
    });
  }

  async columns<T extends Record<string, readonly unknown[]>>(sql: string, params?: Params): Promise<T> {
    if (this.closed) throw new Error(`sim db ${this.path} is closed`);
    const reader = await this.conn.runAndReadAll(sql, params === undefined ? undefined : toDuckParams(params));
    const out = reader.getColumnsObjectJS() as Record<string, unknown[]>;
    // No rows gives no columns: every named column is then empty.
    for (const name of reader.columnNames()) out[name] ??= [];
    return out as unknown as T;
  }

  async numbers(sql: string, params?: Params): Promise<Record<string, Float64Array>> {
    if (this.closed) throw new Error(`sim db ${this.path} is closed`);
    // Every column a DOUBLE without NULLs, so each chunk's vector is one Float64Array to copy.
    const result = await this.conn.run(`SELECT coalesce(COLUMNS(*)::DOUBLE, 'NaN'::DOUBLE) FROM (${sql})`, params === undefined ? undefined : toDuckParams(params));
    const names = result.columnNames();
    const out: Record<string, Float64Array> = Object.fromEntries(names.map((n) => [n, new Float64Array(result.rowCount)]));
    let row = 0;
    for (let c = 0; c < result.chunkCount; c++) {
      const chunk = result.getChunk(c);
      const n = chunk.rowCount;
      names.forEach((name, i) => {
        const vector = chunk.getColumnVector(i);
        const into = out[name]!;
        // The client keeps a DOUBLE vector's values in a Float64Array (not part of its typed API):
        // copy it whole when it is there, else value by value.
        const items = (vector as unknown as { items?: unknown }).items;
        if (items instanceof Float64Array && items.length === n) into.set(items, row);
        else for (let j = 0; j < n; j++) into[row + j] = Number(vector.getItem(j) ?? NaN);
      });
      row += n;
    }
    return out;
  }

  async one<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

/** Opens `path` read-only. Throws a clear error when the file does not exist. */
export async function openSimDb(path: string): Promise<SimDb> {
  if (!existsSync(path)) throw new Error(`no sim database at ${path}`);
  try {
    return new ReadOnlySimDb(path, await openDuckDbFile(path, { readOnly: true }));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/not a valid DuckDB database file/i.test(message)) throw new DamagedRunError(path, 'not a DuckDB database');
    throw err;
  }
}

/** Opens `path`, runs `fn`, and closes the database whatever happens. */
export async function withSimDb<T>(path: string, fn: (db: SimDb) => Promise<T>): Promise<T> {
  const db = await openSimDb(path);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
