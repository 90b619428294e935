import type { DatasetTableConfig } from '../config/types.js';
import { RowProblem, type SkipReport } from './bad-rows.js';
import { id, required } from './fields.js';
import type { LoadedUsers } from './load-users.js';
import { readTable, tableInput, type FieldSpec } from './table.js';

/**
 * Follow edges as indices into `users.rows`, in file order. Typed arrays rather than objects:
 * a million edges take 8 MB instead of the ~60 MB that as many small arrays cost.
 */
export interface LoadedFollows extends SkipReport {
  readonly file: string;
  readonly count: number;
  readonly follower: Int32Array;
  readonly followee: Int32Array;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'follower', required: true },
  { name: 'followee', required: true },
];

/** Growable Int32Array. */
export class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export async function loadFollows(cfg: DatasetTableConfig, baseDir: string, users: LoadedUsers): Promise<LoadedFollows> {
  const input = tableInput(cfg, baseDir);
  const from = new IntList();
  const to = new IntList();
  const lines = new IntList();
  const user = (field: string, value: string | undefined): number => {
    const key = required(value, field);
    const i = users.index.get(key);
    if (i === undefined) throw new RowProblem(field, `no user with id "${key}" in ${users.file}`);
    return i;
  };
  await readTable(input, FIELDS, (c) => {
    const a = user('follower', id(c.get('follower'), 'follower'));
    const b = user('followee', id(c.get('followee'), 'followee'));
    if (a === b) throw new RowProblem('followee', `user "${users.rows[a]?.id}" follows itself`);
    from.push(a);
    to.push(b);
    lines.push(c.line);
  });
  const keep = withoutRepeats(from, to, lines, users.rows.length, (line, first) => input.bad.report(line, undefined, `repeats the follow on line ${first}`));
  const follower = new Int32Array(keep.length);
  const followee = new Int32Array(keep.length);
  keep.forEach((e, k) => {
    follower[k] = from.data[e] as number;
    followee[k] = to.data[e] as number;
  });
  return { file: input.file, count: keep.length, follower, followee, ...input.bad.summary() };
}

/** Edge indices up to 2^27 (134M edges) fit beside a followee index in an exact double. */
const EDGE_BITS = 2 ** 27;

/**
 * Edge indices to keep: each (follower, followee) pair once, at its first line. Edges are
 * bucketed by follower (a counting sort, O(E)), then each bucket sorted by followee; a Set of
 * pair keys would cost tens of bytes per edge at a million edges.
 */
function withoutRepeats(from: IntList, to: IntList, lines: IntList, users: number, repeat: (line: number, first: number) => void): number[] {
  const n = from.length;
  const start = new Int32Array(users + 1);
  for (let e = 0; e < n; e++) {
    const u = (from.data[e] as number) + 1;
    start[u] = (start[u] as number) + 1;
  }
  for (let u = 0; u < users; u++) start[u + 1] = (start[u + 1] as number) + (start[u] as number);
  const fill = start.slice(0, users);
  // Key = followee · 2^27 + edge index: sorting a bucket orders it by followee, then file order.
  const keys = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const u = from.data[e] as number;
    keys[fill[u] as number] = (to.data[e] as number) * EDGE_BITS + e;
    fill[u] = (fill[u] as number) + 1;
  }
  const dropped = new Uint8Array(n);
  const found: [number, number][] = [];
  for (let u = 0; u < users; u++) {
    const bucket = keys.subarray(start[u], start[u + 1]).sort();
    let runFirst = -1;
    let runFollowee = -1;
    for (const key of bucket) {
      const followee = Math.floor(key / EDGE_BITS);
      const e = key - followee * EDGE_BITS;
      if (followee === runFollowee) {
        found.push([e, runFirst]);
        dropped[e] = 1;
      } else {
        runFollowee = followee;
        runFirst = e;
      }
    }
  }
  // Reported in file order, so `fail` names the first repeat in the file.
  found.sort((x, y) => x[0] - y[0]);
  for (const [e, first] of found) repeat(lines.data[e] as number, lines.data[first] as number);
  const keep: number[] = [];
  for (let e = 0; e < n; e++) if (!dropped[e]) keep.push(e);
  return keep;
}

/**
 * Every edge of `first`, then those of `second` not in `first`: the follows file's edges and
 * the users file's follow lists as one graph, each pair once. Both refer to the same users.
 */
export function unionFollows(first: LoadedFollows, second: LoadedFollows, users: number): LoadedFollows {
  const seen = new Set<number>();
  for (let e = 0; e < first.count; e++) seen.add((first.follower[e] as number) * users + (first.followee[e] as number));
  const from = new IntList();
  const to = new IntList();
  for (let e = 0; e < second.count; e++) {
    const a = second.follower[e] as number;
    const b = second.followee[e] as number;
    if (seen.has(a * users + b)) continue;
    seen.add(a * users + b);
    from.push(a);
    to.push(b);
  }
  const follower = new Int32Array(first.count + from.length);
  const followee = new Int32Array(first.count + from.length);
  follower.set(first.follower.subarray(0, first.count));
  followee.set(first.followee.subarray(0, first.count));
  follower.set(from.data.subarray(0, from.length), first.count);
  followee.set(to.data.subarray(0, to.length), first.count);
  return { ...first, count: follower.length, follower, followee };
}
