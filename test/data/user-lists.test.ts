import { describe, expect, it } from 'vitest';
import type { FollowingKind, UserColumn, UsersTableConfig } from '../../src/config/types.js';
import { describeLoad, loadDataset } from '../../src/data/dataset.js';
import { loadUsers, type LoadedUsers } from '../../src/data/load-users.js';
import { dataDir, failure, table } from './helpers.js';

/** The OASIS seed file's header: a leading unnamed (pandas index) column, then its names. */
const HEADER = ',user_id,name,username,following_agentid_list,previous_tweets,user_char,description,created_at,activity_level_frequency';
const FLAT = `"[${new Array(24).fill(1).join(', ')}]"`;

/** One data row; `row` is the pandas index written in the first column. */
function row(row: number, id: string, following: string, tweets = '[]', profile = FLAT): string {
  return `${row},${id},Name ${id},user${id},${following},${tweets},A person called ${id}.,bio of ${id},2019-03-04 12:33:10+00:00,${profile}`;
}

const OASIS_COLUMNS: Partial<Record<UserColumn, string>> = {
  id: 'user_id',
  following: 'following_agentid_list',
  previous_posts: 'previous_tweets',
  character: 'user_char',
  activity_profile: 'activity_level_frequency',
};

function users(path: string, kind: FollowingKind | undefined, over: Partial<UsersTableConfig> = {}): UsersTableConfig {
  return { ...table<UserColumn>(path, { columns: OASIS_COLUMNS }), ...(kind ? { following_kind: kind } : {}), ...over };
}

function pairs(u: LoadedUsers): string[] {
  const f = u.follows!;
  return Array.from({ length: f.count }, (_, e) => `${u.rows[f.follower[e]!]!.id}>${u.rows[f.followee[e]!]!.id}`);
}

describe('users file list columns: follows', () => {
  it('when following lists hold row indices then each names the 0-based data row of the file, forward references included', async () => {
    // A blank line is no row: row 2 is still the third data row.
    const dir = dataDir({ 'u.csv': [HEADER, row(0, '100', '"[1, 2]"'), row(1, '200', '[]'), '', row(2, '300', '"[0]"'), row(3, '400', '0')].join('\n') + '\n' });
    const u = await loadUsers(users('u.csv', 'row_index'), dir);
    expect(pairs(u)).toEqual(['100>200', '100>300', '300>100']);
    expect(u.skipped).toBe(0);
    // The unnamed index column is no field and is not kept as extra; the other OASIS columns are read.
    expect(u.rows[0]!.extra).toEqual({});
    expect(u.rows[0]).toMatchObject({ id: '100', username: 'user100', bio: 'bio of 100', character: 'A person called 100.', createdAt: Date.UTC(2019, 2, 4, 12, 33, 10) });
  });

  it('when following lists hold ids then they name users by the id column, as a list literal, a JSON array or a;b', async () => {
    const csv = 'id,following\na,"[\'b\', \'c\']"\nb,"[""a""]"\nc,a;b\nd,\n';
    const u = await loadUsers({ ...table<UserColumn>('u.csv'), following_kind: 'id' }, dataDir({ 'u.csv': csv }));
    expect(pairs(u)).toEqual(['a>b', 'a>c', 'b>a', 'c>a', 'c>b']);
  });

  it('when JSONL rows hold arrays then the arrays are the lists, numeric ids included', async () => {
    const jsonl = '{"id": 1, "following": [2, "3"]}\n{"id": 2, "following": 0}\n{"id": 3, "following": "[1]"}\n';
    const u = await loadUsers({ ...table<UserColumn>('u.jsonl'), following_kind: 'id' }, dataDir({ 'u.jsonl': jsonl }));
    expect(pairs(u)).toEqual(['1>2', '1>3', '3>1']);
  });

  it('when a row index is past the last data row under fail then the error names file, line, column and how many rows there are', async () => {
    const dir = dataDir({ 'u.csv': [HEADER, row(0, '100', '"[1]"'), row(1, '200', '"[0, 7]"')].join('\n') + '\n' });
    const err = await failure(loadUsers(users('u.csv', 'row_index'), dir));
    expect(err.message).toBe('u.csv:3: column "following_agentid_list" (following): item 2 of the list: no row 7: the file has 2 data rows (row indices count them from 0, header excluded)');
    expect([err.code, err.line, err.column]).toEqual(['dataset.bad_row', 3, 'following_agentid_list']);
  });

  it('when an id is unknown under fail then the error names the id and the users file', async () => {
    const err = await failure(loadUsers({ ...table<UserColumn>('u.csv'), following_kind: 'id' }, dataDir({ 'u.csv': 'id,following\na,"[\'b\']"\nb,"[\'zz\']"\n' })));
    expect(err.message).toBe('u.csv:3: column "following": item 1 of the list: no user with id "zz" in u.csv');
  });

  it('when lists dangle, repeat, follow oneself or point at a bad row under skip then each such follow is counted and left out, the users stay', async () => {
    const lines = [HEADER, row(0, '100', '"[1, 1, 0, 9, 2]"'), '1,200,too,few,cells', row(2, '300', '"[1, 0]"'), row(3, '400', `"['x']"`)];
    const u = await loadUsers(users('u.csv', 'row_index', { on_bad_row: 'skip' }), dataDir({ 'u.csv': lines.join('\n') + '\n' }));
    expect(u.rows.map((r) => r.id)).toEqual(['100', '300']);
    // Row 1 (line 3) is itself bad but keeps its index: row 2 is still 300. 100's list: row 1 (did not load),
    // row 1 again, itself, row 9, then row 2; 300's: row 1, then row 0; 400's list holds no row index.
    expect(pairs(u)).toEqual(['100>300', '300>100']);
    expect(u.skipped).toBe(7);
    expect(u.examples).toEqual([
      'u.csv:3: expected 10 columns (as in the header), got 5',
      'u.csv:5: column "following_agentid_list" (following): item 1 of the list: expected a row index (a whole number, 0 or more), got "x"',
      'u.csv:2: column "following_agentid_list" (following): item 1 of the list: row 1 did not load (it is a bad row)',
      'u.csv:2: column "following_agentid_list" (following): item 2 of the list: row 1 did not load (it is a bad row)',
      'u.csv:2: column "following_agentid_list" (following): item 3 of the list: user "100" follows itself',
    ]);
    expect(describeLoad({ users: u })[0]).toBe('u.csv: 2 users (their lists hold 2 follows), 7 bad rows skipped');
  });

  it('when a list repeats a row then the repeat is a bad row', async () => {
    const err = await failure(loadUsers(users('u.csv', 'row_index'), dataDir({ 'u.csv': [HEADER, row(0, '100', '"[1, 1]"'), row(1, '200', '[]')].join('\n') + '\n' })));
    expect(err.message).toMatch(/u\.csv:2: .*item 2 of the list: repeats row 1, listed before$/);
  });

  it('when following is mapped without following_kind then the load stops saying which kinds there are', async () => {
    const err = await failure(loadUsers(users('u.csv', undefined), dataDir({ 'u.csv': [HEADER, row(0, '100', '[]')].join('\n') + '\n' })));
    expect(err.code).toBe('dataset.columns');
    expect(err.message).toMatch(/needs following_kind: row_index .* or id/);
  });

  it('when a column is named following but following_kind is not given then it stays an extra column', async () => {
    const u = await loadUsers(table('u.csv'), dataDir({ 'u.csv': 'id,following\na,true\n' }));
    expect(u.rows[0]!.extra).toEqual({ following: 'true' });
    expect(u.follows).toBeUndefined();
  });

  it('when both a follows file and follow lists are given then the graph is their union, each pair once, the file’s edges first', async () => {
    const dir = dataDir({
      'u.csv': [HEADER, row(0, '100', '"[1, 2]"'), row(1, '200', '"[0]"'), row(2, '300', '[]')].join('\n') + '\n',
      'f.csv': 'follower,followee\n300,100\n100,200\n',
    });
    const d = await loadDataset({ generate: { topics: ['t'], interests_per_agent: 1, follows_per_agent: 0, homophily: 0, initial_posts_per_agent: 0 }, users: users('u.csv', 'row_index'), follows: table('f.csv') }, dir);
    expect(pairs({ ...d.users!, follows: d.follows })).toEqual(['300>100', '100>200', '100>300', '200>100']);
    expect(d.users!.follows!.count).toBe(3);
    expect(describeLoad(d)).toEqual(['u.csv: 3 users (their lists hold 3 follows)', 'f.csv: 4 follows with the users’ lists, each pair once']);
  });
});

