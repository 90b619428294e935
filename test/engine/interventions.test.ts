import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { ConfigError, parseExperiment } from '../../src/config/load.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { recsysAt } from '../../src/engine/interventions.js';
import { tempDir } from '../helpers/tmp.js';

const BASE = `
name: counter
seed: 5
clock: { timesteps: 8, step: 1h, start: 2024-06-17T08:00:00Z }
dataset:
  generate: { topics: [politics, tech, music], interests_per_agent: 1, follows_per_agent: 4 }
models:
  stat: { provider: statistical, post_prob: 0.3, like_base: 0.1, repost_base: 0.05 }
cohorts:
  - { name: people, count: 120, model: stat, activity: 0.6 }
recsys: { kind: popularity, feed_size: 10, window: 6 }
seeds:
  - name: Hoaxer
    kind: misinformation
    label: misinformation
    followed_by: 0.1
    posts:
      - { at: 1, text: "The moon landing was staged #politics" }
      - { at: 5, text: "They deleted my post! #politics" }
  - name: Fact Desk
    kind: news
    label: fact-check
    followed_by_interests: [politics]
    posts:
      - { at: 3, text: "No, the landing was not staged #politics" }
      - { at: 4, text: "Second correction #politics", label: correction }
`;

const INTERVENTIONS = `
interventions:
  - { at: 2, action: label_post, post: { seed: Hoaxer, at: 1 }, label: disputed }
  - { at: 4, action: delete_post, post: { seed: Hoaxer, at: 1 } }
  - { at: 4, action: suspend_account, account: Hoaxer }
  - { at: 3, action: set_recsys, recsys: { kind: random } }
  - { at: 6, action: delete_post, post_id: 999999 }
`;

/** The experiment with its interventions, run once (beforeAll): one test reads it, another compares a resumed run with it. */
let wholeRoot: string;
let whole: Awaited<ReturnType<typeof runExperiment>>;

beforeAll(async () => {
  wholeRoot = mkdtempSync(join(tmpdir(), 'socialsim-interventions-'));
  whole = await runExperiment(parseExperiment(BASE + INTERVENTIONS, 'x.yaml'), { resultsRoot: wholeRoot, quiet: true });
}, 60_000);

afterAll(() => {
  if (wholeRoot) rmSync(wholeRoot, { recursive: true, force: true });
});

