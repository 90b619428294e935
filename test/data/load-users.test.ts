import { describe, expect, it } from 'vitest';
import { loadUsers } from '../../src/data/load-users.js';
import { dataDir, failure, table } from './helpers.js';

const USERS_CSV =
  'user_id,screen_name,name,description,created_at,followers_count,friends_count,location\n' +
  '10,ada,Ada L,"Into tech, and ""maths"".\nSecond line.",2020-01-02T03:04:05Z,120,30,"Austin, TX"\n' +
  '11,ben,,,1600000000,0,5,\n';

const MAPPED = { id: 'user_id', username: 'screen_name', following_count: 'friends_count' } as const;

describe('loadUsers: good files', () => {
  it('when a CSV maps its column names then every canonical field is read, quotes and line breaks included', async () => {
    const dir = dataDir({ 'u.csv': USERS_CSV });
    const users = await loadUsers(table('u.csv', { columns: MAPPED }), dir);
    expect(users.skipped).toBe(0);
    expect(users.rows[0]).toMatchObject({
      id: '10',
      username: 'ada',
      name: 'Ada L',
      bio: 'Into tech, and "maths".\nSecond line.',
      createdAt: Date.UTC(2020, 0, 2, 3, 4, 5),
      followersCount: 120,
      followingCount: 30,
      extra: { location: 'Austin, TX' },
    });
  });

  it('when optional cells are empty then name falls back to the username, bio to empty, and nothing lands in extra', async () => {
    const users = await loadUsers(table('u.csv', { columns: MAPPED }), dataDir({ 'u.csv': USERS_CSV }));
    expect(users.rows[1]).toMatchObject({ id: '11', username: 'ben', name: 'ben', bio: '', createdAt: 1_600_000_000_000, followersCount: 0, extra: {} });
  });

  it('when the file has no username column then usernames are user_<id>', async () => {
    const users = await loadUsers(table('u.csv'), dataDir({ 'u.csv': 'id,bio\n7,hi\n' }));
    expect(users.rows[0]).toMatchObject({ id: '7', username: 'user_7', name: 'user_7', bio: 'hi' });
  });

  it('when a JSONL file uses canonical keys then values of any JSON type are read, and other keys kept as extra', async () => {
    const dir = dataDir({
      'u.jsonl': '{"id": 1, "username": "ada", "bio": "b", "created_at": "2021-05-01", "followers_count": "12", "interests": ["tech", "music"], "age_band": "25-34", "meta": {"k": [1]}}\n\n{"id": "x2", "interests": "food; travel"}\r\n',
    });
    const users = await loadUsers(table('u.jsonl'), dir);
    expect(users.rows).toEqual([
      expect.objectContaining({ id: '1', username: 'ada', createdAt: Date.UTC(2021, 4, 1), followersCount: 12, interests: ['tech', 'music'], extra: { age_band: '25-34', meta: { k: [1] } } }),
      expect.objectContaining({ id: 'x2', username: 'user_x2', interests: ['food', 'travel'], extra: {} }),
    ]);
  });

  it('when a JSONL file maps keys then the mapped keys are read', async () => {
    const users = await loadUsers(table('u.ndjson', { columns: { id: 'uid', bio: 'about' } }), dataDir({ 'u.ndjson': '{"uid": 5, "about": "hello"}\n' }));
    expect(users.rows[0]).toMatchObject({ id: '5', bio: 'hello', extra: {} });
  });

  it('when the file is gzipped then it reads like the plain file', async () => {
    const dir = dataDir({ 'u.csv.gz': USERS_CSV, 'u.csv': USERS_CSV });
    const gz = await loadUsers(table('u.csv.gz', { columns: MAPPED }), dir);
    expect(gz.rows).toEqual((await loadUsers(table('u.csv', { columns: MAPPED }), dir)).rows);
  });

  it('when format is given then the extension does not matter', async () => {
    const users = await loadUsers(table('users.txt', { format: 'jsonl' }), dataDir({ 'users.txt': '{"id": 1}\n' }));
    expect(users.rows.map((u) => u.id)).toEqual(['1']);
  });

  it('when times come as ISO without zone, epoch seconds or Twitter’s format then all are UTC milliseconds', async () => {
    const csv = 'id,created_at\n1,2020-01-02 03:04:05\n2,1577934245\n3,Thu Jan 02 03:04:05 +0000 2020\n4,2020-01-02T04:04:05+01:00\n';
    const users = await loadUsers(table('u.csv'), dataDir({ 'u.csv': csv }));
    expect(new Set(users.rows.map((u) => u.createdAt))).toEqual(new Set([Date.UTC(2020, 0, 2, 3, 4, 5)]));
  });
});

