import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { parseExperiment } from '../../src/config/load.js';
import { activeAgents } from '../../src/engine/activation.js';
import { runExperiment } from '../../src/engine/run.js';
import { buildPopulation, initialDataset, previousPosts } from '../../src/engine/setup.js';
import { tempDir } from '../helpers/tmp.js';

const HOUR3 = `"[${Array.from({ length: 24 }, (_, h) => (h === 3 ? 7 : 0)).join(', ')}]"`;
const ZEROS = `"[${new Array(24).fill(0).join(', ')}]"`;

/** Four accounts in the OASIS shape: row indices in the follow lists, Python-literal tweets. */
const USERS = [
  ',user_id,name,username,following_agentid_list,previous_tweets,user_char,description,created_at,activity_level_frequency',
  `0,11,Ann,ann,"[1, 2]","['first from ann', ""ann's second""]",Ann is a careful nurse.,Nurse.,2019-03-04 12:33:10+00:00,${HOUR3}`,
  `1,22,Bob,bob,[0],[],Bob likes trains.,Trains.,2019-03-04 12:33:10+00:00,${ZEROS}`,
  `2,33,Cy,cy,0,"['cy was here']",Cy.,,2019-03-04 12:33:10+00:00,${ZEROS}`,
  `3,44,Di,di,"[0, 2]","['di one', '', 'di three']",Di.,Di bio.,2019-03-04 12:33:10+00:00,${ZEROS}`,
].join('\n');

function experimentIn(dir: string, extra = ''): ReturnType<typeof parseExperiment> {
  writeFileSync(join(dir, 'users.csv'), `${USERS}\n`);
  const file = join(dir, 'exp.yaml');
  const yaml = `name: lists
seed: 5
clock: { timesteps: 24, step: 1h, start: 2024-01-02T00:00:00Z }
dataset:
  users:
    path: users.csv
    columns: { id: user_id, following: following_agentid_list, activity_profile: activity_level_frequency, previous_posts: previous_tweets, character: user_char }
    following_kind: row_index
  generate: { topics: [tech, health], follows_per_agent: 2, initial_posts_per_agent: 2 }
models:
  stat: { provider: statistical, post_prob: 0, like_base: 0, repost_base: 0, follow_on_engage: 0, unfollow_prob: 0 }
cohorts:
  - { name: real, count: 4, model: stat, personas: dataset, activity: 0.6 }
  - { name: gen, count: 2, model: stat, activity: 0.6 }
${extra}`;
  writeFileSync(file, yaml);
  return parseExperiment(yaml, file);
}

/** The experiment as written, run once (beforeAll): the activity-profile and follow-list tests both read it. */
let sharedDir: string;
let sharedRun: string;

beforeAll(async () => {
  sharedDir = mkdtempSync(join(tmpdir(), 'socialsim-dataset-lists-'));
  sharedRun = (await runExperiment(experimentIn(sharedDir), { resultsRoot: sharedDir, quiet: true })).dir;
}, 60_000);

afterAll(() => {
  if (sharedDir) rmSync(sharedDir, { recursive: true, force: true });
});

