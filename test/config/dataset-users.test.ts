import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { tempDir } from '../helpers/tmp.js';

/** An experiment in a temp folder whose dataset.users is `users` (a flow mapping on line 3), with a users.csv beside it. */
function load(users: string): ReturnType<typeof parseExperiment> {
  const dir = tempDir();
  writeFileSync(join(dir, 'u.csv'), 'id\n1\n2\n');
  const text = `name: d\ndataset:\n  users: ${users}\nmodels:\n  stat: { provider: statistical }\ncohorts:\n  - { name: a, count: 2, model: stat, personas: dataset }\n`;
  return parseExperiment(text, join(dir, 'd.yaml'));
}

const at = (users: string, word: string): string => `d.yaml:3:${`  users: ${users}`.indexOf(word) + 1}`;

describe('dataset.users list columns', () => {
  it('when following_kind is row_index or id then the config loads with it and the list columns', () => {
    const exp = load('{ path: u.csv, columns: { following: following_agentid_list, activity_profile: a, previous_posts: p, character: c }, following_kind: row_index }');
    expect(exp.dataset.users).toMatchObject({ following_kind: 'row_index', columns: { following: 'following_agentid_list', activity_profile: 'a', previous_posts: 'p', character: 'c' } });
    expect(load('{ path: u.csv, following_kind: id }').dataset.users!.following_kind).toBe('id');
  });

  it('when following_kind is misspelt then it is refused at its line and column with the kinds there are', () => {
    const users = '{ path: u.csv, columns: { following: f }, following_kind: rowindex }';
    expect(() => load(users)).toThrow(`${at(users, 'rowindex')} dataset.users.following_kind: must be one of: row_index, id; got "rowindex" (did you mean "row_index"?)`);
  });

  it('when following is mapped without following_kind then the config says what the kinds mean', () => {
    const users = '{ path: u.csv, columns: { following: f } }';
    expect(() => load(users)).toThrow(
      `${at(users, '{')} dataset.users.following_kind: columns.following needs following_kind: row_index (0-based data rows of the users file, as OASIS's following_agentid_list) or id (values of its id column)`,
    );
  });
});
