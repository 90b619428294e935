import type { UsersTableConfig } from '../config/types.js';
import { DatasetError, locate, RowProblem, type SkipReport } from './bad-rows.js';
import { id, integer, list, required, text, time } from './fields.js';
import type { LoadedFollows } from './load-follows.js';
import type { JsonValue } from './rows.js';
import { readTable, tableInput, type FieldSpec } from './table.js';
import { activityProfile, followRefs, FollowLists, previousPosts } from './user-lists.js';

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
  /** 24 numbers ≥ 0: relative activity at each UTC hour (`activity_profile`). */
  readonly activityProfile?: readonly number[];
  /** Posts from before the run, in the file's order (`previous_posts`). */
  readonly previousPosts?: readonly string[];
  /** Free-text description of who the user is (`character`; OASIS's user_char). */
  readonly character?: string;
  /** Every other column, by the file's name for it. */
  readonly extra: Readonly<Record<string, JsonValue>>;
}

export interface LoadedUsers extends SkipReport {
  readonly file: string;
  /** In file order (the order cohorts take them in). */
  readonly rows: readonly DatasetUser[];
  /** Dataset id → index in `rows`. */
  readonly index: ReadonlyMap<string, number>;
  /** The `following` column's follows, as indices into `rows`; absent without the column. */
  readonly follows?: LoadedFollows;
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
  { name: 'activity_profile' },
  { name: 'previous_posts' },
  { name: 'character' },
];

/**
 * `following` is read only when `following_kind` says what its lists hold: without it a column
 * of that name (Twitter's API has a boolean one) stays an extra column, as before.
 */
const WITH_FOLLOWING: readonly FieldSpec[] = [...USER_FIELDS, { name: 'following' }];

export async function loadUsers(cfg: UsersTableConfig, baseDir: string): Promise<LoadedUsers> {
  const input = tableInput(cfg, baseDir);
  const rows: DatasetUser[] = [];
  const index = new Map<string, number>();
  const lines: number[] = [];
  const byUsername = new Map<string, number>();
  const kind = cfg.following_kind;
  if (!kind && input.columns.following !== undefined) {
    const message = `columns.following (${input.columns.following}) needs following_kind: row_index (0-based data rows of this file, as OASIS's following_agentid_list) or id (values of the id column)`;
    throw new DatasetError('dataset.columns', locate(input.file, undefined, undefined, message), input.file);
  }
  const lists = kind ? new FollowLists(kind) : undefined;
  const dataRows = await readTable(input, lists ? WITH_FOLLOWING : USER_FIELDS, (c) => {
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
      activityProfile: activityProfile(c.get('activity_profile'), 'activity_profile'),
      previousPosts: previousPosts(c.get('previous_posts'), 'previous_posts'),
      character: text(c.get('character'), 'character')?.trim() || undefined,
      extra: c.extra(),
    };
    if (lists) {
      const refs = followRefs(c.get('following'), 'following', lists.kind);
      lists.column = c.column('following');
      lists.add(rows.length, c.row, c.line, refs);
    }
    index.set(userId, rows.length);
    byUsername.set(username, rows.length);
    lines.push(c.line);
    rows.push(user);
  });
  const follows = lists?.resolve(input.file, (u) => (rows[u] as DatasetUser).id, index, dataRows, input.bad);
  return { file: input.file, rows, index, ...(follows ? { follows } : {}), ...input.bad.summary() };
}
