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
/** The OASIS-shaped sample, as data/README.md and experiments/oasis-format.yaml load it. */
const OASIS_SET: DatasetConfig = {
  generate: GENERATE,
  users: {
    ...table('sample/oasis_users.csv', {
      columns: { id: 'user_id', following: 'following_agentid_list', activity_profile: 'activity_level_frequency', previous_posts: 'previous_tweets', character: 'user_char' },
    }),
    following_kind: 'row_index',
  },
  cascades: table('sample/oasis_cascade.csv'),
};

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

  it('when the OASIS-shaped sample loads by row index then every user, follow list, profile and previous tweet reads, and its cascade starts from the first user’s first tweet', async () => {
    const d = await loadDataset(OASIS_SET, DATA);
    const users = d.users!;
    expect([users.rows.length, users.skipped, d.follows!.count, d.cascades!.rows.length, d.cascades!.skipped]).toEqual([110, 0, 811, 37, 0]);
    expect(users.rows.every((u) => u.activityProfile?.length === 24 && u.character !== undefined && u.previousPosts !== undefined)).toBe(true);
    // Two accounts never posted: all-zero profiles and no previous tweets.
    expect(users.rows.filter((u) => u.activityProfile!.every((x) => x === 0)).map((u) => u.previousPosts)).toEqual([[], []]);
    expect(users.rows.reduce((n, u) => n + u.previousPosts!.length, 0)).toBe(221);
    expect(users.rows[0]!.previousPosts![0]).toMatch(/^BREAKING: .*city's tap water .*"will confirm tomorrow"/);
    // The pandas index column is no field; pandas' timestamps read as times.
    expect(Object.keys(users.rows[0]!.extra)).toEqual([]);
    expect(users.rows[0]!.createdAt).toBe(Date.UTC(2016, 6, 27, 5, 4, 3));
    // Tweets with quotes, commas and (escaped) line breaks; one follow list is OASIS's bare 0.
    const tweets = users.rows.flatMap((u) => u.previousPosts!);
    expect([tweets.some((t) => t.includes('\n')), tweets.some((t) => t.includes('"')), tweets.some((t) => t.includes("'"))]).toEqual([true, true, true]);
    expect(readFileSync(join(DATA, 'sample', 'oasis_users.csv'), 'utf8').split('\n').filter((l) => /^\d+,\d+,[^,]+,[^,]+,0,/.test(l))).toHaveLength(1);
    // Per-user variety: the busiest hour differs between users.
    const peaks = new Set(users.rows.map((u) => u.activityProfile!.indexOf(Math.max(...u.activityProfile!))));
    expect(peaks.size).toBeGreaterThan(8);

    const followees = new Map(users.rows.map((u) => [u.id, new Set<string>()]));
    for (let e = 0; e < d.follows!.count; e++) followees.get(users.rows[d.follows!.follower[e]!]!.id)!.add(users.rows[d.follows!.followee[e]!]!.id);
    const nodes = d.cascades!.rows;
    expect(nodes[0]).toMatchObject({ user: users.rows[0]!.id, parent: undefined, delay: 0 });
    expect(nodes.every((n) => users.index.has(n.user))).toBe(true);
    // Mostly along the follow lists: the user follows the one it got the rumour from.
    expect(nodes.filter((n) => n.parent !== undefined && followees.get(n.user)!.has(n.parent)).length).toBe(35);
    // Fast start, long tail: half the nodes within the first hour and a half, the last after 4 hours.
    const delays = nodes.map((n) => n.delay);
    expect(delays.filter((s) => s <= 5400).length).toBeGreaterThanOrEqual(nodes.length / 2);
    expect(Math.max(...delays)).toBeGreaterThan(4 * 3600);
    expect(Math.max(...delays)).toBeLessThan(8 * 3600);
    // Each row names its cascade's source post by dataset post id: the first user's previous tweet 0.
    const file = readFileSync(join(DATA, 'sample', 'oasis_cascade.csv'), 'utf8').trim().split('\n');
    expect(file[0]).toBe('cascade,user,parent,delay,source_post');
    expect(new Set(file.slice(1).map((l) => l.split(',')[4]))).toEqual(new Set([`${users.rows[0]!.id}#0`]));
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
