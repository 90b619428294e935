/**
 * The list columns of a users file, as the OASIS seed files (`user_all_id_time.csv`) have them:
 * whom each user follows (`following_agentid_list`), a 24-hour activity profile
 * (`activity_level_frequency`) and the user's earlier posts (`previous_tweets`). A cell is a
 * Python list literal or JSON array in a CSV, an array in JSONL or Parquet.
 */
import type { FollowingKind } from '../config/types.js';
import { RowProblem, type BadRows } from './bad-rows.js';
import { decimal } from './fields.js';
import { parseListLiteral } from './list-literal.js';
import { IntList, type LoadedFollows } from './load-follows.js';
import type { JsonValue } from './rows.js';

/** Hours in an activity profile: hour 0 is midnight UTC, as in `activation.hourly`. */
export const PROFILE_HOURS = 24;

function shown(v: JsonValue): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/**
 * The cell as a list: an array as is; text as a list literal (`[...]`) or, with `split`, as
 * items separated by `;` or `|`. Undefined when the cell is absent or empty.
 */
function cellList(v: JsonValue | undefined, field: string, what: string, split: boolean): JsonValue[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  const text = typeof v === 'string' ? v.trim() : typeof v === 'number' && split ? String(v) : undefined;
  if (text === undefined) throw new RowProblem(field, `expected ${what}, got ${shown(v)}`);
  if (text === '') return undefined;
  if (text.startsWith('[')) {
    const parsed = parseListLiteral(text);
    if ('error' in parsed) throw new RowProblem(field, `expected ${what}: not a list literal (${parsed.error})`);
    return parsed.items;
  }
  if (!split) throw new RowProblem(field, `expected ${what} (a list literal like ['a', "b"] or a JSON array), got ${shown(v)}`);
  return text
    .split(/[;|]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/**
 * Whom a user follows: row positions (`row_index`) or user ids (`id`). A bare `0` (OASIS's
 * "follows nobody") and an empty cell or list are no follows.
 */
export function followRefs(v: JsonValue | undefined, field: string, kind: FollowingKind): number[] | string[] | undefined {
  if (v === 0 || (typeof v === 'string' && v.trim() === '0')) return [];
  const what = kind === 'row_index' ? 'a list of row indices (0-based data rows of this file)' : 'a list of user ids';
  const items = cellList(v, field, what, true);
  if (items === undefined) return undefined;
  if (kind === 'row_index') {
    return items.map((x, k) => {
      const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x.trim()) ? Number(x) : NaN;
      if (!Number.isSafeInteger(n) || n < 0) throw new RowProblem(field, `item ${k + 1} of the list: expected a row index (a whole number, 0 or more), got ${shown(x)}`);
      return n;
    });
  }
  return items.map((x, k) => {
    const s = typeof x === 'number' && Number.isSafeInteger(x) ? String(x) : typeof x === 'string' ? x.trim() : '';
    if (s === '') throw new RowProblem(field, `item ${k + 1} of the list: expected a user id (text or a whole number below 2^53), got ${shown(x)}`);
    return s;
  });
}

/** 24 numbers ≥ 0: relative activity at each UTC hour (counts of past posts per hour, say). */
export function activityProfile(v: JsonValue | undefined, field: string): number[] | undefined {
  const items = cellList(v, field, `a list of ${PROFILE_HOURS} numbers (one per hour, 0 = midnight UTC)`, true);
  if (items === undefined) return undefined;
  if (items.length !== PROFILE_HOURS) throw new RowProblem(field, `expected ${PROFILE_HOURS} numbers (one per hour, 0 = midnight UTC), got ${items.length}`);
  return items.map((x, h) => {
    try {
      return decimal(x, field, 0) as number;
    } catch (e) {
      if (e instanceof RowProblem) throw new RowProblem(field, `hour ${h}: ${e.reason}`);
      throw e;
    }
  });
}

/** The user's earlier posts, in the file's order (a list of texts). */
export function previousPosts(v: JsonValue | undefined, field: string): string[] | undefined {
  const items = cellList(v, field, 'a list of texts', false);
  if (items === undefined) return undefined;
  return items.map((x, k) => {
    if (typeof x !== 'string') throw new RowProblem(field, `item ${k + 1} of the list: expected a text, got ${shown(x)}`);
    return x;
  });
}

/** One user's follow list as read, resolved once the whole file is. */
interface ListedFollows {
  readonly user: number;
  readonly line: number;
  readonly refs: readonly (number | string)[];
}

/**
 * Follow lists gathered while the users load. References may point forward in the file, so
 * they are resolved after the last row: `resolve` turns them into edges like a follows file's.
 */
export class FollowLists {
  private readonly lists: ListedFollows[] = [];
  /** Loaded row → its position among the file's data rows. */
  private readonly positions: number[] = [];
  /** The file's column of the field (mapped or not), for messages. */
  column = 'following';

  constructor(readonly kind: FollowingKind) {}

  /** Call for every loaded row, in order; `refs` undefined when the row lists none. */
  add(user: number, row: number, line: number, refs: readonly (number | string)[] | undefined): void {
    this.positions[user] = row;
    if (refs && refs.length > 0) this.lists.push({ user, line, refs });
  }

  /**
   * Each listed follow as indices into the users' rows. A reference to no loaded user, a
   * self-follow or a repeat within a list goes to `bad` (fail: stops at it, naming line and
   * column; skip: that follow is left out and counted, the user stays).
   * @param dataRows how many data rows the file has (bad ones included).
   */
  resolve(file: string, idOf: (user: number) => string, index: ReadonlyMap<string, number>, dataRows: number, bad: BadRows): LoadedFollows {
    const byPosition = new Map<number, number>();
    this.positions.forEach((row, user) => byPosition.set(row, user));
    const from = new IntList();
    const to = new IntList();
    for (const { user, line, refs } of this.lists) {
      const seen = new Set<number>();
      refs.forEach((ref, k) => {
        const target = typeof ref === 'number' ? byPosition.get(ref) : index.get(ref);
        let reason: string | undefined;
        if (target === undefined) {
          if (typeof ref === 'string') reason = `no user with id "${ref}" in ${file}`;
          else if (ref >= dataRows) reason = `no row ${ref}: the file has ${dataRows} data rows (row indices count them from 0, header excluded)`;
          else reason = `row ${ref} did not load (it is a bad row)`;
        } else if (target === user) reason = `user "${idOf(user)}" follows itself`;
        else if (seen.has(target)) reason = `repeats ${typeof ref === 'number' ? `row ${ref}` : `"${ref}"`}, listed before`;
        if (reason !== undefined || target === undefined) {
          bad.report(line, this.column, `item ${k + 1} of the list: ${reason}`, 'following');
          return;
        }
        seen.add(target);
        from.push(user);
        to.push(target);
      });
    }
    return { file, count: from.length, follower: from.data.slice(0, from.length), followee: to.data.slice(0, to.length), skipped: 0, examples: [] };
  }
}
