/**
 * Typed columns appended by copying whole buffers into DuckDB's vectors (chunks.ts
 * appendDoubleColumns): every value arrives in order across several data chunks, the last one
 * partial, exactly as value-by-value appends would leave them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendDoubleColumns } from '../../src/channel/chunks.js';
import { ChannelDb } from '../../src/channel/db.js';
import { tempDir } from '../helpers/tmp.js';

describe('appending DOUBLE columns from typed arrays', () => {
  it('when 5,000 rows go in (three data chunks) then each row reads back as written', async () => {
    const db = await ChannelDb.open(join(tempDir(), 'sim.duckdb'));
    try {
      await db.exec('CREATE TABLE t (a DOUBLE, b DOUBLE)');
      const n = 5000;
      const a = Float64Array.from({ length: n }, (_, i) => i * 1024 + (i % 7));
      const b = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -2 : 2 ** 40 + i));
      await appendDoubleColumns(db.connection, 't', [a, b]);
      const rows = await db.query<{ a: number; b: number }>('SELECT a, b FROM t');
      expect(rows.length).toBe(n);
      expect(Float64Array.from(rows, (r) => r.a)).toEqual(a);
      expect(Float64Array.from(rows, (r) => r.b)).toEqual(b);
    } finally {
      await db.close();
    }
  });
});
