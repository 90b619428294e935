import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openSimDb, withSimDb } from '../../src/analysis/open.js';
import {
  actionsPerStep,
  activeAgentsPerStep,
  openingPostCount,
  postsAndLikesPerStep,
  topPosts,
} from '../../src/analysis/run-metrics.js';
import { summarizeRun } from '../../src/analysis/summary.js';
import { formatRunSummary } from '../../src/analysis/format.js';
import { makeFixture, type Fixture } from './fixture.js';

let fx: Fixture;
let noLikes: Fixture;
beforeAll(async () => {
  fx = await makeFixture('full');
  noLikes = await makeFixture('no-likes');
});
afterAll(() => {
  fx?.cleanup();
  noLikes?.cleanup();
});

describe('summarizeRun', () => {
  it('counts accounts, posts, actions and steps as inserted', async () => {
    const s = await summarizeRun(fx.dbPath);
    expect(s.totals).toEqual({
      users: 5,
      agents: 4,
      posts: 9,
      likes: 7,
      reposts: 2,
      follows: 4,
      actions: 21,
      failed_actions: 4,
      steps: 3,
      first_sim_time: '2024-01-01T09:00:00.000Z',
      last_sim_time: '2024-01-01T11:00:00.000Z',
    });
    expect(s.agentsByCohortModel).toEqual([
      { cohort: 'llm', model: 'gpt-test', kind: 'agent', users: 2 },
      { cohort: 'stat', model: 'statistical', kind: 'agent', users: 2 },
      { cohort: 'seed', model: 'scripted', kind: 'seed', users: 1 },
    ]);
    expect(s.postsByKind).toEqual([
      { kind: 'original', posts: 5 },
      { kind: 'repost', posts: 2 },
      { kind: 'comment', posts: 1 },
      { kind: 'quote', posts: 1 },
    ]);
    expect(s.actionsByType).toEqual([
      { action: 'like', ok: 7, failed: 2, total: 9 },
      { action: 'create_post', ok: 5, failed: 0, total: 5 },
      { action: 'follow', ok: 1, failed: 1, total: 2 },
      { action: 'repost', ok: 2, failed: 0, total: 2 },
      { action: 'do_nothing', ok: 1, failed: 0, total: 1 },
      { action: 'refresh', ok: 1, failed: 0, total: 1 },
      { action: 'unlike', ok: 0, failed: 1, total: 1 },
    ]);
    expect(s.steps).toEqual([
      { step: 1, sim_time: '2024-01-01T09:00:00.000Z', active_agents: 4, actions: 7, failed_actions: 1 },
      { step: 2, sim_time: '2024-01-01T10:00:00.000Z', active_agents: 3, actions: 5, failed_actions: 1 },
      { step: 3, sim_time: '2024-01-01T11:00:00.000Z', active_agents: 4, actions: 9, failed_actions: 2 },
    ]);
    expect(s.topErrors).toEqual([
      { error: 'post not found', count: 2, actions: 'like' },
      { error: 'already following', count: 1, actions: 'follow' },
      { error: 'not liked', count: 1, actions: 'unlike' },
    ]);
    expect(s.meta).toContainEqual({ key: 'schema_version', value: '1' });
    // all numbers are JS numbers, not bigint
    expect(typeof s.totals.posts).toBe('number');
  });

  it('limits the error list', async () => {
    const s = await summarizeRun(fx.dbPath, { topErrors: 1 });
    expect(s.topErrors).toEqual([{ error: 'post not found', count: 2, actions: 'like' }]);
  });

  it('formats as text for the CLI', async () => {
    const text = formatRunSummary(await summarizeRun(fx.dbPath));
    expect(text).toContain('users 5 (agents 4)');
    expect(text).toContain('## Actions by type');
    expect(text).toMatch(/like\s+7\s+2\s+9/);
    expect(text).toMatch(/3\s+2024-01-01T11:00:00.000Z\s+4\s+9\s+2/);
    expect(text).toContain('post not found');
  });
});