describe('users file list columns: activity profiles and previous posts', () => {
  it('when a profile has 24 numbers then they are kept as given, from a list literal, JSON array or a;b', async () => {
    const hours = Array.from({ length: 24 }, (_, h) => h % 5);
    const csv = `id,p\na,"[${hours.join(', ')}]"\nb,${hours.join(';')}\nc,${hours.join('|')}\n`;
    const u = await loadUsers(table('u.csv', { columns: { activity_profile: 'p' } }), dataDir({ 'u.csv': csv }));
    expect(u.rows.map((r) => r.activityProfile)).toEqual([hours, hours, hours]);
  });

  it('when a profile has the wrong length, a negative or a word then the row is bad, naming the hour', async () => {
    const bad = async (cell: string): Promise<string> =>
      (await failure(loadUsers(table('u.csv', { columns: { activity_profile: 'p' } }), dataDir({ 'u.csv': `id,p\na,"${cell}"\n` })))).message;
    expect(await bad('[1, 2, 3]')).toBe('u.csv:2: column "p" (activity_profile): expected 24 numbers (one per hour, 0 = midnight UTC), got 3');
    expect(await bad(`[${[...new Array(23).fill(1), -1].join(', ')}]`)).toBe('u.csv:2: column "p" (activity_profile): hour 23: expected a number of at least 0, got -1');
    expect(await bad(`[${['lots', ...new Array(23).fill(1)].map((x) => (x === 'lots' ? "'lots'" : x)).join(', ')}]`)).toMatch(/hour 0: expected a number, got "lots"/);
  });

  it('when previous posts are a Python list of texts then they are read in order, quotes and escapes decoded', async () => {
    const tweets = String.raw`['first, with a comma', "it's here", 'say \"hi\"\nnext line']`;
    const csv = `id,t\na,"${tweets.replace(/"/g, '""')}"\nb,[]\nc,\n`;
    const u = await loadUsers(table('u.csv', { columns: { previous_posts: 't' } }), dataDir({ 'u.csv': csv }));
    expect(u.rows.map((r) => r.previousPosts)).toEqual([['first, with a comma', "it's here", 'say "hi"\nnext line'], [], undefined]);
  });

  it('when previous posts are plain text or hold a number then the row is bad', async () => {
    const bad = async (cell: string): Promise<string> =>
      (await failure(loadUsers(table('u.csv', { columns: { previous_posts: 't' } }), dataDir({ 'u.csv': `id,t\na,"${cell}"\n` })))).message;
    expect(await bad('just one tweet')).toMatch(/column "t" \(previous_posts\): expected a list of texts \(a list literal like/);
    expect(await bad("['ok', 5]")).toBe('u.csv:2: column "t" (previous_posts): item 2 of the list: expected a text, got 5');
  });
});
