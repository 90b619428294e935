import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DatasetConfig } from '../../src/config/types.js';
import { loadDataset, type CascadeNode } from '../../src/data/dataset.js';
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

  it('when the OASIS-shaped sample loads by row index then every user, follow list, profile and previous tweet reads', async () => {
    const d = await loadDataset(OASIS_SET, DATA);
    const users = d.users!;
    expect([users.rows.length, users.skipped, d.follows!.count, d.cascades!.rows.length, d.cascades!.skipped]).toEqual([110, 0, 811, 259, 0]);
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
  });

  it('when the OASIS-shaped cascades load then eight rumours each start from a user’s first previous tweet, spread mostly along follow lists, and differ in size and speed', async () => {
    const d = await loadDataset(OASIS_SET, DATA);
    const users = d.users!;
    const followees = new Map(users.rows.map((u) => [u.id, new Set<string>()]));
    for (let e = 0; e < d.follows!.count; e++) followees.get(users.rows[d.follows!.follower[e]!]!.id)!.add(users.rows[d.follows!.followee[e]!]!.id);
    const byCascade = new Map<string, CascadeNode[]>();
    for (const n of d.cascades!.rows) byCascade.set(n.cascade, [...(byCascade.get(n.cascade) ?? []), n]);
    expect([...byCascade.keys()]).toEqual(['water_rumour', 'towers_rumour', 'stadium_rumour', 'bank_rumour', 'heatwave_rumour', 'airport_rumour', 'singer_rumour', 'lemon_rumour']);
    const sizes: number[] = [];
    const medians: number[] = [];
    for (const [id, nodes] of byCascade) {
      const root = nodes[0]!;
      expect(root, id).toMatchObject({ parent: undefined, delay: 0 });
      expect(nodes.filter((n) => n.parent === undefined), id).toHaveLength(1);
      expect(nodes.every((n) => users.index.has(n.user)), id).toBe(true);
      // Each row names its cascade's source post by dataset post id: the root's previous tweet 0, a rumour.
      expect(new Set(nodes.map((n) => n.sourcePost)), id).toEqual(new Set([`${root.user}#0`]));
      expect(users.rows[users.index.get(root.user)!]!.previousPosts![0], id).toMatch(/#\w+$/);
      // Mostly along the follow lists: the user follows the one it got the rumour from.
      const along = nodes.filter((n) => n.parent !== undefined && followees.get(n.user)!.has(n.parent)).length;
      expect(along / (nodes.length - 1), id).toBeGreaterThan(0.9);
      const delays = nodes.map((n) => n.delay).sort((a, b) => a - b);
      expect(delays.at(-1)!, id).toBeLessThanOrEqual(8 * 3600);
      sizes.push(nodes.length);
      medians.push(delays[Math.floor(delays.length / 2)]!);
    }
    // The original rumour is as it was: 37 nodes, 35 of 36 hops along follows, half within 90 minutes, the last after 4 hours.
    const water = byCascade.get('water_rumour')!;
    expect(water[0]!.user).toBe(users.rows[0]!.id);
    expect(water).toHaveLength(37);
    expect(water.filter((n) => n.parent !== undefined && followees.get(n.user)!.has(n.parent)).length).toBe(35);
    expect(water.filter((n) => n.delay <= 5400).length).toBeGreaterThanOrEqual(water.length / 2);
    expect(Math.max(...water.map((n) => n.delay))).toBeGreaterThan(4 * 3600);
    // Varied: from a handful of nodes to over half the users; median delays from minutes to over an hour.
    expect([Math.min(...sizes), Math.max(...sizes)]).toEqual([8, 63]);
    expect(Math.min(...medians)).toBeLessThan(10 * 60);
    expect(Math.max(...medians)).toBeGreaterThan(60 * 60);
    const file = readFileSync(join(DATA, 'sample', 'oasis_cascade.csv'), 'utf8').trim().split('\n');
    expect(file[0]).toBe('cascade,user,parent,delay,source_post');
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
