import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postLine } from '../../src/agents/llm/prompts.js';
import { toWire } from '../../src/agents/llm/policy.js';
import type { ActionResult } from '../../src/channel/actions/types.js';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { ConfigError, parseExperiment } from '../../src/config/load.js';
import type { HerdingConfig } from '../../src/config/types.js';
import { branchRun } from '../../src/engine/branch.js';
import { herdingArm } from '../../src/engine/herding.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { channelWithPosts, HOUR, T0 } from '../channel/helpers.js';
import { SMALL_YAML, smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

// The small experiment (200 agents, 6 steps, a scripted news post at step 1) with herding on posts of steps 0-4.
const HERDING = ['herding={until_step: 4}'];
const herdingExperiment = (seed?: number) => smallExperiment({ overrides: HERDING, ...(seed === undefined ? {} : { seed }) });

// One herding run shared by the tests that only read it (each run of the small experiment costs a second or two).
const sharedRoot = mkdtempSync(join(tmpdir(), 'socialsim-herding-'));
afterAll(() => rmSync(sharedRoot, { recursive: true, force: true }));
let shared: ReturnType<typeof runExperiment> | undefined;
const sharedRun = () => (shared ??= runExperiment(herdingExperiment(), { resultsRoot: sharedRoot, quiet: true }));

/** The id an applied action returned under `key`. */
function idOf(r: ActionResult, key: string): number {
  if (!r.ok) throw new Error(r.error);
  return r.result?.[key] as number;
}

const CONFIG: HerdingConfig = { target: 'posts', share: 1, arms: { up: 1, down: 1, control: 1 }, from_step: 0 };

describe('herding assignment', () => {
  it('when posts are drawn into arms then the shares follow the weights, and the draw depends only on seed and post id', () => {
    const ids = Array.from({ length: 30_000 }, (_, i) => i + 1);
    const shares = (seed: number, config: HerdingConfig) => {
      const arms = ids.map((id) => herdingArm(seed, config, id));
      const n = (a: string | null) => arms.filter((x) => x === a).length / ids.length;
      return { up: n('up'), down: n('down'), control: n('control'), out: n(null), arms };
    };
    const even = shares(1, CONFIG);
    for (const arm of ['up', 'down', 'control'] as const) expect(Math.abs(even[arm] - 1 / 3)).toBeLessThan(0.012);
    expect(even.out).toBe(0);
    // Half enrolled, arms 2:1:1 among them.
    const weighted = shares(1, { ...CONFIG, share: 0.5, arms: { up: 2, down: 1, control: 1 } });
    expect(Math.abs(weighted.out - 0.5)).toBeLessThan(0.012);
    expect(Math.abs(weighted.up - 0.25)).toBeLessThan(0.01);
    expect(Math.abs(weighted.down - 0.125)).toBeLessThan(0.01);
    expect(Math.abs(weighted.control - 0.125)).toBeLessThan(0.01);
    // Same seed, same arms; another seed reassigns about two thirds of the posts.
    expect(shares(1, CONFIG).arms).toEqual(even.arms);
    const other = shares(2, CONFIG).arms;
    const moved = other.filter((a, i) => a !== even.arms[i]).length / ids.length;
    expect(Math.abs(moved - 2 / 3)).toBeLessThan(0.02);
  });

  it('when a run has herding then exactly the agents’ new posts of the window are enrolled, each with its seeded arm', async () => {
    const exp = herdingExperiment();
    const { dir } = await sharedRun();
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      // Agents' posts made by actions (not the step-0 import), originals and quotes, steps 0-4.
      const written = await db.query<{ id: number; step: number }>(
        `SELECT (t.result->>'post_id')::INTEGER AS id, t.step FROM trace t JOIN users u ON u.user_id = t.agent_id
         WHERE t.ok AND t.action IN ('create_post', 'quote_post') AND u.kind = 'agent' AND t.step <= 4 ORDER BY id`,
      );
      const enrolled = await db.query<{ id: number; arm: string; step: number }>(`SELECT post_id::INTEGER AS id, arm, step FROM herding ORDER BY id`);
      expect(written.length).toBeGreaterThan(80);
      expect(enrolled).toEqual(written.map((w) => ({ id: w.id, step: w.step, arm: herdingArm(exp.seed, exp.herding!, w.id) })));
      // The scripted news post of step 1 and posts of step 5 are not enrolled.
      const seedPost = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM herding h JOIN posts p USING (post_id) JOIN users u ON u.user_id = p.author_id WHERE u.kind <> 'agent'`);
      expect(seedPost!.n).toBe(0);
      const byArm = await db.query<{ arm: string; n: number }>(`SELECT arm, count(*)::INTEGER AS n FROM herding GROUP BY arm ORDER BY arm`);
      expect(byArm.map((r) => r.arm)).toEqual(['control', 'down', 'up']);
      for (const r of byArm) expect(Math.abs(r.n / written.length - 1 / 3)).toBeLessThan(0.1);
    });
  });
});

describe('herding treatment', () => {
  it('when posts are treated then the hidden platform account likes the up arm and dislikes the down arm in the step the post was written', async () => {
    const { dir } = await sharedRun();
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const platform = await db.query<{ user_id: number; created_step: number }>(`SELECT user_id, created_step FROM users WHERE kind = 'platform'`);
      expect(platform).toEqual([{ user_id: 201, created_step: 0 }]); // after 200 agents and 1 scripted account
      const votes = async (table: string) =>
        db.query<{ post_id: number; step: number }>(`SELECT post_id::INTEGER AS post_id, created_step AS step FROM ${table} WHERE user_id = 201 ORDER BY post_id`);
      const arm = async (a: string) => db.query<{ post_id: number; step: number }>(`SELECT post_id::INTEGER AS post_id, step FROM herding WHERE arm = '${a}' ORDER BY post_id`);
      expect(await votes('likes')).toEqual(await arm('up'));
      expect(await votes('dislikes')).toEqual(await arm('down'));
      // Not an agent action: nothing in trace.
      expect((await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM trace WHERE agent_id = 201`))!.n).toBe(0);
    });
  });

  it('when a post is treated then its vote is in the counts agents and the recommender see from the next step', async () => {
    const channel = await channelWithPosts();
    const b0 = channel.beginStep(1, T0 + HOUR);
    const upId = idOf(channel.apply(b0, 1, { action: 'create_post', args: { text: 'up #tech' } }), 'post_id');
    const downId = idOf(channel.apply(b0, 2, { action: 'create_post', args: { text: 'down #tech' } }), 'post_id');
    channel.herdingTreat(b0, upId, 'up');
    channel.herdingTreat(b0, downId, 'down');
    await channel.commitStep(b0, 2);
    const snapshot = await channel.snapshot(2, 4);
    expect(snapshot.postsById.get(upId)).toMatchObject({ likes: 1, dislikes: 0 });
    expect(snapshot.postsById.get(downId)).toMatchObject({ likes: 0, dislikes: 1 });
    // The voter (id 4, after users 0-3) gets no feed.
    expect(snapshot.users).toEqual([0, 1, 2, 3]);
    await channel.close();
  });

  it('when agents look for the platform account then it does not exist for them: no search hit, follow, mute, message, list or timeline', async () => {
    for (const search of ['bm25', 'substring'] as const) {
      const channel = await channelWithPosts();
      channel.configure({ search });
      const b = channel.beginStep(1, T0 + HOUR);
      channel.herdingTreat(b, idOf(channel.apply(b, 1, { action: 'create_post', args: { text: 'hello' } }), 'post_id'), 'up');
      await channel.commitStep(b, 1);
      const b2 = channel.beginStep(2, T0 + 2 * HOUR);
      for (const query of ['platform', 'platform_votes', 'herding']) {
        expect(channel.apply(b2, 0, { action: 'search_users', args: { query } })).toEqual({ ok: true, result: { users: [] } });
      }
      const listId = idOf(channel.apply(b2, 0, { action: 'create_list', args: { name: 'l' } }), 'list_id');
      for (const [action, args] of [
        ['follow', { user_id: 4 }],
        ['mute', { user_id: 4 }],
        ['send_direct_message', { to_user_id: 4, text: 'hi' }],
        ['timeline', { user_id: 4 }],
        ['add_to_list', { list_id: listId, user_id: 4 }],
      ] as const) {
        expect(channel.apply(b2, 0, { action, args })).toEqual({ ok: false, error: 'user 4 does not exist' });
      }
      await channel.commitStep(b2, 1);
      // The author is not told: the vote is a score, not a person.
      const ctx = await channel.agentContexts([1], 0);
      expect(ctx.get(1)!.notifications).toEqual([]);
      await channel.close();
    }
  });

  it('when a run has herding then the platform account is in no feed, impression or follow', async () => {
    const { dir } = await sharedRun();
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const n = async (sql: string) => (await db.one<{ n: number }>(sql))!.n;
      expect(await n(`SELECT count(*)::INTEGER AS n FROM likes WHERE user_id = 201`)).toBeGreaterThan(20);
      expect(await n(`SELECT count(*)::INTEGER AS n FROM rec WHERE user_id = 201`)).toBe(0);
      expect(await n(`SELECT count(*)::INTEGER AS n FROM impressions WHERE agent_id = 201`)).toBe(0);
      expect(await n(`SELECT count(*)::INTEGER AS n FROM follows WHERE 201 IN (follower_id, followee_id)`)).toBe(0);
    });
  });
});

