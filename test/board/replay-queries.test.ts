/**
 * The replay's query modules on a small statistical run. Expected figures are recounted here
 * independently: the state at step t is the run's final state with every traced action after t
 * undone, newest first (an undone like removes the pair, an undone unlike puts it back), which
 * is how the likes, the follows and the cascades at t are checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSimDb, type SimDb } from '../../src/analysis/open.js';
import { agentAt, searchAgents } from '../../src/board/replay/agent.js';
import { egoGraph } from '../../src/board/replay/graph.js';
import { pickStep, replayMeta } from '../../src/board/replay/meta.js';
import { stepView } from '../../src/board/replay/step.js';
import { threadAt } from '../../src/board/replay/thread.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';

let results: string;
let db: SimDb;
interface Ev { step: number; seq: number; agent_id: number; action: string; target: number }
let events: Ev[];

beforeAll(async () => {
  results = mkdtempSync(join(tmpdir(), 'socialsim-replay-q-'));
  const { dir } = await runExperiment(smallExperiment(), { resultsRoot: results, quiet: true });
  db = await openSimDb(join(dir, 'sim.duckdb'));
  events = await db.query<Ev>(
    `SELECT step, seq, agent_id, action, coalesce(CAST(args->>'post_id' AS BIGINT), CAST(args->>'user_id' AS BIGINT))::DOUBLE AS target
     FROM trace WHERE ok AND action IN ('like', 'unlike', 'follow', 'unfollow') ORDER BY seq`,
  );
}, 120_000);

afterAll(async () => {
  await db?.close();
  rmSync(results, { recursive: true, force: true });
});

/** Pairs "a/b" standing at the end of step t: the final pairs with traced changes after t undone. */
function pairsAt(final: readonly string[], make: string, unmake: string, t: number): Set<string> {
  const s = new Set(final);
  for (const e of [...events].reverse()) {
    if (e.step <= t) break;
    const key = `${e.agent_id}/${e.target}`;
    if (e.action === make) s.delete(key);
    if (e.action === unmake) s.add(key);
  }
  return s;
}

