/**
 * Columns appended straight into DuckDB's vectors (chunk-writer.ts, used by chunks.ts): every
 * value arrives in order across several data chunks, the last one partial, with NULLs where
 * they were given and nowhere else, exactly as value-by-value appends would leave them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendColumns, appendDoubleColumns, appendRows, simTimestamp } from '../../src/channel/chunks.js';
import { ChannelDb } from '../../src/channel/db.js';
import { BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR } from '../../src/common/duckdb-api.js';
import { tempDir } from '../helpers/tmp.js';

async function withDb(use: (db: ChannelDb) => Promise<void>): Promise<void> {
  const db = await ChannelDb.open(join(tempDir(), 'sim.duckdb'));
  try {
    await use(db);
  } finally {
    await db.close();
  }
}

describe('appending DOUBLE columns from typed arrays', () => {
  it('when 5,000 rows go in (three data chunks) then each row reads back as written', async () => {
    await withDb(async (db) => {
      await db.exec('CREATE TABLE t (a DOUBLE, b DOUBLE)');
      const n = 5000;
      const a = Float64Array.from({ length: n }, (_, i) => i * 1024 + (i % 7));
      const b = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -2 : 2 ** 40 + i));
      await appendDoubleColumns(db.connection, 't', [a, b]);
      const rows = await db.query<{ a: number; b: number }>('SELECT a, b FROM t');
      expect(rows.length).toBe(n);
      expect(Float64Array.from(rows, (r) => r.a)).toEqual(a);
      expect(Float64Array.from(rows, (r) => r.b)).toEqual(b);
    });
  });

  it('when the arrays are longer than the rows asked for then only those rows go in', async () => {
    await withDb(async (db) => {
      await db.exec('CREATE TABLE t (a DOUBLE)');
      const scratch = Float64Array.from({ length: 3000 }, (_, i) => i);
      await appendDoubleColumns(db.connection, 't', [scratch], 2100);
      expect(await db.query<{ n: number; top: number }>('SELECT count(*)::INTEGER AS n, max(a) AS top FROM t')).toEqual([{ n: 2100, top: 2099 }]);
      await expect(appendDoubleColumns(db.connection, 't', [scratch], 3001)).rejects.toThrow(/3000 values for 3001 rows/);
    });
  });
});

describe('appending rows of every column type the platform writes', () => {
  interface Row {
    id: number;
    big: number | bigint | null;
    ratio: number | null;
    ok: boolean | null;
    at: number | null;
    text: string | null;
  }
  // Over two chunks (2,048 rows each) and a partial third. NULLs only in the first chunk and the
  // third, so a chunk after one with NULLs must come out with none.
  const n = 4100;
  const nullable = (i: number): boolean => (i < 2048 || i >= 4096) && i % 5 === 0;
  const texts = ['', 'like_post', 'a longer string than twelve bytes, stored out of line', 'émoji 🦆 and ß', '{"post_id":12}'];
  const rows: Row[] = Array.from({ length: n }, (_, i) => ({
    id: i - 10,
    // Past 2^32 and negative: both halves of the int64; every third given as a BigInt.
    big: nullable(i) ? null : i % 3 === 0 ? BigInt(i) * 5_000_000_000n : i % 2 === 0 ? -(i * 4_294_967_311) : i * 4_294_967_311,
    ratio: nullable(i) ? null : i / 7,
    ok: nullable(i) ? null : i % 2 === 0,
    at: nullable(i) ? null : 1_718_625_600_000 + i * 1000,
    text: nullable(i) ? null : texts[i % texts.length]!,
  }));
  const expected = rows.map((r) => ({
    id: r.id,
    big: r.big === null ? null : String(r.big),
    ratio: r.ratio,
    ok: r.ok,
    at: r.at === null ? null : new Date(r.at).toISOString().replace('T', ' ').replace(/\.000Z$/, ''),
    text: r.text,
  }));
  const read = (db: ChannelDb) =>
    db.query<Record<string, unknown>>('SELECT id, big::VARCHAR AS big, ratio, ok, strftime(at_time, \'%Y-%m-%d %H:%M:%S\') AS at, text FROM t ORDER BY rowid');
  const types = [INTEGER, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, VARCHAR];
  const ddl = 'CREATE TABLE t (id INTEGER, big BIGINT, ratio DOUBLE, ok BOOLEAN, at_time TIMESTAMP, text VARCHAR)';

  it('when rows go in through appendRows then each value reads back as written, NULLs included', async () => {
    await withDb(async (db) => {
      await db.exec(ddl);
      await appendRows(db.connection, 't', types, rows, [
        (r) => r.id,
        (r) => r.big,
        (r) => r.ratio,
        (r) => r.ok,
        (r) => (r.at === null ? null : simTimestamp(r.at)),
        (r) => r.text,
      ]);
      expect(await read(db)).toEqual(expected);
    });
  });

  it('when the same values go in as columns then they read back the same', async () => {
    await withDb(async (db) => {
      await db.exec(ddl);
      await appendColumns(db.connection, 't', types, [
        rows.map((r) => r.id),
        rows.map((r) => (typeof r.big === 'number' ? BigInt(r.big) : r.big)),
        rows.map((r) => r.ratio),
        rows.map((r) => r.ok),
        rows.map((r) => (r.at === null ? null : simTimestamp(r.at))),
        rows.map((r) => r.text),
      ]);
      expect(await read(db)).toEqual(expected);
    });
  });

  it('when a 64-bit column is given a number past 2^53 then the append is refused, not rounded', async () => {
    await withDb(async (db) => {
      await db.exec('CREATE TABLE t (big BIGINT)');
      await expect(appendColumns(db.connection, 't', [BIGINT], [[2 ** 53 + 2]])).rejects.toThrow(/not a safe integer/);
    });
  });
});