describe('herding runs are repeatable', () => {
  it('when a herding run is stopped twice and resumed then it ends exactly like an uninterrupted one', async () => {
    const straight = await sharedRun();
    const paused = await runExperiment(herdingExperiment(), { resultsRoot: tempDir(), quiet: true, maxSteps: 1 });
    await resumeRun(paused.dir, { quiet: true, maxSteps: 3 });
    const done = await resumeRun(paused.dir, { quiet: true });
    expect(done.info).toMatchObject({ status: 'completed', steps_completed: 6 });
    const want = await tableChecksums(join(straight.dir, 'sim.duckdb'));
    expect(want.herding.rows).toBeGreaterThan(80);
    expect(await tableChecksums(join(paused.dir, 'sim.duckdb'))).toEqual(want);
  });

  it('when a herding run is branched with no change then the branch equals its parent; a branch that turns herding on starts it at the branch point', async () => {
    const parent = await sharedRun();
    const same = await branchRun(parent.dir, { resultsRoot: sharedRoot, quiet: true, atStep: 3, overrides: [] });
    expect(await tableChecksums(join(same.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(parent.dir, 'sim.duckdb')));

    // Its own results root: the branch is the same experiment as the one above, whose folder it would be.
    const other = tempDir();
    const plain = await runExperiment(smallExperiment(), { resultsRoot: other, quiet: true, maxSteps: 3 });
    const turnedOn = await branchRun(plain.dir, { resultsRoot: other, quiet: true, atStep: 3, overrides: HERDING });
    expect(turnedOn.info.status).toBe('completed');
    await withSimDb(join(turnedOn.dir, 'sim.duckdb'), async (db) => {
      expect(await db.query(`SELECT user_id, created_step FROM users WHERE kind = 'platform'`)).toEqual([{ user_id: 201, created_step: 3 }]);
      const steps = await db.query<{ step: number }>(`SELECT DISTINCT step FROM herding ORDER BY step`);
      expect(steps.map((s) => s.step)).toEqual([3, 4]);
    });
  });
});

describe('herding config', () => {
  const issues = (block: string): string[] => {
    try {
      parseExperiment(`${SMALL_YAML}herding: ${block}\n`, 'h.yaml');
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
      throw e;
    }
  };

  it('when comments are asked for then validation refuses them and says why', () => {
    expect(issues('{ target: comments }')).toEqual([
      'herding.target: must be posts (comments are not supported: replies never enter feeds, so agents would not see the treated comments to vote on them), got "comments"',
    ]);
  });

  it('when the arms or steps make no experiment then validation says what to change', () => {
    expect(issues('{ arms: { up: 0, down: 0, control: 0 } }')).toEqual(['herding.arms: needs at least one arm with a weight above 0, got up, down and control all 0']);
    expect(issues('{ from_step: 6 }')).toEqual(['herding.from_step: must be less than clock.timesteps (6; steps run 0..5), got 6']);
    expect(issues('{ from_step: 3, until_step: 2 }')).toEqual(['herding.until_step: must be at least from_step (3), got 2']);
    expect(herdingExperiment().herding).toEqual({ target: 'posts', share: 1, arms: { up: 1, down: 1, control: 1 }, from_step: 0, until_step: 4 });
  });
});

describe('LLM prompts in herding runs', () => {
  it('when the platform shows dislikes then a feed line lists them; otherwise the line is as it always was', () => {
    const post = { postId: 7, authorId: 3, createdStep: 1, text: 'hi #tech', label: null, likes: 2, reposts: 0, dislikes: 1 };
    const request = (showDislikes: boolean) => ({
      persona: { userId: 1, username: 'a', name: 'A', bio: '', cohort: 'c', model: 'm', interests: [], activity: 0.5, influence: 1 },
      observation: { step: 2, simTime: 't', feed: [post], followees: new Set<number>(), liked: new Set<number>(), reposted: new Set<number>(), ...(showDislikes ? { showDislikes } : {}) },
    });
    expect(postLine(toWire(request(true)).feed[0]!)).toBe('[post 7] @user3 (user 3) · 2 likes, 1 dislike, 0 reposts\n  hi #tech');
    expect(postLine(toWire(request(false)).feed[0]!)).toBe('[post 7] @user3 (user 3) · 2 likes, 0 reposts\n  hi #tech');
  });
});
