/**
 * The stance analysis on a real run's DuckDB file: statistical agents with stances on #tech
 * write templated posts on their interests, `analyzeRun` stores the three tables, and the
 * report's "Public opinion" section draws their shares.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { sideCondition } from '../../src/analysis/sides.js';
import { analyzeRun } from '../../src/analysis/store.js';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { buildReport } from '../../src/report/write.js';

let dir: string;
let runDir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'socialsim-stance-'));
  writeFileSync(
    join(dir, 'exp.yaml'),
    `name: stance-run
seed: 5
clock: { timesteps: 3, step: 1h }
dataset:
  generate: { topics: [tech], interests_per_agent: 1, stance_topics: [tech], polarization: 1, follows_per_agent: 3 }
models:
  stat: { provider: statistical, post_prob: 0.6 }
cohorts:
  - { name: pop, count: 40, model: stat, activity: 0.9 }
`,
  );
  runDir = (await runExperiment(loadExperiment(join(dir, 'exp.yaml')), { resultsRoot: join(dir, 'results'), quiet: true })).dir;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stance on a real run', () => {
  it('when personas hold stances on a topic their posts name then analysis.duckdb holds a trained model and shares that add up per step', async () => {
    const records = await analyzeRun(runDir, ['stance']);
    expect(records.map((r) => r.tables)).toEqual([['stance_model', 'stance_by_step', 'stance_surveys', 'stance_judged', 'stance_judge_calls']]);
    await withSimDb(join(runDir, 'analysis.duckdb'), async (db) => {
      const model = await db.query<{ topic: string; method: string; accuracy: number; chance: number; train_posts: number }>('SELECT * FROM stance_model');
      expect(model).toHaveLength(1);
      expect(model[0]).toMatchObject({ topic: 'tech', method: 'centroid' });
      // polarization 1 piles stances at ±1: most authors are decided and train the model.
      expect(model[0]!.train_posts).toBeGreaterThan(10);
      expect(model[0]!.chance).toBeGreaterThanOrEqual(0.5);
      const steps = await db.query<{ step: number; posts: number; total: number }>(
        `SELECT step, posts, for_share + against_share + neutral_share AS total FROM stance_by_step WHERE side = 'sim' ORDER BY step`,
      );
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) expect(s.total).toBeCloseTo(1, 12);
      // Every post names #tech (each agent's only interest), and every classified one is counted.
      const posts = await db.one<{ n: number }>('SELECT sum(posts)::INTEGER AS n FROM stance_by_step');
      const written = await withSimDb(join(runDir, 'sim.duckdb'), async (sim) => sim.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM posts p LEFT JOIN users u ON u.user_id = p.author_id WHERE ${await sideCondition(sim, 'sim')}`));
      expect(posts!.n).toBeLessThanOrEqual(written!.n);
      expect(posts!.n).toBeGreaterThan(0);
    });
    const { sections } = await buildReport(runDir);
    const section = sections.find((s) => s.id === 'stance')!;
    expect(section.error).toBeUndefined();
    expect(section.html).toContain('held-out accuracy');
    expect(section.spec).toBeDefined();
  }, 120_000);
});