describe('replay meta', () => {
  it('lists the six committed steps with their simulated hours and the cohorts', async () => {
    const m = await replayMeta(db);
    expect(m.steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    // clock: start 08:00, 1h steps.
    expect(m.steps[3]!.sim_time).toBe('2024-06-17T11:00:00Z');
    // 120 loud + 80 quiet + the Wire News seed account.
    expect(m.users).toBe(201);
    expect(m.cohorts).toEqual(expect.arrayContaining(['loud', 'quiet']));
    expect(m.has_stance).toBe(false);
    expect(pickStep(m.steps, undefined)).toBe(5);
    expect(() => pickStep(m.steps, 9)).toThrow(/no step 9/);
  });
});

describe('the platform at step t', () => {
  it('counts the likes standing at t, including likes taken back later', async () => {
    const final = (await db.query<{ k: string }>(`SELECT user_id || '/' || post_id AS k FROM likes`)).map((r) => r.k);
    let corrected = 0;
    for (const t of [0, 1, 2, 3]) {
      const v = await stepView(db, t, { limit: 500 });
      const at = pairsAt(final, 'like', 'unlike', t);
      const perPost = new Map<number, number>();
      for (const k of at) perPost.set(Number(k.split('/')[1]), (perPost.get(Number(k.split('/')[1])) ?? 0) + 1);
      for (const p of v.posts) expect(p.likes, `post ${p.post_id} at step ${t}`).toBe(perPost.get(p.post_id) ?? 0);
      // How many posts the likes table alone (rows made by t) would have got wrong.
      const naive = await db.query<{ post_id: number; n: number }>(`SELECT post_id::DOUBLE AS post_id, count(*)::INTEGER AS n FROM likes WHERE created_step <= $1 GROUP BY 1`, [t]);
      const naiveOf = new Map(naive.map((r) => [r.post_id, r.n]));
      corrected += v.posts.filter((p) => p.likes !== (naiveOf.get(p.post_id) ?? 0)).length;
    }
    // The run has unlikes after these steps, so the trace correction must have mattered somewhere.
    expect(corrected).toBeGreaterThan(0);
  });

  it('shows posts written by t newest first, pages with `before`, and counts the step\'s posts', async () => {
    const all = await db.query<{ post_id: number; created_step: number }>(`SELECT post_id::DOUBLE AS post_id, created_step FROM posts ORDER BY post_id DESC`);
    const upTo2 = all.filter((p) => p.created_step <= 2).map((p) => p.post_id);
    const first = await stepView(db, 2, { limit: 50 });
    expect(first.written).toBe(all.filter((p) => p.created_step === 2).length);
    expect(first.posts.map((p) => p.post_id)).toEqual(upTo2.slice(0, 50));
    expect(first.more).toBe(true);
    const second = await stepView(db, 2, { limit: 50, before: first.posts.at(-1)!.post_id });
    expect(second.posts.map((p) => p.post_id)).toEqual(upTo2.slice(50, 100));
    expect(first.posts.every((p) => p.created_step <= 2)).toBe(true);
  });

  it('counts reposts made by t, not the run\'s final count', async () => {
    const reposts = await db.query<{ post_id: number; created_step: number }>(`SELECT post_id::DOUBLE AS post_id, created_step FROM reposts`);
    const v = await stepView(db, 1, { limit: 500 });
    for (const p of v.posts) expect(p.reposts).toBe(reposts.filter((r) => r.post_id === p.post_id && r.created_step <= 1).length);
    // Some post shown at step 1 gains reposts later (else the cut proves nothing).
    expect(v.posts.some((p) => p.reposts < reposts.filter((r) => r.post_id === p.post_id).length)).toBe(true);
  });
});

describe('the agent panel', () => {
  it('gives the feed, actions and posts of one agent at one step', async () => {
    const busy = await db.one<{ agent_id: number; step: number }>(
      `SELECT agent_id, step FROM trace WHERE action = 'create_post' AND ok ORDER BY step, agent_id LIMIT 1`,
    );
    const a = await agentAt(db, String(busy!.agent_id), busy!.step);
    const shown = await db.query<{ post_id: number }>(`SELECT post_id::DOUBLE AS post_id FROM impressions WHERE agent_id = $1 AND step = $2`, [busy!.agent_id, busy!.step]);
    expect(a.shown.map((p) => p.post_id).sort((x, y) => x - y)).toEqual(shown.map((p) => p.post_id).sort((x, y) => x - y));
    const did = await db.query<{ action: string }>(`SELECT action FROM trace WHERE agent_id = $1 AND step = $2 ORDER BY seq`, [busy!.agent_id, busy!.step]);
    expect(a.actions.map((x) => x.action)).toEqual(did.map((d) => d.action));
    expect(a.actions.map((x) => x.action)).toContain('create_post');
    expect(a.wrote.length).toBeGreaterThanOrEqual(1);
    // A statistical agent makes no model requests.
    expect(a.llm).toEqual([]);
  });

  it('answers a quiet step with empty lists and the step\'s time, and an unknown user with a 404', async () => {
    const a = await agentAt(db, '0', 5);
    expect(a.user.user_id).toBe(0);
    expect(a.sim_time).toBe('2024-06-17T13:00:00Z');
    await expect(agentAt(db, 'nobody_at_all', 1)).rejects.toMatchObject({ status: 404 });
  });

  it('finds accounts by id and by username', async () => {
    const u = await db.one<{ username: string }>(`SELECT username FROM users WHERE user_id = 42`);
    expect((await searchAgents(db, '42'))[0]!.user_id).toBe(42);
    expect((await searchAgents(db, `@${u!.username}`))[0]!.username).toBe(u!.username);
    expect(await searchAgents(db, '   ')).toEqual([]);
  });
});

describe('thread and cascade', () => {
  it('grows the cascade step by step: one node per distinct reposter by t, plus the root', async () => {
    const top = await db.one<{ post_id: number; author_id: number }>(
      `SELECT r.post_id::DOUBLE AS post_id, p.author_id FROM reposts r JOIN posts p USING (post_id) GROUP BY ALL ORDER BY count(DISTINCT r.created_step) DESC, count(*) DESC, 1 LIMIT 1`,
    );
    const reposts = await db.query<{ user_id: number; created_step: number }>(`SELECT user_id, created_step FROM reposts WHERE post_id = $1`, [top!.post_id]);
    const sizes: number[] = [];
    for (const t of [0, 1, 2, 3, 4, 5]) {
      const created = await db.one<{ s: number }>(`SELECT created_step AS s FROM posts WHERE post_id = $1`, [top!.post_id]);
      if (created!.s > t) continue;
      const th = await threadAt(db, top!.post_id, t);
      const expected = new Set(reposts.filter((r) => r.created_step <= t && r.user_id !== top!.author_id).map((r) => r.user_id)).size + 1;
      expect(th.cascade.nodes.length, `step ${t}`).toBe(expected);
      expect(th.cascade.nodes.every((n) => n.step <= t)).toBe(true);
      sizes.push(th.cascade.nodes.length);
    }
    expect(sizes.at(-1)!).toBeGreaterThan(sizes[0]!);
  });

  it('shows a reply under its parent from the reply\'s step on, and a repost opens its source', async () => {
    const reply = await db.one<{ post_id: number; parent_id: number; created_step: number }>(
      `SELECT post_id::DOUBLE AS post_id, parent_id::DOUBLE AS parent_id, created_step FROM posts WHERE kind = 'comment' ORDER BY created_step DESC, post_id LIMIT 1`,
    );
    const later = await threadAt(db, reply!.parent_id, reply!.created_step);
    expect(later.replies.map((r) => r.post_id)).toContain(reply!.post_id);
    if (reply!.created_step > 0) {
      const parentStep = (await db.one<{ s: number }>(`SELECT created_step AS s FROM posts WHERE post_id = $1`, [reply!.parent_id]))!.s;
      if (parentStep < reply!.created_step) {
        const before = await threadAt(db, reply!.parent_id, reply!.created_step - 1);
        expect(before.replies.map((r) => r.post_id)).not.toContain(reply!.post_id);
      }
    }
    const own = await threadAt(db, reply!.post_id, reply!.created_step);
    expect(own.ancestors.at(-1)!.post_id).toBe(reply!.parent_id);
    const rp = await db.one<{ post_id: number; parent_id: number; created_step: number }>(`SELECT post_id::DOUBLE AS post_id, parent_id::DOUBLE AS parent_id, created_step FROM posts WHERE kind = 'repost' LIMIT 1`);
    expect((await threadAt(db, rp!.post_id, rp!.created_step)).post.post_id).toBe(rp!.parent_id);
    await expect(threadAt(db, rp!.post_id, rp!.created_step - 1)).rejects.toMatchObject({ status: 404 });
  });
});

describe('the follow graph around an agent', () => {
  it('has the followees and followers standing at t, unfollows after t put back', async () => {
    const final = (await db.query<{ k: string }>(`SELECT follower_id || '/' || followee_id AS k FROM follows`)).map((r) => r.k);
    // Agents who unfollowed someone after step 1: their step-1 graph differs from the follows table.
    const movers = [...new Set(events.filter((e) => e.action === 'unfollow' && e.step > 1).map((e) => e.agent_id))].slice(0, 5);
    expect(movers.length).toBeGreaterThan(0);
    const at = [...pairsAt(final, 'follow', 'unfollow', 1)].map((k) => k.split('/').map(Number) as [number, number]);
    for (const a of movers) {
      const g = await egoGraph(db, a, 1);
      expect(g.followees, `agent ${a}`).toBe(at.filter(([f]) => f === a).length);
      expect(g.followers, `agent ${a}`).toBe(at.filter(([, e]) => e === a).length);
      const ids = new Set(g.nodes.map((n) => n.user_id));
      const among = at.filter(([f, e]) => ids.has(f) && ids.has(e)).length;
      expect(g.edges.length).toBe(among);
      expect(g.nodes[0]!.role).toBe('agent');
      for (const n of g.nodes) {
        expect(n.x).toBeGreaterThanOrEqual(0);
        expect(n.x).toBeLessThanOrEqual(1);
      }
    }
  });

  it('caps the nodes, leaving the rest out by count, and lays out the same way twice', async () => {
    const g = await egoGraph(db, 200, 5, 4);
    // No traced follow changes after the last step: the follows table is the graph at step 5.
    const rows = await db.query<{ follower_id: number; followee_id: number }>(`SELECT follower_id, followee_id FROM follows WHERE follower_id = 200 OR followee_id = 200`);
    const neighbours = new Set(rows.map((r) => (r.follower_id === 200 ? r.followee_id : r.follower_id)));
    // The seed account (user 200) is followed by about half the agents: far more than the cap.
    expect(neighbours.size).toBeGreaterThan(50);
    expect(g.nodes.length).toBe(4);
    expect(g.left_out).toBe(neighbours.size - 3);
    const again = await egoGraph(db, 200, 5, 4);
    expect(again.nodes).toEqual(g.nodes);
  });
});
