import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { loadExperiment } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/dataset.js';
import { runExperiment } from '../../src/engine/run.js';
import { tempDir } from '../helpers/tmp.js';

const EXPERIMENT = join(import.meta.dirname, '../../experiments/oasis-format.yaml');

describe('experiments/oasis-format.yaml', () => {
  it('when it runs (shortened) then the OASIS-format accounts start with their follow lists, previous tweets and profiles, and the cascade is kept for the report', async () => {
    // Unfollows would delete step-0 follows before the check below.
    const exp = loadExperiment(EXPERIMENT, { overrides: ['clock.timesteps=4', 'models.stat.unfollow_prob=0'] });
    expect([exp.clock.step, exp.cohorts.map((c) => [c.count, c.personas])]).toEqual(['5m', [[110, 'dataset']]]);
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const counts = await db.one<{ agents: number; profiles: number; real_follows: number; missing: number; cascade: number }>(`
        SELECT (SELECT count(*) FROM users WHERE kind = 'agent' AND json_extract_string(persona, '$.dataset.id') IS NOT NULL)::INTEGER AS agents,
               (SELECT count(*) FROM users WHERE json_array_length(json_extract(persona, '$.dataset.activity_profile')) = 24)::INTEGER AS profiles,
               (SELECT count(*) FROM real_follows)::INTEGER AS real_follows,
               (SELECT count(*) FROM real_follows r ANTI JOIN (SELECT * FROM follows WHERE created_step = 0) f
                  ON f.follower_id = r.follower_id AND f.followee_id = r.followee_id)::INTEGER AS missing,
               (SELECT count(*) FROM real_cascades)::INTEGER AS cascade`);
      expect(counts).toEqual({ agents: 110, profiles: 110, real_follows: 811, missing: 0, cascade: 259 });
      // The opening posts are the previous tweets, in file order (agent i is row i), the rumour first; no generated ones.
      const file = await loadDataset(exp.dataset, '/');
      const tweets = file.users!.rows.flatMap((u, i) => u.previousPosts!.map((text) => ({ author: i, text })));
      expect(tweets).toHaveLength(221);
      expect(tweets[0]!.text).toMatch(/^BREAKING: .*tap water/);
      const opening = await db.query<{ author: number; text: string }>(`SELECT author_id AS author, text FROM posts WHERE post_id <= 221 ORDER BY post_id`);
      expect(opening).toEqual(tweets);
      const others = await db.one<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM posts WHERE created_step = 0 AND post_id > 221 AND author_id NOT IN (SELECT agent_id FROM trace WHERE step = 0 AND ok AND action <> 'refresh')`,
      );
      expect(others!.n).toBe(0);
    });
  });
});
