import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DatasetConfig } from '../../src/config/types.js';
import { loadDataset } from '../../src/data/dataset.js';
import { tempDir } from '../helpers/tmp.js';
import { table } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = join(ROOT, 'data');
const GENERATE = { topics: ['tech'], interests_per_agent: 1, follows_per_agent: 0, homophily: 0, initial_posts_per_agent: 0 };

/** The configs data/README.md shows for the samples. */
const CSV_SET: DatasetConfig = {
  generate: GENERATE,
  users: table('sample/users.csv', { columns: { id: 'user_id', username: 'screen_name', following_count: 'friends_count' } }),
  follows: table('sample/follows.csv', { columns: { follower: 'src', followee: 'dst' } }),
  posts: table('sample/posts.csv', { columns: { id: 'tweet_id', author: 'user_id', time: 'created_at', parent: 'parent_id' } }),
  cascades: table('sample/cascades.csv'),
};
const JSONL_SET: DatasetConfig = { generate: GENERATE, users: table('sample/users.jsonl'), posts: table('sample/posts.jsonl') };

describe('data/sample', () => {
  it('when the CSV samples load with the README’s column mapping then every row loads', async () => {
    const d = await loadDataset(CSV_SET, DATA);
    expect([d.users!.rows.length, d.follows!.count, d.posts!.rows.length, d.cascades!.rows.length]).toEqual([300, 3604, 2000, 248]);
    expect([d.users!.skipped, d.follows!.skipped, d.posts!.skipped, d.cascades!.skipped]).toEqual([0, 0, 0, 0]);
    expect(new Set(d.posts!.rows.map((p) => p.kind))).toEqual(new Set(['original', 'repost', 'comment']));
    expect(new Set(d.cascades!.rows.map((n) => n.cascade)).size).toBe(20);
  });

  it('when the JSONL samples load then they hold the same users and posts as the CSVs, with quotes as quotes', async () => {
    const [csv, jsonl] = await Promise.all([loadDataset(CSV_SET, DATA), loadDataset(JSONL_SET, DATA)]);
    expect(jsonl.users!.rows.map((u) => [u.id, u.username, u.bio, u.createdAt, u.followersCount])).toEqual(csv.users!.rows.map((u) => [u.id, u.username, u.bio, u.createdAt, u.followersCount]));
    expect(jsonl.posts!.rows.map((p) => [p.id, p.text, p.time, p.parent])).toEqual(csv.posts!.rows.map((p) => [p.id, p.text, p.time, p.parent]));
    expect(jsonl.posts!.rows.filter((p) => p.kind === 'quote').length).toBeGreaterThan(100);
  });

  it('when the sample script runs again then it writes byte-identical files', () => {
    const out = tempDir();
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'make-sample-data.ts'), out], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const names = readdirSync(join(DATA, 'sample')).sort();
    expect(readdirSync(out).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(join(out, n), 'utf8') === readFileSync(join(DATA, 'sample', n), 'utf8'), n).toBe(true);
  });
});
