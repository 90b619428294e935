import type { DatasetTableConfig } from '../config/types.js';
import { RowProblem, type SkipReport } from './bad-rows.js';
import { id, integer, list, required, text, time } from './fields.js';
import type { JsonValue } from './rows.js';
import { readTable, tableInput, type FieldSpec } from './table.js';

/** A real account as read from `dataset.users`. */
export interface DatasetUser {
  readonly id: string;
  /** The file's, or `user_<id>` when it has none. */
  readonly username: string;
  /** The file's, or the username. */
  readonly name: string;
  readonly bio: string;
  /** Epoch milliseconds. */
  readonly createdAt?: number;
  readonly followersCount?: number;
  readonly followingCount?: number;
  readonly interests?: readonly string[];
  /** Every other column, by the file's name for it. */
  readonly extra: Readonly<Record<string, JsonValue>>;
}

export interface LoadedUsers extends SkipReport {
  readonly file: string;
  /** In file order (the order cohorts take them in). */
  readonly rows: readonly DatasetUser[];
  /** Dataset id → index in `rows`. */
  readonly index: ReadonlyMap<string, number>;
}

export const USER_FIELDS: readonly FieldSpec[] = [
  { name: 'id', required: true },
  { name: 'username' },
  { name: 'name' },
  { name: 'bio', aliases: ['description'] },
  { name: 'created_at' },
  { name: 'followers_count' },
  { name: 'following_count' },
  { name: 'interests' },
];

export async function loadUsers(cfg: DatasetTableConfig, baseDir: string): Promise<LoadedUsers> {
  const input = tableInput(cfg, baseDir);
  const rows: DatasetUser[] = [];
  const index = new Map<string, number>();
  const lines: number[] = [];
  const byUsername = new Map<string, number>();
  await readTable(input, USER_FIELDS, (c) => {
    const userId = required(id(c.get('id'), 'id'), 'id');
    const seen = index.get(userId);
    if (seen !== undefined) throw new RowProblem('id', `duplicate id "${userId}" (first on line ${lines[seen]})`);
    const username = text(c.get('username'), 'username')?.trim() || `user_${userId}`;
    const other = byUsername.get(username);
    if (other !== undefined) throw new RowProblem('username', `duplicate username "${username}" (first on line ${lines[other]})`);
    const user: DatasetUser = {
      id: userId,
      username,
      name: text(c.get('name'), 'name')?.trim() || username,
      bio: text(c.get('bio'), 'bio') ?? '',
      createdAt: time(c.get('created_at'), 'created_at'),
      followersCount: integer(c.get('followers_count'), 'followers_count', 0),
      followingCount: integer(c.get('following_count'), 'following_count', 0),
      interests: list(c.get('interests'), 'interests'),
      extra: c.extra(),
    };
    index.set(userId, rows.length);
    byUsername.set(username, rows.length);
    lines.push(c.line);
    rows.push(user);
  });
  return { file: input.file, rows, index, ...input.bad.summary() };
}
