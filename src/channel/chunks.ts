import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { BIGINT, DOUBLE, DuckDBDataChunk, DuckDBTimestampValue, INTEGER } from '../common/duckdb-api.js';
import { PairDiff } from './batch.js';
import { appendDirect, appendDoubleChunks, CHUNK_ROWS, writableDirectly } from './chunk-writer.js';

/** DuckDB caps statement size; deletes and updates go in chunks of this many keys. */
const DELETE_CHUNK = 2000;

export function simTimestamp(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);
}

export const big = (n: number | null): DuckDBValue => (n === null ? null : BigInt(n));

/**
 * Appends whole columns (each the same length: arrays of values, or typed arrays of numbers;
 * BIGINT columns take integer numbers too), through data chunks.
 */
export async function appendColumns(conn: DuckDBConnection, table: string, types: readonly DuckDBType[], columns: readonly ArrayLike<DuckDBValue>[]): Promise<void> {
  await appendChunks(conn, table, types, columns[0]?.length ?? 0, (start, end) => columns.map((c) => Array.prototype.slice.call(c, start, end) as DuckDBValue[]), (start) =>
    columns.map((values) => (i) => values[start + i]!),
  );
}

/**
 * Rows of objects as data chunks, each column's values taken one chunk at a time: the columns
 * of a million-row table (a million-agent import, a step's trace) are never million-value arrays.
 */
export async function appendRows<T>(conn: DuckDBConnection, table: string, types: readonly DuckDBType[], rows: readonly T[], columns: readonly ((row: T, index: number) => DuckDBValue)[]): Promise<void> {
  await appendChunks(
    conn,
    table,
    types,
    rows.length,
    (start, end) =>
      columns.map((column) => {
        const out: DuckDBValue[] = new Array(end - start);
        for (let i = start; i < end; i++) out[i - start] = column(rows[i]!, i);
        return out;
      }),
    (start) => columns.map((column) => (i) => column(rows[start + i]!, start + i)),
  );
}

/**
 * `rows` rows in data chunks whose columns `slice` makes one chunk at a time: a table of
 * millions of rows (a large follow graph) is never a JS array of millions of values. The
 * platform's column types go straight into DuckDB's vectors (chunk-writer.ts), read through
 * `values` when given (no per-chunk arrays); other types (lists, blobs) through
 * @duckdb/node-api's vectors.
 */
export async function appendChunks(
  conn: DuckDBConnection,
  table: string,
  types: readonly DuckDBType[],
  rows: number,
  slice: (start: number, end: number) => readonly ArrayLike<DuckDBValue>[],
  values?: (start: number) => readonly ((i: number) => DuckDBValue)[],
): Promise<void> {
  if (rows === 0) return;
  const appender = await conn.createAppender(table);
  if (writableDirectly(types)) {
    appendDirect(appender, types, rows, values ?? ((start, end) => slice(start, end).map((column) => (i) => column[i]!)));
  } else {
    for (let offset = 0; offset < rows; offset += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - offset);
      const chunk = DuckDBDataChunk.create(types, n);
      chunk.setColumns(slice(offset, offset + n).map((column) => Array.from(column)));
      appender.appendDataChunk(chunk);
    }
  }
  appender.closeSync();
}

/**
 * The first `rows` values of DOUBLE columns given as typed arrays (longer arrays are reused
 * scratch), each chunk's part copied into its vector in one call: millions of feed impressions
 * a step at 1M agents.
 */
export async function appendDoubleColumns(conn: DuckDBConnection, table: string, columns: readonly Float64Array[], rows = columns[0]?.length ?? 0): Promise<void> {
  if (rows === 0) return;
  const appender = await conn.createAppender(table);
  appendDoubleChunks(appender, columns, rows);
  appender.closeSync();
}

export async function deletePairs(conn: DuckDBConnection, table: string, cols: [string, string], keys: ReadonlySet<number>): Promise<void> {
  const all = [...keys].sort((x, y) => x - y);
  for (let i = 0; i < all.length; i += DELETE_CHUNK) {
    const values = all
      .slice(i, i + DELETE_CHUNK)
      .map((k) => `(${PairDiff.split(k).join(',')})`)
      .join(',');
    await conn.run(`DELETE FROM ${table} USING (VALUES ${values}) AS gone(a, b) WHERE ${table}.${cols[0]} = gone.a AND ${table}.${cols[1]} = gone.b`);
  }
}

