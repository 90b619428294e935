import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb, type SimDb } from '../../src/analysis/open.js';
import { conditionMeans } from '../../src/board/compare/conditions.js';
import { parentAddress } from '../../src/board/compare/runs.js';
import { runSeries, type StepFigures } from '../../src/board/compare/series.js';
import { branchRun } from '../../src/engine/branch.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

/** The compare page's series recounted row by row from the run's tables. */
async function recount(db: SimDb): Promise<Map<number, StepFigures>> {
  const opening = await db.one<{ upto: number | null }>(`SELECT max(value::BIGINT)::BIGINT AS upto FROM meta WHERE key = 'opening_posts'`);
  const posts = await db.query<{ post_id: number; kind: string; step: number }>(`SELECT post_id, kind, created_step AS step FROM posts`);
  const acts = await db.query<{ step: number; action: string }>(`SELECT step, action FROM trace WHERE ok`);
  const steps = await db.query<{ step: number; active_agents: number; failed_actions: number }>(`SELECT step, active_agents, failed_actions FROM steps`);
  const out = new Map<number, StepFigures>();
  const at = (step: number): StepFigures => out.get(step) ?? out.set(step, { step, posts: 0, likes: 0, reposts: 0, follows: 0, active_agents: 0, failed_actions: 0 }).get(step)!;
  expect(opening?.upto).not.toBeNull();
  for (const p of posts) {
    if (p.post_id <= opening!.upto!) continue;
    if (p.kind === 'repost') at(p.step).reposts++;
    else at(p.step).posts++;
  }
  for (const a of acts) {
    if (a.action === 'like') at(a.step).likes++;
    if (a.action === 'follow') at(a.step).follows++;
  }
  for (const s of steps) Object.assign(at(s.step), { active_agents: s.active_agents, failed_actions: s.failed_actions });
  return out;
}

describe('compare series', () => {
  it('when a run and its branch are read then every series equals a recount from the tables, and the shared steps are equal', async () => {
    const root = tempDir();
    const parent = await runExperiment(smallExperiment(), { resultsRoot: root, quiet: true });
    const branch = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 3, overrides: ['recsys.kind=random'] });
    const seriesOf = async (dir: string): Promise<{ got: StepFigures[]; want: Map<number, StepFigures> }> =>
      withSimDb(join(dir, 'sim.duckdb'), async (db) => ({ got: await runSeries(db), want: await recount(db) }));
    const p = await seriesOf(parent.dir);
    const b = await seriesOf(branch.dir);
    for (const { got, want } of [p, b]) {
      expect(got.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5]);
      for (const row of got) expect(row).toEqual(want.get(row.step));
      // Something happened in each series, so equality above is not all zeros.
      for (const key of ['posts', 'likes', 'active_agents'] as const) expect(got.reduce((n, r) => n + r[key], 0)).toBeGreaterThan(0);
    }
    expect(b.got.slice(0, 3)).toEqual(p.got.slice(0, 3));
    // A random feed from step 3 changes what agents like afterwards.
    expect(b.got.slice(3)).not.toEqual(p.got.slice(3));
  });
});

describe('sweep conditions over time', () => {
  const row = (step: number, posts: number): StepFigures => ({ step, posts, likes: 2 * posts, reposts: 0, follows: 1, active_agents: 10, failed_actions: 0 });

  it('when a condition has two seeds then each step is their mean, and a seed that stopped early is left out of later steps', () => {
    const points = conditionMeans(['recsys.kind', 'seed'], [
      { params: { 'recsys.kind': 'random', seed: 1 }, series: [row(0, 4), row(1, 6), row(2, 8)] },
      // Seed 2 did nothing in step 1 (no row) and stopped after step 1.
      { params: { 'recsys.kind': 'random', seed: 2 }, series: [row(0, 2)].concat([{ ...row(1, 0), likes: 0, follows: 0, active_agents: 0 }]) },
      { params: { 'recsys.kind': 'twitter', seed: 1 }, series: [row(0, 1)] },
    ]);
    const posts = points.filter((p) => p.series === 'posts').map((p) => [p.condition, p.step, p.mean, p.n]);
    expect(posts).toEqual([
      ['random', 0, 3, 2],
      ['random', 1, 3, 2],
      ['random', 2, 8, 1],
      ['twitter', 0, 1, 1],
    ]);
    expect(points.find((p) => p.series === 'likes' && p.condition === 'random' && p.step === 1)?.mean).toBe(6);
  });

  it('when a run has no row for a step it reached then that step counts 0 for it', () => {
    const points = conditionMeans(['seed'], [
      { params: { seed: 1 }, series: [row(0, 4), row(2, 6)] },
      { params: { seed: 2 }, series: [row(0, 2), row(1, 2), row(2, 2)] },
    ]);
    expect(points.filter((p) => p.series === 'posts').map((p) => [p.condition, p.step, p.mean])).toEqual([
      ['all runs', 0, 3],
      ['all runs', 1, 1],
      ['all runs', 2, 4],
    ]);
  });
});

describe("a branch's parent", () => {
  const listed = new Set(['small/aaa', 'small/bbb-at3', 'other/aaa2']);
  it('when run.json names it by an absolute path inside the folder then that run is the parent', () => {
    expect(parentAddress('/data/results', '/data/results/small/aaa', listed)).toBe('small/aaa');
  });
  it('when run.json names it relative to where the branch command ran then the run with the same experiment and id is the parent', () => {
    expect(parentAddress('/data/results', 'results/small/aaa', listed)).toBe('small/aaa');
    expect(parentAddress('/data/results', 'results/small/zzz', listed)).toBeNull();
  });
});
