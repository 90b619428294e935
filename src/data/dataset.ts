/**
 * Loads the files of an experiment's `dataset:` section. Users come first: follows and posts
 * refer to them, and a reference to an unknown user is a bad row like any other.
 */
import type { DatasetConfig } from '../config/types.js';
import { DatasetError, locate } from './bad-rows.js';
import { loadCascades, type LoadedCascades } from './load-cascades.js';
import { loadFollows, unionFollows, type LoadedFollows } from './load-follows.js';
import { loadPosts, type LoadedPosts } from './load-posts.js';
import { loadUsers, type LoadedUsers } from './load-users.js';

export { DatasetError, type DatasetErrorCode, type SkipReport } from './bad-rows.js';
export type { CascadeNode, LoadedCascades } from './load-cascades.js';
export type { LoadedFollows } from './load-follows.js';
export type { DatasetPost, LoadedPosts, PostKind } from './load-posts.js';
export type { DatasetUser, LoadedUsers } from './load-users.js';

/** Each table the config names, loaded; absent tables stay absent. */
export interface LoadedDataset {
  readonly users?: LoadedUsers;
  /**
   * Every real follow: the follows file's edges, then the users file's follow lists
   * (`users.follows`) where they add a pair. Absent when neither is given.
   */
  readonly follows?: LoadedFollows;
  readonly posts?: LoadedPosts;
  readonly cascades?: LoadedCascades;
}

/**
 * @param baseDir the experiment file's folder: relative paths are resolved against it.
 * @throws DatasetError on a bad row under `on_bad_row: fail`, an unreadable file, or a header
 *   that lacks a needed column.
 */
export async function loadDataset(cfg: DatasetConfig, baseDir: string): Promise<LoadedDataset> {
  const users = cfg.users ? await loadUsers(cfg.users, baseDir) : undefined;
  const needUsers = (table: 'follows' | 'posts', path: string): LoadedUsers => {
    if (users) return users;
    throw new DatasetError('dataset.columns', locate(path, undefined, undefined, `dataset.${table} refers to accounts by id: add dataset.users, the file that lists them`), path);
  };
  const file = cfg.follows ? await loadFollows(cfg.follows, baseDir, needUsers('follows', cfg.follows.path)) : undefined;
  const listed = users?.follows;
  const follows = file && listed && users ? unionFollows(file, listed, users.rows.length) : (file ?? listed);
  const posts = cfg.posts ? await loadPosts(cfg.posts, baseDir, needUsers('posts', cfg.posts.path)) : undefined;
  const cascades = cfg.cascades ? await loadCascades(cfg.cascades, baseDir) : undefined;
  return { users, follows, posts, cascades };
}

/**
 * What the load of one table kept and left out (`on_bad_row: skip`): run.json's `dataset_load`,
 * the `dataset_loaded` event, `inspect` and the report's overview show it.
 */
export interface TableLoad {
  readonly table: 'users' | 'follows' | 'posts' | 'cascades';
  readonly file: string;
  /** Rows loaded (follows: edges, with the users' follow lists when both are given). */
  readonly rows: number;
  readonly skipped: number;
  /** The first reasons (at most five), each located as file:line: column: reason. */
  readonly examples: readonly string[];
}

/** Each loaded table's counts, users first. */
export function loadSummary(data: LoadedDataset): TableLoad[] {
  const out: TableLoad[] = [];
  const add = (table: TableLoad['table'], t: { file: string; skipped: number; examples: readonly string[] }, rows: number): void => {
    out.push({ table, file: t.file, rows, skipped: t.skipped, examples: [...t.examples] });
  };
  if (data.users) add('users', data.users, data.users.rows.length);
  if (data.follows && data.follows !== data.users?.follows) add('follows', data.follows, data.follows.count);
  if (data.posts) add('posts', data.posts, data.posts.rows.length);
  if (data.cascades) add('cascades', data.cascades, data.cascades.rows.length);
  return out;
}

/** `3 bad rows skipped (users.csv 2, posts.csv 1)`, or null when none was. */
export function skippedSummary(tables: readonly TableLoad[]): string | null {
  const skipped = tables.filter((t) => t.skipped > 0);
  if (skipped.length === 0) return null;
  const total = skipped.reduce((n, t) => n + t.skipped, 0);
  const name = (file: string): string => file.slice(file.lastIndexOf('/') + 1);
  return `${total.toLocaleString('en-US')} bad row${total === 1 ? '' : 's'} skipped (${skipped.map((t) => `${name(t.file)} ${t.skipped.toLocaleString('en-US')}`).join(', ')})`;
}

/** One line per table: how many rows loaded and, when any were skipped, how many and why. */
export function describeLoad(data: LoadedDataset): string[] {
  const out: string[] = [];
  const line = (t: { file: string; skipped: number; examples: readonly string[] }, rows: number, what: string): void => {
    out.push(`${t.file}: ${rows.toLocaleString('en-US')} ${what}${t.skipped > 0 ? `, ${t.skipped.toLocaleString('en-US')} bad rows skipped` : ''}`);
    for (const e of t.examples) out.push(`  ${e}`);
    if (t.skipped > t.examples.length) out.push(`  ... and ${t.skipped - t.examples.length} more`);
  };
  const listed = data.users?.follows;
  if (data.users) line(data.users, data.users.rows.length, `users${listed ? ` (their lists hold ${listed.count.toLocaleString('en-US')} follows)` : ''}`);
  if (data.follows && data.follows !== listed) line(data.follows, data.follows.count, listed ? 'follows with the users’ lists, each pair once' : 'follows');
  if (data.posts) line(data.posts, data.posts.rows.length, 'posts');
  if (data.cascades) line(data.cascades, data.cascades.rows.length, 'cascade nodes');
  return out;
}