export async function appendPairs(conn: DuckDBConnection, table: string, keys: ReadonlySet<number>, step: number, bigSecond: boolean): Promise<void> {
  // Sorted so the file's row order, and so its checksum, does not depend on Set insertion order.
  const sorted = [...keys].sort((x, y) => x - y);
  const a: DuckDBValue[] = new Array(sorted.length);
  const b: DuckDBValue[] = new Array(sorted.length);
  sorted.forEach((k, i) => {
    const [x, y] = PairDiff.split(k);
    a[i] = x;
    b[i] = bigSecond ? BigInt(y) : y;
  });
  await appendColumns(conn, table, [INTEGER, bigSecond ? BIGINT : INTEGER, INTEGER], [a, b, new Array<DuckDBValue>(sorted.length).fill(step)]);
}

/** Sets `column` = `step` on the given posts (ids come from the mirror, never from user text). */
export async function markPosts(conn: DuckDBConnection, column: 'deleted_step' | 'flagged_step' | 'hidden_step', ids: readonly number[], step: number): Promise<void> {
  const all = [...ids].sort((x, y) => x - y);
  for (let i = 0; i < all.length; i += DELETE_CHUNK) {
    await conn.run(`UPDATE posts SET ${column} = $1 WHERE post_id IN (${all.slice(i, i + DELETE_CHUNK).join(',')})`, [step]);
  }
}

/** `n` as an SQL literal: for numbers the code made (steps, counts), never for anything an agent wrote. */
export function sqlInt(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return String(n);
}

/**
 * Stages per-user ranked lists (feeds, impressions) as (user → list key) plus (list key →
 * ranked posts) in the staging tables `<name>_users` and `<name>_posts` (one name per kind of
 * list, so several can be staged at once; made with the connection, schema.ts STAGING_DDL);
 * the returned function lets DuckDB expand the join with `insert(step)` (tables `u`, `p`) and
 * empties the staging tables. When many users share one array (popularity feeds) that costs
 * one row per user, not one per user × rank.
 */
export async function stageRankedLists(
  conn: DuckDBConnection,
  lists: ReadonlyMap<number, readonly number[]>,
  name: 'rec' | 'feed',
  step: number,
  insert: (step: string) => string,
): Promise<() => Promise<void>> {
  // Typed columns of known length rather than arrays grown a push at a time: at a million
  // agents the growing arrays' copies and fresh pages cost more than the rows themselves.
  const keyOf = new Map<readonly number[], number>();
  const users = new Int32Array(lists.size);
  const keys = new Int32Array(lists.size);
  let entries = 0;
  let u = 0;
  for (const [user, posts] of lists) {
    let key = keyOf.get(posts);
    if (key === undefined) {
      keyOf.set(posts, (key = keyOf.size));
      entries += posts.length;
    }
    users[u] = user;
    keys[u++] = key;
  }
  const listKeys = new Int32Array(entries);
  const postIds = new Float64Array(entries);
  const ranks = new Int32Array(entries);
  let at = 0;
  for (const [posts, key] of keyOf) {
    for (let rank = 0; rank < posts.length; rank++, at++) {
      listKeys[at] = key;
      postIds[at] = posts[rank]!;
      ranks[at] = rank;
    }
  }
  await appendColumns(conn, `${name}_users`, [INTEGER, INTEGER], [users, keys]);
  await appendColumns(conn, `${name}_posts`, [INTEGER, BIGINT, INTEGER], [listKeys, postIds, ranks]);
  // The join and the emptying of the staging tables in one round trip (the step as a literal:
  // a parameter would make it a prepared statement, three round trips).
  return async () => {
    await conn.run(`${insert(sqlInt(step))} FROM ${name}_users u JOIN ${name}_posts p USING (feed_key); DELETE FROM ${name}_users; DELETE FROM ${name}_posts`);
  };
}
