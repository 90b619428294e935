import { CHANNEL_TABLES, type ChannelTable } from '../channel/schema.js';
import { withSimDb } from './open.js';

export interface TableChecksum {
  readonly rows: number;
  /** md5 of every row's text form, rows in sorted order: equal iff the contents are equal. */
  readonly md5: string;
}

/** Content checksums of a run's outcome tables, e.g. to show two runs are bit-for-bit the same. */
export async function tableChecksums(dbPath: string): Promise<Record<ChannelTable, TableChecksum>> {
  return withSimDb(dbPath, async (db) => {
    const out = {} as Record<ChannelTable, TableChecksum>;
    for (const table of CHANNEL_TABLES) {
      const row = await db.one<{ rows: number; md5: string }>(
        `SELECT count(*)::INTEGER AS rows, md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t), '')) AS md5 FROM ${table} AS t`,
      );
      out[table] = { rows: row?.rows ?? 0, md5: row?.md5 ?? '' };
    }
    return out;
  });
}