describe('a run on a users file with list columns', () => {
  it('when an account’s activity profile puts all its weight at hour 3 then over a day of 1h steps it acts in hour 3 only', async () => {
    const run = sharedRun;
    await withSimDb(join(run, 'sim.duckdb'), async (db) => {
      const steps = async (agent: number): Promise<number[]> =>
        (await db.query<{ step: number }>(`SELECT DISTINCT step FROM trace WHERE agent_id = $1 AND action = 'refresh' ORDER BY step`, [agent])).map((r) => r.step);
      // Steps start at midnight UTC: step k is hour k.
      expect(await steps(0)).toEqual([3]);
      // All-zero profiles say nothing: those accounts follow the run's (flat) profile, active in many hours.
      expect((await steps(1)).length).toBeGreaterThan(5);
      const persona = await db.one<{ profile: string; character: string }>(`SELECT persona->>'$.dataset.activity_profile' AS profile, persona->>'$.dataset.character' AS character FROM users WHERE user_id = 0`);
      expect(JSON.parse(persona!.profile)).toEqual(Array.from({ length: 24 }, (_, h) => (h === 3 ? 7 : 0)));
      expect(persona!.character).toBe('Ann is a careful nurse.');
    });
  });

  it('when agents have their own profile then only their hour multiplier changes: the activation draws are the same stream', () => {
    const base = { username: 'u', name: 'u', bio: '', cohort: 'c', model: 'm', interests: [], influence: 1 };
    const many = Array.from({ length: 400 }, (_, i) => ({ ...base, userId: i, activity: 0.3 }));
    const withProfile = many.map((p) => (p.userId % 2 === 0 ? { ...p, hourly: new Array<number>(24).fill(1) } : p));
    // A flat own profile (multiplier 1) at any hour draws exactly what the run's multiplier 1 draws.
    expect(activeAgents(9, 4, 1, withProfile, 17).map((p) => p.userId)).toEqual(activeAgents(9, 4, 1, many).map((p) => p.userId));
    // Without the hour, own profiles are not consulted.
    expect(activeAgents(9, 4, 0, withProfile).length).toBe(0);
    const own = activeAgents(9, 4, 0, withProfile, 17).map((p) => p.userId);
    expect(own.length).toBeGreaterThan(50);
    expect(own).toEqual(activeAgents(9, 4, 1, many).map((p) => p.userId).filter((id) => id % 2 === 0));
  });

  it('when accounts list previous posts then they open the platform as those accounts’ posts with dataset ids <user id>#<k>, in place of generated ones', async () => {
    const dir = tempDir();
    const exp = experimentIn(dir);
    const pop = await buildPopulation(exp);
    expect(previousPosts(pop).map((p) => [p.authorId, p.datasetId, p.text])).toEqual([
      [0, '11#0', 'first from ann'],
      [0, '11#1', "ann's second"],
      [2, '33#0', 'cy was here'],
      [3, '44#0', 'di one'],
      [3, '44#2', 'di three'],
    ]);
    const opening = initialDataset(exp, pop).posts;
    // Real accounts with a previous-posts list get no generated posts, Bob (an empty list) none at all; generated agents get theirs.
    expect(opening.filter((p) => p.authorId < 4).map((p) => p.text)).toEqual(['first from ann', "ann's second", 'cy was here', 'di one', 'di three']);
    expect(opening.filter((p) => p.authorId >= 4)).toHaveLength(4);

    const { dir: run } = await runExperiment(exp, { resultsRoot: dir, quiet: true });
    await withSimDb(join(run, 'sim.duckdb'), async (db) => {
      const posts = await db.query<{ author: number; text: string }>(`SELECT author_id AS author, text FROM posts WHERE created_step = 0 AND author_id IN (0, 2, 3) ORDER BY post_id`);
      expect(posts.map((p) => [p.author, p.text])).toEqual([
        [0, 'first from ann'],
        [0, "ann's second"],
        [2, 'cy was here'],
        [3, 'di one'],
        [3, 'di three'],
      ]);
    });
  });

  it('when follow lists name rows then they are the step-0 graph among the real accounts and the real_follows table', async () => {
    const run = sharedRun;
    await withSimDb(join(run, 'sim.duckdb'), async (db) => {
      const step0 = await db.query<{ a: number; b: number }>(`SELECT follower_id AS a, followee_id AS b FROM follows WHERE created_step = 0 AND follower_id < 4 AND followee_id < 4 ORDER BY a, b`);
      expect(step0.map((f) => `${f.a}>${f.b}`)).toEqual(['0>1', '0>2', '1>0', '3>0', '3>2']);
      const real = await db.query<{ a: number; b: number }>(`SELECT follower_id AS a, followee_id AS b FROM real_follows ORDER BY a, b`);
      expect(real.map((f) => `${f.a}>${f.b}`)).toEqual(['0>1', '0>2', '1>0', '3>0', '3>2']);
    });
  });
});