describe('loadUsers: bad rows', () => {
  const cases: [string, string, string, string][] = [
    ['a count that is not an integer', 'u.csv', 'id,followers_count\n1,5\n2,12x\n', 'u.csv:3: column "followers_count": expected an integer, got "12x"'],
    ['a negative count', 'u.csv', 'id,followers_count\n1,-4\n', 'u.csv:2: column "followers_count": expected an integer of at least 0, got "-4"'],
    ['an unparseable time', 'u.csv', 'id,created_at\n1,yesterday\n', 'u.csv:2: column "created_at": expected a time (ISO-8601 like 2024-06-17T08:00:00Z, or epoch seconds), got "yesterday"'],
    ['a missing id', 'u.csv', 'id,name\n1,a\n,b\n', 'u.csv:3: column "id": missing (this field is required)'],
    ['a repeated id', 'u.csv', 'id\n1\n2\n1\n', 'u.csv:4: column "id": duplicate id "1" (first on line 2)'],
    ['a repeated username', 'u.csv', 'id,username\n1,a\n2,a\n', 'u.csv:3: column "username": duplicate username "a" (first on line 2)'],
    ['the wrong number of columns', 'u.csv', 'id,name\n1,a\n2,b,extra\n', 'u.csv:3: expected 2 columns (as in the header), got 3'],
    ['a line that is not JSON', 'u.jsonl', '{"id": 1}\n{"id": 2,}\n', 'u.jsonl:2: not valid JSON ('],
    ['a JSON line that is not an object', 'u.jsonl', '{"id": 1}\n[1, 2]\n', 'u.jsonl:2: expected a JSON object, got an array'],
    ['a JSON value of the wrong type', 'u.jsonl', '{"id": 1, "bio": {"a": 1}}\n', 'u.jsonl:1: column "bio": expected text, got an object'],
    ['an id past 2^53 as a JSON number', 'u.jsonl', '{"id": 1234567890123456789}\n', 'u.jsonl:1: column "id": expected an id (text or a whole number below 2^53; quote longer ids), got 1234567890123456800'],
  ];

  for (const [what, file, text, message] of cases) {
    it(`when a file has ${what} under on_bad_row fail then the load throws naming file, line and column`, async () => {
      const err = await failure(loadUsers(table(file), dataDir({ [file]: text })));
      expect(err.code).toBe('dataset.bad_row');
      expect(err.message.startsWith(message), err.message).toBe(true);
      expect(err.file).toBe(file);
    });

    it(`when a file has ${what} under on_bad_row skip then that row is counted, explained and left out`, async () => {
      const users = await loadUsers(table(file, { on_bad_row: 'skip' }), dataDir({ [file]: text }));
      expect(users.skipped).toBe(1);
      expect(users.examples[0]!.startsWith(message), users.examples[0]).toBe(true);
      expect(users.rows.length).toBe(text.trim().split('\n').length - (file.endsWith('.csv') ? 2 : 1));
    });
  }

  it('when a mapped column is renamed then the message names the file column and the field', async () => {
    const err = await failure(loadUsers(table('u.csv', { columns: { followers_count: 'n_fol' } }), dataDir({ 'u.csv': 'id,n_fol\n1,x\n' })));
    expect(err.message).toBe('u.csv:2: column "n_fol" (followers_count): expected an integer, got "x"');
    expect(err.column).toBe('n_fol');
    expect(err.line).toBe(2);
  });

  it('when many rows are bad under skip then all are counted and the first five kept as examples', async () => {
    const csv = 'id,followers_count\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 4 === 0 ? 'bad' : i}`).join('\n');
    const users = await loadUsers(table('u.csv', { on_bad_row: 'skip' }), dataDir({ 'u.csv': csv }));
    expect(users.skipped).toBe(10);
    expect(users.rows).toHaveLength(30);
    expect(users.examples.map((e) => e.split(':')[1])).toEqual(['2', '6', '10', '14', '18']);
  });

  it('when a mapped column is not in the header then even skip stops, naming the column and the header', async () => {
    const err = await failure(loadUsers(table('u.csv', { columns: { id: 'user_idd' }, on_bad_row: 'skip' }), dataDir({ 'u.csv': 'user_id,name\n1,a\n' })));
    expect(err.code).toBe('dataset.columns');
    expect(err.message).toBe('u.csv:1: no column "user_idd" (mapped from id in columns); the header has: user_id, name (did you mean "user_id"?)');
  });

  it('when the required id column is missing then the message says how to map it', async () => {
    const err = await failure(loadUsers(table('u.csv'), dataDir({ 'u.csv': 'uid,name\n1,a\n' })));
    expect(err.message).toMatch(/^u\.csv:1: no column "id" \(required\); the header has: uid, name; name the column with columns: \{ id: <column> \}/);
  });

  it('when the file does not exist then the error says it cannot be read', async () => {
    const err = await failure(loadUsers(table('missing.csv'), dataDir({})));
    expect(err.code).toBe('dataset.unreadable');
    expect(err.message).toMatch(/^missing\.csv: cannot read the file \(.*missing\.csv\): no such file$/);
  });

  it('when the extension says no format and none is given then the error says to add one', async () => {
    const err = await failure(loadUsers(table('users.txt'), dataDir({ 'users.txt': 'id\n1\n' })));
    expect(err.message).toBe('users.txt: cannot tell the format from the extension; add format: csv, jsonl or parquet');
  });
});
