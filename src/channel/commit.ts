import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { PairDiff, type StepBatch } from './batch.js';

/** DuckDB caps statement size; deletes go in chunks of this many pairs. */
const DELETE_CHUNK = 2000;

export function simTimestamp(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);
}

async function append(conn: DuckDBConnection, table: string, fill: (a: DuckDBAppender) => void): Promise<void> {
  const appender = await conn.createAppender(table);
  fill(appender);
  appender.closeSync();
}

async function deletePairs(conn: DuckDBConnection, table: string, cols: [string, string], keys: ReadonlySet<number>): Promise<void> {
  const all = [...keys].sort((x, y) => x - y);
  for (let i = 0; i < all.length; i += DELETE_CHUNK) {
    const values = all
      .slice(i, i + DELETE_CHUNK)
      .map((k) => `(${PairDiff.split(k).join(',')})`)
      .join(',');
    await conn.run(`DELETE FROM ${table} USING (VALUES ${values}) AS gone(a, b) WHERE ${table}.${cols[0]} = gone.a AND ${table}.${cols[1]} = gone.b`);
  }
}

async function appendPairs(conn: DuckDBConnection, table: string, keys: ReadonlySet<number>, step: number, bigSecond: boolean): Promise<void> {
  if (keys.size === 0) return;
  // Sorted so the file's row order, and so its checksum, does not depend on Set insertion order.
  const sorted = [...keys].sort((x, y) => x - y);
  await append(conn, table, (a) => {
    for (const k of sorted) {
      const [x, y] = PairDiff.split(k);
      a.appendInteger(x);
      if (bigSecond) a.appendBigInt(BigInt(y));
      else a.appendInteger(y);
      a.appendInteger(step);
      a.endRow();
    }
  });
}

/**
 * Writes a step's batch: appenders for new rows, chunked deletes for removed pairs. The caller
 * owns the transaction, so a crash leaves the step either fully written or absent.
 */
export async function writeBatch(conn: DuckDBConnection, batch: StepBatch, firstSeq: number): Promise<void> {
  const { step } = batch;
  const time = simTimestamp(batch.simTimeMs);
  if (batch.users.length > 0) {
    await append(conn, 'users', (a) => {
      for (const u of batch.users) {
        a.appendInteger(u.userId);
        a.appendVarchar(u.username);
        a.appendVarchar(u.name);
        a.appendVarchar(u.bio);
        a.appendVarchar(u.cohort);
        a.appendVarchar(u.model);
        a.appendVarchar(u.kind);
        a.appendVarchar(u.persona);
        a.appendInteger(step);
        a.endRow();
      }
    });
  }
  if (batch.posts.length > 0) {
    await append(conn, 'posts', (a) => {
      for (const p of batch.posts) {
        a.appendBigInt(BigInt(p.postId));
        a.appendInteger(p.authorId);
        a.appendVarchar(p.text);
        a.appendVarchar(p.kind);
        if (p.parentId === null) a.appendNull();
        else a.appendBigInt(BigInt(p.parentId));
        a.appendInteger(step);
        a.appendTimestamp(time);
        if (p.label === null) a.appendNull();
        else a.appendVarchar(p.label);
        a.endRow();
      }
    });
  }
  if (batch.reposts.length > 0) {
    await append(conn, 'reposts', (a) => {
      for (const r of batch.reposts) {
        a.appendInteger(r.userId);
        a.appendBigInt(BigInt(r.postId));
        a.appendBigInt(BigInt(r.repostId));
        a.appendInteger(step);
        a.endRow();
      }
    });
  }
  await deletePairs(conn, 'likes', ['user_id', 'post_id'], batch.likes.removed);
  await deletePairs(conn, 'follows', ['follower_id', 'followee_id'], batch.follows.removed);
  await appendPairs(conn, 'likes', batch.likes.added, step, true);
  await appendPairs(conn, 'follows', batch.follows.added, step, false);
  if (batch.feeds) {
    const feeds = batch.feeds;
    const users = [...feeds.keys()].sort((x, y) => x - y);
    await append(conn, 'rec', (a) => {
      for (const u of users) {
        const posts = feeds.get(u) ?? [];
        for (let rank = 0; rank < posts.length; rank++) {
          a.appendInteger(step);
          a.appendInteger(u);
          a.appendBigInt(BigInt(posts[rank] as number));
          a.appendInteger(rank);
          a.endRow();
        }
      }
    });
  }
  if (batch.trace.length > 0) {
    let seq = firstSeq;
    await append(conn, 'trace', (a) => {
      for (const t of batch.trace) {
        a.appendInteger(step);
        a.appendInteger(seq++);
        a.appendTimestamp(time);
        a.appendInteger(t.agentId);
        a.appendVarchar(t.action);
        a.appendVarchar(t.args);
        a.appendBoolean(t.ok);
        if (t.result === null) a.appendNull();
        else a.appendVarchar(t.result);
        if (t.error === null) a.appendNull();
        else a.appendVarchar(t.error);
        a.endRow();
      }
    });
  }
}
