/**
 * A throwaway sim.duckdb for the cascade and distribution tests: the channel's real DDL in a
 * temp dir, then the test's own INSERTs. Small helpers keep the hand-built rows readable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CHANNEL_DDL } from '../../src/channel/schema.js';

export interface TestDb {
  dbPath: string;
  cleanup(): void;
}

export async function makeDb(inserts: readonly string[]): Promise<TestDb> {
  const root = mkdtempSync(join(tmpdir(), 'socialsim-cascades-'));
  const dbPath = join(root, 'sim.duckdb');
  const inst = await DuckDBInstance.create(dbPath);
  const conn = await inst.connect();
  try {
    for (const ddl of CHANNEL_DDL) await conn.run(ddl);
    for (const sql of inserts) await conn.run(sql);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  return { dbPath, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** `users` rows: `[id, kind]`, kind 'agent' or 'seed' (seed accounts get cohort 'seed:news'). */
export const users = (rows: readonly (readonly [number, 'agent' | 'seed'])[]): string =>
  `INSERT INTO users VALUES ${rows
    .map(([id, kind]) => `(${id}, 'u${id}', 'U${id}', '', '${kind === 'seed' ? 'seed:news' : 'pop'}', 'm', '${kind}', '{}', 0)`)
    .join(', ')}`;

/** `posts` rows: `[post_id, author, kind, parent_id, step, label]`. */
export const posts = (rows: readonly (readonly [number, number, string, number | null, number, string | null])[]): string =>
  `INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, label) VALUES ${rows
    .map(
      ([id, author, kind, parent, step, label]) =>
        `(${id}, ${author}, 'text ${id}', '${kind}', ${parent ?? 'NULL'}, ${step}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${step} HOUR, ${label === null ? 'NULL' : `'${label}'`})`,
    )
    .join(', ')}`;

/** `reposts` rows plus their `posts` rows: `[user, source post, step]`, repost ids from `firstId`. */
export const reposts = (firstId: number, rows: readonly (readonly [number, number, number])[]): string[] => [
  `INSERT INTO reposts VALUES ${rows.map(([u, p, s], i) => `(${u}, ${p}, ${firstId + i}, ${s})`).join(', ')}`,
  posts(rows.map(([u, p, s], i) => [firstId + i, u, 'repost', p, s, null] as const)),
];

/** `follows` rows: `[follower, followee, step]`. */
export const follows = (rows: readonly (readonly [number, number, number])[]): string =>
  `INSERT INTO follows VALUES ${rows.map(([a, b, s]) => `(${a}, ${b}, ${s})`).join(', ')}`;

/** `steps` rows 1..n, one hour apart. */
export const steps = (n: number): string =>
  `INSERT INTO steps VALUES ${Array.from({ length: n }, (_, i) => `(${i + 1}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${i + 1} HOUR, 1, 1, 0)`).join(', ')}`;

/** `real_cascades` rows: `[cascade, node, parent, delay_s]`. */
export const realCascade = (rows: readonly (readonly [string, string, string | null, number])[]): string =>
  `INSERT INTO real_cascades (cascade_id, node_id, parent_id, delay_s) VALUES ${rows.map(([c, n, p, d]) => `('${c}', '${n}', ${p === null ? 'NULL' : `'${p}'`}, ${d})`).join(', ')}`;

/**
 * A hand-built simulated run. Seed account 1 posts 10 (label 'misinformation') at step 0;
 * reposts and follows give this tree (user, step):
 *
 *   1 (s0) ─┬─ 2 (s1) ── 4 (s2) ── 6 (s3)   4 follows 2; 6 follows 4 from step 3 (same step counts)
 *           ├─ 3 (s1) ── 5 (s2)            5 follows 1, 2 and 3: 2 and 3 tie at step 1, higher id wins
 *           ├─ 8 (s2)                      8 follows nobody in the cascade
 *           └─ 7 (s3)                      7 follows 5 only from step 4, after its repost
 *
 * 3 also follows 2, but 2 reposted in the same step, so 3 hangs off the root; 1 reposting its
 * own post adds no node. Post 30 by agent 6 (step 1) is reposted by 7 at step 3; post 31 by
 * agent 2 is never reposted; post 40 by the seed (step 2, no label) is never reposted either.
 * Steps 1..4 are committed.
 */
export const SIM_TREE: readonly string[] = [
  users([[1, 'seed'], [2, 'agent'], [3, 'agent'], [4, 'agent'], [5, 'agent'], [6, 'agent'], [7, 'agent'], [8, 'agent']]),
  posts([
    [10, 1, 'original', null, 0, 'misinformation'],
    [30, 6, 'original', null, 1, null],
    [31, 2, 'original', null, 1, null],
    [40, 1, 'original', null, 2, null],
  ]),
  ...reposts(100, [
    [2, 10, 1], [3, 10, 1], [4, 10, 2], [5, 10, 2], [8, 10, 2], [1, 10, 2], [6, 10, 3], [7, 10, 3],
    [7, 30, 3],
  ]),
  follows([
    [2, 1, 0], [3, 1, 0], [3, 2, 0], [4, 2, 1], [5, 1, 0], [5, 2, 0], [5, 3, 0], [6, 4, 3], [7, 5, 4], [8, 6, 0],
  ]),
  steps(4),
];

/**
 * Real cascades. 'a': r ← x (10 s) ← y (20 s) ← w (40 s); r ← z (20 s); q (30 s) names a parent
 * outside the cascade and hangs off r; x appears again at 50 s under z and is ignored.
 * 'b': root s at 5 s and t at 5 s (starts late, all at once). 'c': a root alone.
 */
export const REAL_TREE: readonly string[] = [
  realCascade([
    ['a', 'r', null, 0], ['a', 'x', 'r', 10], ['a', 'y', 'x', 20], ['a', 'z', 'r', 20], ['a', 'q', 'missing', 30],
    ['a', 'w', 'y', 40], ['a', 'x', 'z', 50],
    ['b', 's', null, 5], ['b', 't', 's', 5],
    ['c', 'o', null, 0],
  ]),
];
