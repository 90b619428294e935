import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { runExperiment } from '../../src/engine/run.js';
import { closeFakeServersAfterEach, experiment, fake, likeTop, localModel } from '../helpers/llm.js';
import { tempDir } from '../helpers/tmp.js';

closeFakeServersAfterEach();

describe('a seed account on an LLM', () => {
  it('when a celebrity seed names an LLM model then it is prompted in character every step and its calls are recorded under its own key', async () => {
    const server = await fake(likeTop);
    const exp = experiment(localModel([server.url]), [
      'seeds=[{ name: Star Singer, kind: celebrity, model: local, bio: "Singer. New album out now.", interests: [music], followed_by: 0.5, posts: [{ at: 1, text: "Tour news tomorrow #music" }] }]',
    ]);
    const { dir, info } = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    expect(info.status).toBe('completed');
    const inCharacter = server.requests.filter((r) => String((r.body?.messages?.[0] as { content?: string }).content).startsWith('You are Star Singer (@star_singer)'));
    // Active every step (activity defaults to 1): one decision per step.
    expect(inCharacter).toHaveLength(3);
    expect(String((inCharacter[0]!.body!.messages![0] as { content: string }).content)).toContain('About you: Singer. New album out now.');
    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const star = await db.one<{ id: number }>(`SELECT user_id AS id FROM users WHERE name = 'Star Singer' AND kind = 'seed'`);
      const calls = await db.query<{ cohort: string; n: number }>(`SELECT cohort, count(*)::INTEGER AS n FROM llm_calls WHERE agent_id = $1 GROUP BY cohort`, [star!.id]);
      expect(calls).toEqual([{ cohort: 'seed:Star Singer', n: 3 }]);
      const acted = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM trace WHERE agent_id = $1 AND ok AND action <> 'refresh'`, [star!.id]);
      expect(acted!.n).toBeGreaterThan(1);
    });
  });
});
