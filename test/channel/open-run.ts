import { ChannelDb } from '../../src/channel/db.js';

type Query = <T extends Record<string, unknown>>(sql: string) => Promise<T[]>;

/** Opens a finished run's sim.duckdb read-only for the duration of `work`. */
export async function openRun(path: string, work: (q: Query) => Promise<void>): Promise<void> {
  const db = await ChannelDb.open(path, { readOnly: true });
  try {
    await work((sql) => db.query(sql));
  } finally {
    await db.close();
  }
}