const issues = (yaml: string): string => {
  try {
    parseExperiment(yaml, 'x.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
};

describe('interventions and seed accounts', () => {
  it('when set_recsys names only the kind then it keeps the rest of the experiment’s recsys block from its step on', () => {
    const exp = parseExperiment(BASE + INTERVENTIONS, 'x.yaml');
    expect(recsysAt(exp, 2)).toBe(exp.recsys);
    expect(recsysAt(exp, 3)).toMatchObject({ kind: 'random', feed_size: 10, window: 6 });
    expect(recsysAt(exp, 7)).toMatchObject({ kind: 'random', feed_size: 10 });
  });

  it('when an intervention is incomplete or points nowhere then the loader names each problem', () => {
    const msg = issues(`${BASE}
interventions:
  - { at: 2, action: label_post, post: { seed: Hoaxer, at: 1 } }
  - { at: 2, action: delete_post, post: { seed: Hoax, at: 1 } }
  - { at: 2, action: delete_post, post: { seed: Hoaxer, at: 3 } }
  - { at: 9, action: suspend_account, account: Hoaxer, label: x }
  - { at: 2, action: delete_post, post_id: 4, post: { seed: Hoaxer, at: 1 } }
  - { at: 1, action: delete_post, post: { seed: Hoaxer, at: 1 } }
`);
    expect(msg).toContain('interventions[0].label: label_post needs label');
    expect(msg).toContain('interventions[1].post.seed: no seed account named "Hoax"');
    expect(msg).toContain('interventions[2].post.at: seed "Hoaxer" has no scripted post at step 3');
    expect(msg).not.toContain('interventions[3].at'); // past the last step: a warning (test/config/outside-run.test.ts)
    expect(msg).toContain('interventions[3].label: not used by suspend_account');
    expect(msg).toContain('interventions[4].post_id: give post or post_id, not both');
    expect(msg).toContain('interventions[5].at: must come after the post it acts on (posted at step 1), got 1');
  });

  it('when the run has interventions then labels, deletes, suspensions and the recommender switch take effect at their steps', async () => {
    await withSimDb(join(whole.dir, 'sim.duckdb'), async (db) => {
      const hoax = await db.one<{ id: number; label: string; deleted: number }>(
        `SELECT post_id::INTEGER AS id, label, deleted_step AS deleted FROM posts p JOIN users u ON u.user_id = p.author_id WHERE u.name = 'Hoaxer' AND p.created_step = 1`,
      );
      expect(hoax).toMatchObject({ label: 'disputed', deleted: 4 });
      // Shown while live (steps 1-3), never from the step of its deletion on.
      const shown = await db.query<{ step: number }>(`SELECT DISTINCT step FROM rec WHERE post_id = $1 ORDER BY step`, [hoax!.id]);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.every((r) => r.step < 4)).toBe(true);

      // The suspended account's step-5 post was refused; the fact desk's posts carry its label unless they have their own.
      const refused = await db.one<{ error: string }>(`SELECT error FROM trace t JOIN users u ON u.user_id = t.agent_id WHERE u.name = 'Hoaxer' AND t.step = 5`);
      expect(refused!.error).toMatch(/^account \d+ is suspended$/);
      const labels = await db.query<{ step: number; label: string }>(
        `SELECT p.created_step AS step, label FROM posts p JOIN users u ON u.user_id = p.author_id WHERE u.name = 'Fact Desk' ORDER BY step`,
      );
      expect(labels).toEqual([{ step: 3, label: 'fact-check' }, { step: 4, label: 'correction' }]);

      // Popularity ranks one list for everyone (minus each agent's own and engaged posts), so a few
      // posts lead every feed; from step 3 the random recommender gives each agent its own draw.
      const distinct = await db.query<{ step: number; leaders: number }>(
        `SELECT step, count(DISTINCT post_id)::INTEGER AS leaders FROM rec WHERE rank = 0 GROUP BY step ORDER BY step`,
      );
      const at = (s: number): number => distinct.find((d) => d.step === s)!.leaders;
      expect(at(3)).toBeGreaterThan(at(2) * 5);

      const log = await db.query<{ step: number; action: string; ok: boolean; error: string | null }>(`SELECT step, action, ok, error FROM interventions ORDER BY step, action`);
      expect(log.map((r) => [r.step, r.action, r.ok])).toEqual([
        [2, 'label_post', true],
        [3, 'set_recsys', true],
        [4, 'delete_post', true],
        [4, 'suspend_account', true],
        [6, 'delete_post', false],
      ]);
      expect(log.at(-1)!.error).toBe('post 999999 does not exist');

      // followed_by_interests: every agent interested in politics follows the fact desk.
      const missing = await db.one<{ n: number }>(`
        SELECT count(*)::INTEGER AS n FROM users a WHERE a.kind = 'agent' AND list_contains(CAST(a.persona->'interests' AS VARCHAR[]), 'politics')
          AND NOT EXISTS (SELECT 1 FROM follows f JOIN users s ON s.user_id = f.followee_id WHERE s.name = 'Fact Desk' AND f.follower_id = a.user_id)`);
      expect(missing!.n).toBe(0);
    });
  });

  it('when a run with interventions is interrupted and resumed then it ends exactly like an uninterrupted one', async () => {
    const exp = parseExperiment(BASE + INTERVENTIONS, 'x.yaml');
    const paused = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true, maxSteps: 4 });
    const done = await resumeRun(paused.dir, { quiet: true });
    expect(done.info.status).toBe('completed');
    expect(await tableChecksums(join(done.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(whole.dir, 'sim.duckdb')));
  });
});

describe('seed accounts with a model', () => {
  it('when a seed names a model then it gets a feed and acts every step beside its script, under its own policy key', async () => {
    const yaml = BASE.replace(
      'seeds:\n',
      `seeds:
  - name: Pop Star
    kind: celebrity
    model: stat
    interests: [music]
    followed_by: 0.5
    bio: Singer. New album out now.
    posts: [{ at: 2, text: "Tour dates tomorrow! #music" }]
`,
    );
    const exp = parseExperiment(yaml, 'x.yaml');
    const { dir } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const star = await db.one<{ id: number; model: string; kind: string }>(`SELECT user_id AS id, model, kind FROM users WHERE name = 'Pop Star'`);
      expect(star).toMatchObject({ model: 'stat', kind: 'seed' });
      const steps = await db.query<{ step: number }>(`SELECT DISTINCT step FROM trace WHERE agent_id = $1 AND action = 'refresh' ORDER BY step`, [star!.id]);
      expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const feeds = await db.one<{ n: number }>(`SELECT count(DISTINCT step)::INTEGER AS n FROM rec WHERE user_id = $1`, [star!.id]);
      expect(feeds!.n).toBeGreaterThan(0);
      const scripted = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM posts WHERE author_id = $1 AND text = 'Tour dates tomorrow! #music'`, [star!.id]);
      expect(scripted!.n).toBe(1);
    });
  });

  it('when a seed names an unknown model then the loader says so at its line', () => {
    expect(issues(BASE.replace('    kind: misinformation\n', '    kind: misinformation\n    model: gpt9\n'))).toContain('seeds[0].model: unknown model "gpt9"; models: stat');
  });
});
