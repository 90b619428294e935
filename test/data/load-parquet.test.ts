import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadFollows } from '../../src/data/load-follows.js';
import { loadPosts } from '../../src/data/load-posts.js';
import { loadUsers } from '../../src/data/load-users.js';
import { tempDir } from '../helpers/tmp.js';
import { failure, table } from './helpers.js';

const SAMPLE = fileURLToPath(new URL('../../data/sample/', import.meta.url));
const USERS_MAP = { id: 'user_id', username: 'screen_name', following_count: 'friends_count' } as const;

/** Runs DuckDB statements (COPY … TO parquet) in a throwaway in-memory database. */
async function duck(...sql: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const s of sql) await connection.run(s);
  connection.closeSync();
  instance.closeSync();
}

describe('Parquet tables', () => {
  it('when the sample users, follows and posts are converted to Parquet then they load exactly as the CSVs do', async () => {
    const dir = tempDir();
    // Every column as text: the Parquet files hold exactly the CSVs' cells.
    await duck(
      ...['users', 'follows', 'posts'].map((t) => `COPY (SELECT * FROM read_csv('${join(SAMPLE, `${t}.csv`)}', all_varchar = true)) TO '${join(dir, `${t}.parquet`)}' (FORMAT parquet)`),
    );
    const load = async (base: string, ext: string) => {
      const users = await loadUsers(table(`users.${ext}`, { columns: USERS_MAP }), base);
      const follows = await loadFollows(table(`follows.${ext}`, { columns: { follower: 'src', followee: 'dst' } }), base, users);
      const posts = await loadPosts(table(`posts.${ext}`, { columns: { id: 'tweet_id', author: 'user_id', parent: 'parent_id' } }), base, users);
      return { users: users.rows, follows: [...follows.follower.subarray(0, follows.count)].map((f, i) => [f, follows.followee[i]]), posts: posts.rows, skipped: users.skipped + follows.skipped + posts.skipped };
    };
    const fromCsv = await load(SAMPLE, 'csv');
    const fromParquet = await load(dir, 'parquet');
    expect(fromCsv.users.length).toBeGreaterThan(100);
    expect(fromParquet).toEqual(fromCsv);
  });

  it('when columns are typed (64-bit ids, integers, lists) then they read like JSON values, and other columns are kept as extra', async () => {
    const dir = tempDir();
    await duck(`COPY (SELECT * FROM (VALUES (1200000000000000001::BIGINT, 'ada', 120::INTEGER, ['tech', 'maths']), (7::BIGINT, 'ben', 0::INTEGER, [])) AS t(user_id, screen_name, followers_count, tags)) TO '${join(dir, 'u.parquet')}' (FORMAT parquet)`);
    const users = await loadUsers(table('u.parquet', { columns: USERS_MAP }), dir);
    expect(users.rows.map((u) => [u.id, u.username, u.followersCount, u.extra])).toEqual([
      ['1200000000000000001', 'ada', 120, { tags: ['tech', 'maths'] }],
      ['7', 'ben', 0, { tags: [] }],
    ]);
  });

  it('when a row is bad then it is located by its row number; a missing or non-Parquet file stops the load with the reason', async () => {
    const dir = tempDir();
    await duck(`COPY (SELECT * FROM (VALUES (1, 'a'), (NULL, 'b'), (3, 'c')) AS t(id, username)) TO '${join(dir, 'u.parquet')}' (FORMAT parquet)`);
    const users = await loadUsers(table('u.parquet', { on_bad_row: 'skip' }), dir);
    expect(users.rows.map((u) => u.username)).toEqual(['a', 'c']);
    expect(users.skipped).toBe(1);
    expect(users.examples[0]).toMatch(/^u\.parquet:2: column "id": /);
    expect((await failure(loadUsers(table('gone.parquet'), dir))).message).toMatch(/^gone\.parquet: cannot read the file \(.*gone\.parquet\): no such file$/);
    writeFileSync(join(dir, 'text.parquet'), 'id,username\n1,a\n');
    expect((await failure(loadUsers(table('text.parquet'), dir))).message).toMatch(/^text\.parquet: cannot read the file \(.*text\.parquet\): .+/);
  });
});
