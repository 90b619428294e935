import { describe, expect, it } from 'vitest';
import { loadPosts } from '../../src/data/load-posts.js';
import { loadUsers, type LoadedUsers } from '../../src/data/load-users.js';
import { dataDir, failure, table } from './helpers.js';

async function setup(files: Record<string, string>): Promise<{ dir: string; users: LoadedUsers }> {
  const dir = dataDir({ 'users.csv': 'id\nu1\nu2\n', ...files });
  return { dir, users: await loadUsers(table('users.csv'), dir) };
}

describe('loadPosts', () => {
  it('when kind is not given then it is original without parent, repost with a parent and no text, comment with both', async () => {
    const { dir, users } = await setup({ 'p.csv': 'id,author,text,time,parent\n1,u1,hello,1700000000,\n2,u2,,1700000060,1\n3,u1,"agreed, really",1700000120,1\n' });
    const posts = await loadPosts(table('p.csv'), dir, users);
    expect(posts.rows).toEqual([
      { id: '1', author: 'u1', text: 'hello', time: 1_700_000_000_000, parent: undefined, kind: 'original' },
      { id: '2', author: 'u2', text: '', time: 1_700_000_060_000, parent: '1', kind: 'repost' },
      { id: '3', author: 'u1', text: 'agreed, really', time: 1_700_000_120_000, parent: '1', kind: 'comment' },
    ]);
  });

  it('when columns are mapped and kind is given then the kind is kept, a parent may come later in the file', async () => {
    const { dir, users } = await setup({ 'p.jsonl': '{"tid": "q", "uid": "u2", "body": "look", "ref": "o", "type": "Quote", "at": "2024-01-01T00:00:00Z"}\n{"tid": "o", "uid": "u1", "body": "x"}\n' });
    const posts = await loadPosts(table('p.jsonl', { columns: { id: 'tid', author: 'uid', text: 'body', parent: 'ref', kind: 'type', time: 'at' } }), dir, users);
    expect(posts.rows.map((p) => [p.id, p.kind, p.parent, p.time])).toEqual([
      ['q', 'quote', 'o', Date.UTC(2024, 0, 1)],
      ['o', 'original', undefined, undefined],
    ]);
  });

  it('when a parent is missing from the file under fail then the error names the line and the parent column', async () => {
    const { dir, users } = await setup({ 'p.csv': 'id,author,text,parent_id\n1,u1,a,\n2,u1,b,99\n' });
    const err = await failure(loadPosts(table('p.csv', { columns: { parent: 'parent_id' } }), dir, users));
    expect(err.message).toBe('p.csv:3: column "parent_id" (parent): no post with id "99" in the file');
  });

  it('when a parent is missing under skip then its replies are left out too, each counted', async () => {
    const { dir, users } = await setup({ 'p.csv': 'id,author,text,parent\n3,u1,reply to reply,2\n1,u1,a,\n2,u1,b,99\n4,u2,ok,1\n' });
    const posts = await loadPosts(table('p.csv', { on_bad_row: 'skip' }), dir, users);
    expect(posts.rows.map((p) => p.id)).toEqual(['1', '4']);
    expect(posts.skipped).toBe(2);
    expect(posts.examples).toEqual(['p.csv:2: column "parent": its parent "2" was left out (see that row)', 'p.csv:4: column "parent": no post with id "99" in the file']);
  });

  it('when parents loop then the posts of the loop are bad', async () => {
    const { dir, users } = await setup({ 'p.csv': 'id,author,text,parent\n1,u1,a,2\n2,u1,b,1\n3,u1,c,\n' });
    const posts = await loadPosts(table('p.csv', { on_bad_row: 'skip' }), dir, users);
    expect(posts.rows.map((p) => p.id)).toEqual(['3']);
    expect(posts.skipped).toBe(2);
  });

  const bad: [string, string, string][] = [
    ['an unknown author', '1,zz,a,,,', 'p.csv:2: column "author": no user with id "zz" in users.csv'],
    ['an unknown kind', '1,u1,a,,,retweet', 'p.csv:2: column "kind": expected one of original, repost, quote, comment, got "retweet"'],
    ['a repost without parent', '1,u1,,,,repost', 'p.csv:2: column "parent": missing: a repost needs the id of the post it answers'],
    ['an original with a parent', '1,u1,a,,1,original', 'p.csv:2: column "parent": post "1" is its own parent'],
    ['a bad time', '1,u1,a,13/01/2024,,', 'p.csv:2: column "time": expected a time (ISO-8601 like 2024-06-17T08:00:00Z, or epoch seconds), got "13/01/2024"'],
  ];
  for (const [what, row, message] of bad) {
    it(`when a post has ${what} then fail names it and skip counts it`, async () => {
      const files = { 'p.csv': `id,author,text,time,parent,kind\n${row}\n0,u2,fine,,,\n` };
      const { dir, users } = await setup(files);
      expect((await failure(loadPosts(table('p.csv'), dir, users))).message).toBe(message);
      const posts = await loadPosts(table('p.csv', { on_bad_row: 'skip' }), dir, users);
      expect([posts.skipped, posts.rows.map((p) => p.id)]).toEqual([1, ['0']]);
    });
  }

  it('when an original names a parent then it is refused', async () => {
    const { dir, users } = await setup({ 'p.csv': 'id,author,text,parent,kind\n1,u1,a,,\n2,u1,b,1,original\n' });
    expect((await failure(loadPosts(table('p.csv'), dir, users))).message).toBe('p.csv:3: column "parent": an original post has no parent (kind is original), got "1"');
  });
});
