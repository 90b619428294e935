import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChannelDb, SMALL_RUN_AGENTS } from '../../src/channel/db.js';
import { tempDir } from '../helpers/tmp.js';

async function threads(db: ChannelDb): Promise<number> {
  const [row] = await db.query<{ t: string }>(`SELECT current_setting('threads')::VARCHAR AS t`);
  return Number(row!.t);
}

describe("a run's DuckDB threads", () => {
  it('are one below the small-run size and DuckDB’s default (a thread per core) from it on', async () => {
    const dir = tempDir();
    const small = await ChannelDb.open(join(dir, 'small.duckdb'));
    const large = await ChannelDb.open(join(dir, 'large.duckdb'));
    const cores = await threads(large);
    expect(cores).toBe(Math.max(1, availableParallelism()));
    await small.useThreadsFor(SMALL_RUN_AGENTS - 1);
    await large.useThreadsFor(SMALL_RUN_AGENTS);
    expect(await threads(small)).toBe(1);
    expect(await threads(large)).toBe(cores);
    small.close();
    large.close();
  });

  it('when the run’s size is given at open then the threads are set as useThreadsFor sets them', async () => {
    const dir = tempDir();
    const small = await ChannelDb.open(join(dir, 'small.duckdb'), { agents: SMALL_RUN_AGENTS - 1 });
    const large = await ChannelDb.open(join(dir, 'large.duckdb'), { agents: SMALL_RUN_AGENTS });
    expect(await threads(small)).toBe(1);
    expect(await threads(large)).toBe(Math.max(1, availableParallelism()));
    small.close();
    large.close();
  });
});
