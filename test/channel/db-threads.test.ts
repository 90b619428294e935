import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ChannelDb, SMALL_RUN_AGENTS } from '../../src/channel/db.js';
import { tempDir } from '../helpers/tmp.js';

async function threads(db: ChannelDb): Promise<number> {
  const [row] = await db.query<{ t: string }>(`SELECT current_setting('threads')::VARCHAR AS t`);
  return Number(row!.t);
}

async function metaCount(path: string): Promise<number> {
  // Another instance, as another process would read the file.
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM meta`);
    return reader.getRows()[0]![0] as number;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("a run's DuckDB", () => {
  it('works on one thread below the small-run size or when no size is given, and on DuckDB’s default (a thread per core) from it on', async () => {
    const dir = tempDir();
    const unsized = await ChannelDb.open(join(dir, 'unsized.duckdb'));
    const small = await ChannelDb.open(join(dir, 'small.duckdb'), { agents: SMALL_RUN_AGENTS - 1 });
    const large = await ChannelDb.open(join(dir, 'large.duckdb'), { agents: SMALL_RUN_AGENTS });
    expect(await threads(unsized)).toBe(1);
    expect(await threads(small)).toBe(1);
    expect(await threads(large)).toBe(Math.max(1, availableParallelism()));
    await Promise.all([unsized.close(), small.close(), large.close()]);
  });

  it('when small channels are open at once then each reads its own tables, and a closed one is checkpointed for other processes', async () => {
    const dir = tempDir();
    const [a, b] = [join(dir, 'a.duckdb'), join(dir, 'b.duckdb')];
    const first = await ChannelDb.open(a, { agents: 10 });
    const second = await ChannelDb.open(b, { agents: 10 });
    await first.setMeta({ k1: 'a', k2: 'a' });
    await second.setMeta({ k1: 'b' });
    // The schema version plus what each wrote, and nothing of the other file.
    expect(await first.query(`SELECT count(*)::INTEGER AS n FROM meta`)).toEqual([{ n: 3 }]);
    expect(await second.query(`SELECT value FROM meta WHERE key = 'k1'`)).toEqual([{ value: 'b' }]);
    await first.close();
    await second.close();
    expect(existsSync(`${a}.wal`)).toBe(false);
    expect(await metaCount(a)).toBe(3);
    expect(await metaCount(b)).toBe(2);
  });

  it('when a file is opened for reading while its writer is open then both share it, and it stays open until the last closes', async () => {
    const path = join(tempDir(), 'shared.duckdb');
    const writer = await ChannelDb.open(path, { agents: 10 });
    await writer.setMeta({ k: 'v1' });
    const reader = await ChannelDb.open(path, { readOnly: true });
    expect(await reader.query(`SELECT value FROM meta WHERE key = 'k'`)).toEqual([{ value: 'v1' }]);
    await writer.close();
    await writer.setMeta({ k: 'v2' }).then(
      () => expect.unreachable('a closed ChannelDb must not write'),
      (err: unknown) => expect(String(err)).toMatch(/closed|connection/i),
    );
    expect(await reader.query(`SELECT value FROM meta WHERE key = 'k'`)).toEqual([{ value: 'v1' }]);
    await reader.close();
    const again = await ChannelDb.open(path, { agents: 10 });
    expect(await again.query(`SELECT value FROM meta WHERE key = 'k'`)).toEqual([{ value: 'v1' }]);
    await again.close();
  });

  it('when a file is open read-only then opening it for writing is refused with its name', async () => {
    const path = join(tempDir(), 'ro.duckdb');
    await (await ChannelDb.open(path)).close();
    const reader = await ChannelDb.open(path, { readOnly: true });
    await expect(ChannelDb.open(path)).rejects.toThrow(/ro\.duckdb is open read-only in this process/);
    await reader.close();
    await (await ChannelDb.open(path)).close();
  });
});
