/**
 * A small, realistic run folder for analysis and report tests: sim.duckdb built with the real
 * CHANNEL_DDL plus hand-written rows (numbers below are what the tests expect), and run.json.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CHANNEL_DDL } from '../../src/channel/schema.js';

export type FixtureKind = 'full' | 'no-likes' | 'empty';

export interface Fixture {
  root: string;
  runDir: string;
  dbPath: string;
  cleanup(): void;
}

const USERS = `INSERT INTO users VALUES
  (1, 'alice', 'Alice', 'likes cats', 'llm', 'gpt-test', 'agent', '{"age":30}', 0),
  (2, 'bob', 'Bob', 'news junkie', 'llm', 'gpt-test', 'agent', '{"age":41}', 0),
  (3, 'carol', 'Carol', '', 'stat', 'statistical', 'agent', '{}', 0),
  (4, 'dave', 'Dave', '', 'stat', 'statistical', 'agent', '{}', 0),
  (5, 'newsbot', 'News Bot', 'scripted', 'seed', 'scripted', 'seed', '{}', 0)`;

// Step 0 has seed posts but no steps row. Post 104 and 108 are reposts.
const POSTS = `INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, label) VALUES
  (100, 5, 'Breaking: the moon is made of cheese', 'original', NULL, 0, TIMESTAMP '2024-01-01 08:00:00', 'misinformation'),
  (101, 5, 'Weather is mild today', 'original', NULL, 0, TIMESTAMP '2024-01-01 08:00:30', NULL),
  (102, 1, 'hello world from alice', 'original', NULL, 1, TIMESTAMP '2024-01-01 09:00:10', NULL),
  (103, 2, 'bob here', 'original', NULL, 1, TIMESTAMP '2024-01-01 09:01:00', NULL),
  (104, 3, '', 'repost', 100, 2, TIMESTAMP '2024-01-01 10:00:05', NULL),
  (105, 4, 'quote with <b>html</b> & "quotes" </script><script>alert(1)</script>', 'quote', 102, 2, TIMESTAMP '2024-01-01 10:02:00', NULL),
  (106, 1, 'a comment', 'comment', 100, 3, TIMESTAMP '2024-01-01 11:00:00', NULL),
  (107, 2, 'bob again', 'original', NULL, 3, TIMESTAMP '2024-01-01 11:05:00', NULL),
  (108, 4, '', 'repost', 102, 3, TIMESTAMP '2024-01-01 11:06:00', NULL)`;

// likes per step: 1 → 2, 2 → 2, 3 → 3; per post: 100 → 3, 102 → 1, 103 → 1, 105 → 2
const LIKES = `INSERT INTO likes VALUES
  (1, 100, 1), (2, 100, 1), (3, 100, 2), (4, 102, 2), (1, 105, 3), (2, 105, 3), (3, 103, 3)`;

const REPOSTS = `INSERT INTO reposts VALUES (3, 100, 104, 2), (4, 102, 108, 3)`;
const FOLLOWS = `INSERT INTO follows VALUES (1, 2, 0), (2, 5, 0), (4, 5, 1), (3, 1, 2)`;
const REC = `INSERT INTO rec VALUES (1, 1, 100, 0), (1, 1, 101, 1), (2, 3, 100, 0), (3, 1, 105, 0)`;

const tr = (step: number, seq: number, time: string, agent: number, action: string, ok: boolean, error?: string): string =>
  `(${step}, ${seq}, TIMESTAMP '2024-01-01 ${time}', ${agent}, '${action}', '{}', ${ok}, ${ok ? "'{}'" : 'NULL'}, ${error ? `'${error}'` : 'NULL'})`;

// step 1: 7 attempts (1 failed); step 2: 5 (1 failed); step 3: 9 (2 failed). 21 in all, 4 failed.
const TRACE = `INSERT INTO trace VALUES ${[
  tr(1, 0, '09:00:10', 1, 'create_post', true),
  tr(1, 1, '09:01:00', 2, 'create_post', true),
  tr(1, 2, '09:02:00', 1, 'like', true),
  tr(1, 3, '09:03:00', 2, 'like', true),
  tr(1, 4, '09:04:00', 3, 'refresh', true),
  tr(1, 5, '09:05:00', 4, 'like', false, 'post not found'),
  tr(1, 6, '09:06:00', 4, 'follow', true),
  tr(2, 0, '10:00:05', 3, 'repost', true),
  tr(2, 1, '10:01:00', 3, 'like', true),
  tr(2, 2, '10:01:30', 4, 'like', true),
  tr(2, 3, '10:02:00', 4, 'create_post', true),
  tr(2, 4, '10:03:00', 1, 'follow', false, 'already following'),
  tr(3, 0, '11:00:00', 1, 'create_post', true),
  tr(3, 1, '11:05:00', 2, 'create_post', true),
  tr(3, 2, '11:06:00', 4, 'repost', true),
  tr(3, 3, '11:07:00', 1, 'like', true),
  tr(3, 4, '11:08:00', 2, 'like', true),
  tr(3, 5, '11:09:00', 3, 'like', true),
  tr(3, 6, '11:10:00', 3, 'unlike', false, 'not liked'),
  tr(3, 7, '11:11:00', 4, 'like', false, 'post not found'),
  tr(3, 8, '11:12:00', 2, 'do_nothing', true),
].join(',\n')}`;

const STEPS = `INSERT INTO steps VALUES
  (1, TIMESTAMP '2024-01-01 09:00:00', 4, 7, 1),
  (2, TIMESTAMP '2024-01-01 10:00:00', 3, 5, 1),
  (3, TIMESTAMP '2024-01-01 11:00:00', 4, 9, 2)`;

export const RUN_JSON = {
  experiment: 'fixture-exp',
  run_id: '20240101-090000-abc123',
  seed: 42,
  config_hash: 'deadbeef',
  status: 'completed',
  started_at: '2024-01-01T09:00:00.000Z',
  finished_at: '2024-01-01T09:00:02.500Z',
  wall_ms: 2500,
  steps_completed: 3,
  agents: 4,
  actions: 21,
  git_commit: '0123456',
  versions: { node: '20.20.0', duckdb: '1.5.6' },
};

/** Builds `<tmp>/results/fixture-exp/<run-id>/` with sim.duckdb and run.json. */
export async function makeFixture(kind: FixtureKind = 'full'): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'socialsim-analysis-'));
  const runDir = join(root, 'results', RUN_JSON.experiment, RUN_JSON.run_id);
  mkdirSync(runDir, { recursive: true });
  const dbPath = join(runDir, 'sim.duckdb');
  const inst = await DuckDBInstance.create(dbPath);
  const conn = await inst.connect();
  try {
    for (const ddl of CHANNEL_DDL) await conn.run(ddl);
    await conn.run(`INSERT INTO meta VALUES ('schema_version', '1'), ('experiment', 'fixture-exp')`);
    if (kind !== 'empty') {
      for (const sql of [USERS, POSTS, REPOSTS, FOLLOWS, REC, TRACE, STEPS]) await conn.run(sql);
      if (kind === 'full') await conn.run(LIKES);
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  const run = kind === 'empty' ? { ...RUN_JSON, steps_completed: 0, actions: 0, status: 'failed' } : RUN_JSON;
  writeFileSync(join(runDir, 'run.json'), JSON.stringify(run, null, 2));
  return { root, runDir, dbPath, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
