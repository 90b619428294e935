import { describe, expect, it } from 'vitest';
import { loadFollows } from '../../src/data/load-follows.js';
import { loadUsers, type LoadedUsers } from '../../src/data/load-users.js';
import { dataDir, failure, table } from './helpers.js';

const USERS = 'id\na\nb\nc\n';

async function setup(follows: Record<string, string>): Promise<{ dir: string; users: LoadedUsers }> {
  const dir = dataDir({ 'users.csv': USERS, ...follows });
  return { dir, users: await loadUsers(table('users.csv'), dir) };
}

function pairs(f: { count: number; follower: Int32Array; followee: Int32Array }, users: LoadedUsers): string[] {
  return Array.from({ length: f.count }, (_, e) => `${users.rows[f.follower[e]!]!.id}>${users.rows[f.followee[e]!]!.id}`);
}

describe('loadFollows', () => {
  it('when columns are mapped then edges come back as user indices in file order', async () => {
    const { dir, users } = await setup({ 'f.csv': 'src,dst,weight\na,b,1\nc,a,2\nb,c,3\n' });
    const f = await loadFollows(table('f.csv', { columns: { follower: 'src', followee: 'dst' } }), dir, users);
    expect(pairs(f, users)).toEqual(['a>b', 'c>a', 'b>c']);
    expect([...f.follower]).toEqual([0, 2, 1]);
  });

  it('when follows are JSONL with numeric ids then they match the users’ text ids', async () => {
    const dir = dataDir({ 'u.jsonl': '{"id": 1}\n{"id": 2}\n', 'f.jsonl': '{"follower": 1, "followee": 2}\n{"follower": "2", "followee": 1}\n' });
    const users = await loadUsers(table('u.jsonl'), dir);
    expect(pairs(await loadFollows(table('f.jsonl'), dir, users), users)).toEqual(['1>2', '2>1']);
  });

  it('when a follow names an unknown user under fail then the error names the line, the column and the users file', async () => {
    const { dir, users } = await setup({ 'f.csv': 'follower,followee\na,b\na,zz\n' });
    const err = await failure(loadFollows(table('f.csv'), dir, users));
    expect(err.message).toBe('f.csv:3: column "followee": no user with id "zz" in users.csv');
  });

  it('when follows have dangling, self, repeated and missing entries under skip then each is counted and the rest load', async () => {
    const { dir, users } = await setup({ 'f.csv': 'follower,followee\na,b\nq,b\nc,c\nb,a\na,b\n,a\nb,c\n' });
    const f = await loadFollows(table('f.csv', { on_bad_row: 'skip' }), dir, users);
    expect(pairs(f, users)).toEqual(['a>b', 'b>a', 'b>c']);
    expect(f.skipped).toBe(4);
    expect(f.examples).toEqual([
      'f.csv:3: column "follower": no user with id "q" in users.csv',
      'f.csv:4: column "followee": user "c" follows itself',
      'f.csv:7: column "follower": missing (this field is required)',
      'f.csv:6: repeats the follow on line 2',
    ]);
  });

  it('when an edge repeats under fail then the error names both lines', async () => {
    const { dir, users } = await setup({ 'f.csv': 'follower,followee\nb,c\na,b\nc,a\na,b\na,b\n' });
    const err = await failure(loadFollows(table('f.csv'), dir, users));
    expect(err.message).toBe('f.csv:5: repeats the follow on line 3');
  });
});