describe('per-step metrics', () => {
  it('actions per step by type, ok and failed', async () => {
    const rows = await withSimDb(fx.dbPath, actionsPerStep);
    expect(rows.filter((r) => r.step === 1)).toEqual([
      { step: 1, action: 'create_post', ok: 2, failed: 0 },
      { step: 1, action: 'follow', ok: 1, failed: 0 },
      { step: 1, action: 'like', ok: 2, failed: 1 },
      { step: 1, action: 'refresh', ok: 1, failed: 0 },
    ]);
    const sum = rows.reduce((a, r) => a + r.ok + r.failed, 0);
    expect(sum).toBe(21);
    expect(rows.reduce((a, r) => a + r.failed, 0)).toBe(4);
  });

  it('active agents per step', async () => {
    const rows = await withSimDb(fx.dbPath, activeAgentsPerStep);
    expect(rows.map((r) => [r.step, r.active_agents])).toEqual([
      [1, 4],
      [2, 3],
      [3, 4],
    ]);
  });

  it('posts, likes and reposts per step, leaving out the opening posts (step-0 posts no action created, in a run without meta opening_posts)', async () => {
    const rows = await withSimDb(fx.dbPath, postsAndLikesPerStep);
    // Posts 100 and 101 (newsbot, step 0) are in no trace result: opening posts. Step 0 has nothing else and no steps row.
    expect(rows).toEqual([
      { step: 1, sim_time: '2024-01-01T09:00:00.000Z', posts: 2, likes: 2, reposts: 0 },
      { step: 2, sim_time: '2024-01-01T10:00:00.000Z', posts: 1, likes: 2, reposts: 1 },
      { step: 3, sim_time: '2024-01-01T11:00:00.000Z', posts: 2, likes: 3, reposts: 1 },
    ]);
    expect(await withSimDb(fx.dbPath, openingPostCount)).toBe(2);
  });

  it('posts and likes with zero likes', async () => {
    const rows = await withSimDb(noLikes.dbPath, postsAndLikesPerStep);
    expect(rows.map((r) => r.likes)).toEqual([0, 0, 0]);
    expect(rows.map((r) => r.posts)).toEqual([2, 1, 2]);
  });

  it('top posts by likes + reposts, ties by likes then id', async () => {
    const rows = await withSimDb(fx.dbPath, (db) => topPosts(db, 10));
    expect(rows.map((r) => [r.post_id, r.likes, r.reposts])).toEqual([
      [100, 3, 1],
      [105, 2, 0],
      [102, 1, 1],
      [103, 1, 0],
    ]);
    expect(rows[0]).toMatchObject({ author: 'newsbot', kind: 'original', label: 'misinformation', created_step: 0 });
    expect(rows[1]?.label).toBeNull();
    const two = await withSimDb(fx.dbPath, (db) => topPosts(db, 2));
    expect(two.map((r) => r.post_id)).toEqual([100, 105]);
  });

  it('top posts in a run without likes ranks by reposts only', async () => {
    const rows = await withSimDb(noLikes.dbPath, (db) => topPosts(db, 10));
    expect(rows.map((r) => [r.post_id, r.likes, r.reposts])).toEqual([
      [100, 0, 1],
      [102, 0, 1],
    ]);
  });
});

describe('openSimDb', () => {
  it('is read-only and closes cleanly', async () => {
    const db = await openSimDb(fx.dbPath);
    await expect(db.query(`DELETE FROM posts`)).rejects.toThrow(/read-only|read only/i);
    expect(await db.one<{ n: number }>(`SELECT count(*) AS n FROM posts`)).toEqual({ n: 9 });
    expect(await db.query<{ n: number }>(`SELECT $1::INTEGER + 1 AS n`, [41])).toEqual([{ n: 42 }]);
    await db.close();
    await db.close(); // idempotent
    await expect(db.query('SELECT 1')).rejects.toThrow(/closed/);
    // two read-only openers at once are fine
    const [a, b] = await Promise.all([openSimDb(fx.dbPath), openSimDb(fx.dbPath)]);
    await a.close();
    await b.close();
  });

  it('reports a missing file clearly', async () => {
    await expect(openSimDb(join(fx.root, 'nope.duckdb'))).rejects.toThrow(/no sim database/);
  });
});
