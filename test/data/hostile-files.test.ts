/**
 * Issue 15, cases 10 and 11 at the loaders: a file that is not the CSV it claims to be is named
 * without quoting it (a few truncated column names, 200 bytes at most), and bytes that are not
 * UTF-8 stop the load at their line instead of loading as U+FFFD.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUsers } from '../../src/data/load-users.js';
import { shownColumns } from '../../src/data/table.js';
import { tempDir } from '../helpers/tmp.js';
import { failure, table } from './helpers.js';

describe('case 10: file contents in messages', () => {
  it('when the "header" is a shadow-like line then the message shows at most a truncated column name, not the line', async () => {
    const dir = tempDir();
    const hash = 'x'.repeat(300);
    writeFileSync(join(dir, 'u.csv'), `root:$6$${hash}:19000:0:99999:7:::\n1\n`);
    const err = await failure(loadUsers(table('u.csv'), dir));
    expect(err.code).toBe('dataset.columns');
    expect(err.message).toBe('u.csv:1: no column "id" (required); the header has: root:$6$xxxxxxxxxxxxx...; name the column with columns: { id: <column> }');
  });

  it('when a header has many long columns then at most 8 names of at most 24 characters are shown, with how many more', () => {
    const header = Array.from({ length: 30 }, (_, i) => `column_${i}_${'y'.repeat(40)}`);
    const shown = shownColumns(header);
    expect(Buffer.byteLength(shown)).toBeLessThanOrEqual(200);
    expect(shown).toMatch(/^column_0_yyyyyyyyyyyy\.\.\., column_1_yyyyyyyyyyyy\.\.\., .*… \(2\d more columns\)$/);
    expect(shownColumns(['id', 'name'])).toBe('id, name');
  });
});

describe('case 11: encodings', () => {
  const latin1 = Buffer.concat([Buffer.from('id,username,name\n1,ann,Ann\n2,rene,Ren'), Buffer.from([0xe9]), Buffer.from('\n3,zoe,Zoe\n')]);

  it('when a CSV holds Latin-1 bytes then the load stops naming the first bad line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'u.csv'), latin1);
    const err = await failure(loadUsers(table('u.csv'), dir));
    expect(err.code).toBe('dataset.encoding');
    expect(err.line).toBe(3);
    expect(err.message).toBe('u.csv:3: not valid UTF-8 (a Latin-1 or Windows-1252 file?); convert the file to UTF-8, or add encoding: latin1');
  });

  it('when the bad byte is past the first 64 KB chunk then its line is still the right one', async () => {
    const dir = tempDir();
    const good = Array.from({ length: 5000 }, (_, i) => `${i + 1},user${i + 1},Name ${i + 1}`).join('\n');
    writeFileSync(join(dir, 'u.csv'), Buffer.concat([Buffer.from(`id,username,name\n${good}\n9999,bad,B`), Buffer.from([0xff]), Buffer.from('\n')]));
    const err = await failure(loadUsers(table('u.csv'), dir));
    // Header (1) + 5,000 good rows (2..5001): the bad row is line 5002.
    expect(err.line).toBe(5002);
  });

  it('when encoding: latin1 is given then the same file loads with its accents', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'u.csv'), latin1);
    const users = await loadUsers(table('u.csv', { encoding: 'latin1' }), dir);
    expect(users.rows.map((u) => u.name)).toEqual(['Ann', 'René', 'Zoe']);
  });
});
