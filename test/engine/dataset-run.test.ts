import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { loadExperiment } from '../../src/config/load.js';
import { DatasetError } from '../../src/data/dataset.js';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { branchRun } from '../../src/engine/branch.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { tempDir } from '../helpers/tmp.js';

const SAMPLE = join(import.meta.dirname, '../../data/sample');

function experiment(dir: string, usersFile = 'users.csv'): string {
  const file = join(dir, 'exp.yaml');
  writeFileSync(
    file,
    `name: real
seed: 2
allow_outside_paths: true   # the sample files stay in data/sample
clock: { timesteps: 4, step: 1h }
dataset:
  users:    { path: ${usersFile}, columns: { id: user_id, username: screen_name, following_count: friends_count } }
  follows:  { path: ${join(SAMPLE, 'follows.csv')}, columns: { follower: src, followee: dst } }
  posts:    { path: ${join(SAMPLE, 'posts.csv')}, columns: { id: tweet_id, author: user_id, time: created_at, parent: parent_id } }
  cascades: { path: ${join(SAMPLE, 'cascades.csv')} }
  generate: { topics: [politics, tech, music], follows_per_agent: 3 }
models:
  stat: { provider: statistical, post_prob: 0.2, like_base: 0.1, repost_base: 0.05, unfollow_prob: 0 }  # unfollows would delete step-0 rows
cohorts:
  - { name: real, count: 100, model: stat, personas: dataset, activity: 0.5 }
  - { name: mix, count: 60, model: stat, personas: mixed, activity: 0.5 }
`,
  );
  return file;
}

/**
 * The experiment on a copy of the sample users, run once uninterrupted (beforeAll, into `a`): one
 * test reads it, another resumes and branches the same experiment and compares with it.
 */
let sharedDir: string;
let sharedExp: ReturnType<typeof loadExperiment>;
let straightRun: Awaited<ReturnType<typeof runExperiment>>;

beforeAll(async () => {
  sharedDir = mkdtempSync(join(tmpdir(), 'socialsim-dataset-run-'));
  copyFileSync(join(SAMPLE, 'users.csv'), join(sharedDir, 'users.csv'));
  sharedExp = loadExperiment(experiment(sharedDir));
  straightRun = await runExperiment(sharedExp, { resultsRoot: join(sharedDir, 'a'), quiet: true });
}, 60_000);

afterAll(() => {
  if (sharedDir) rmSync(sharedDir, { recursive: true, force: true });
});

describe('runs on a dataset', () => {
  it('when cohorts take dataset accounts then they are the file’s first users in order, with their real follows, posts and the reference tables', async () => {
    const [dir, exp, run] = [sharedDir, sharedExp, straightRun.dir];
    expect(exp.dataset.users!.path).toBe(join(dir, 'users.csv'));
    await withSimDb(join(run, 'sim.duckdb'), async (db) => {
      const users = await db.query<{ id: number; cohort: string; username: string; real_id: string | null }>(
        `SELECT user_id AS id, cohort, username, persona->>'$.dataset.id' AS real_id FROM users WHERE kind = 'agent' ORDER BY user_id`,
      );
      // 300 users in the file: the first 100 go to "real", the next 60 to "mix" (dataset first).
      expect(users.slice(0, 2).map((u) => u.username)).toEqual(['viktor_ibrahim_0', 'uma_novak_1']);
      expect(users.filter((u) => u.real_id !== null)).toHaveLength(160);
      expect(users.filter((u) => u.cohort === 'mix').every((u) => u.real_id !== null)).toBe(true);

      const counts = await db.one<{ posts: number; follows: number; cascades: number; step0: number; opening: number }>(`
        SELECT (SELECT count(*) FROM real_posts)::INTEGER AS posts, (SELECT count(*) FROM real_follows)::INTEGER AS follows,
               (SELECT count(*) FROM real_cascades)::INTEGER AS cascades,
               (SELECT count(*) FROM follows WHERE created_step = 0)::INTEGER AS step0,
               (SELECT count(*) FROM posts WHERE created_step = 0)::INTEGER AS opening`);
      expect(counts!.cascades).toBe(248);
      expect(counts!.follows).toBeGreaterThan(100);
      // Every real follow between taken accounts is on the platform at step 0.
      const missing = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM real_follows r ANTI JOIN (SELECT * FROM follows WHERE created_step = 0) f ON f.follower_id = r.follower_id AND f.followee_id = r.followee_id`);
      expect(missing!.n).toBe(0);
      expect(counts!.posts).toBeGreaterThan(0);
      expect(counts!.opening).toBeGreaterThan(0);
    });
  });

  it('when a users row is bad then the run fails with file, line and column before any run folder is made', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'users.csv'), 'user_id,screen_name,name,description,created_at,followers_count,friends_count\n1,a,A,,2020-01-01,5,3\n2,b,B,,2020-01-01,12x,3\n');
    const exp = loadExperiment(experiment(dir));
    const out = join(dir, 'results');
    const err = await runExperiment(exp, { resultsRoot: out, quiet: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toContain(`${join(dir, 'users.csv')}:3`);
    expect((err as Error).message).toContain('followers_count');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('when a dataset run with paired cascades is resumed or branched unchanged then every table, the recorded paths and pairings included, equals the uninterrupted run', async () => {
    const [dir, exp, straight] = [sharedDir, sharedExp, straightRun];
    const sums = await tableChecksums(join(straight.dir, 'sim.duckdb'));
    const paused = await runExperiment(exp, { resultsRoot: join(dir, 'b'), quiet: true, maxSteps: 2 });
    expect((await resumeRun(paused.dir, { quiet: true })).info.status).toBe('completed');
    expect(await tableChecksums(join(paused.dir, 'sim.duckdb'))).toEqual(sums);
    const branch = await branchRun(straight.dir, { resultsRoot: join(dir, 'a'), quiet: true, atStep: 2, overrides: [] });
    expect(await tableChecksums(join(branch.dir, 'sim.duckdb'))).toEqual(sums);
    // The run records what the comparison needs: repost paths through the home timeline, and the pairing.
    await withSimDb(join(straight.dir, 'sim.duckdb'), async (db) => {
      const via = await db.one<{ home: number; through: number; pairs: number }>(
        `SELECT (SELECT count(*) FROM posts WHERE kind = 'repost' AND via_source = 'home')::INTEGER AS home,
                (SELECT count(*) FROM posts p JOIN posts v ON v.post_id = p.via_post_id WHERE p.kind = 'repost' AND v.kind = 'repost')::INTEGER AS through,
                (SELECT count(DISTINCT c.cascade_id) FROM real_cascades c JOIN dataset_posts d ON d.dataset_id = c.source_post)::INTEGER AS pairs`,
      );
      expect(via!.home).toBeGreaterThan(0);
      expect(via!.through).toBeGreaterThan(0);
      expect(via!.pairs).toBeGreaterThan(0);
    });
  });
});
