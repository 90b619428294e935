import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { withSimDb } from '../../src/analysis/open.js';
import { branchRun } from '../../src/engine/branch.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';

type Run = Awaited<ReturnType<typeof runExperiment>>;
/**
 * The parents, run once and only read by the tests: the whole small experiment (its root also
 * holds the branches, each in a folder of its own: -at<step> after the experiment's hash), and the
 * same stopped after step 2 (in a root of its own, whose folder list a test reads).
 */
let root: string;
let parent: Run;
let shortRoot: string;
let shortParent: Run;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'socialsim-branch-'));
  shortRoot = mkdtempSync(join(tmpdir(), 'socialsim-branch-'));
  [parent, shortParent] = await Promise.all([
    runExperiment(smallExperiment(), { resultsRoot: root, quiet: true }),
    runExperiment(smallExperiment(), { resultsRoot: shortRoot, quiet: true, maxSteps: 2 }),
  ]);
}, 120_000);

afterAll(() => {
  for (const dir of [root, shortRoot]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** md5 of a query's rows, in order. */
async function digest(dir: string, sql: string): Promise<string> {
  return withSimDb(join(dir, 'sim.duckdb'), async (db) => {
    const row = await db.one<{ h: string }>(`SELECT md5(coalesce(string_agg(t::VARCHAR, chr(10) ORDER BY t), '')) AS h FROM (${sql}) AS t`);
    return row!.h;
  });
}

describe('branch', () => {
  it('when a run is branched with no change then the branch equals its parent', async () => {
    const branch = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 3, overrides: [] });
    expect(branch.dir).toBe(`${parent.dir}-at3`);
    expect(branch.info).toMatchObject({ status: 'completed', steps_completed: 6, branch_of: parent.dir, branch_at_step: 3 });
    expect(await tableChecksums(join(branch.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(parent.dir, 'sim.duckdb')));
  });

  it('when a branch changes the recommender at step 3 then steps 0-2 are the parent’s and later ones differ', async () => {
    const branch = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 3, overrides: ['recsys.kind=random'] });
    expect(branch.info.status).toBe('completed');
    for (const table of ['trace', 'rec', 'steps']) {
      expect(await digest(branch.dir, `SELECT * FROM ${table} WHERE step < 3`)).toBe(await digest(parent.dir, `SELECT * FROM ${table} WHERE step < 3`));
    }
    expect(await digest(branch.dir, `SELECT * FROM rec WHERE step >= 3`)).not.toBe(await digest(parent.dir, `SELECT * FROM rec WHERE step >= 3`));
    expect(await digest(branch.dir, `SELECT * FROM trace WHERE step >= 3`)).not.toBe(await digest(parent.dir, `SELECT * FROM trace WHERE step >= 3`));
  });

  it('when a branch changes who lives in the run then it is refused naming each path, before any folder is made', async () => {
    const [root, parent] = [shortRoot, shortParent];
    const refused = (overrides: string[]): Promise<unknown> => branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 1, overrides });
    await expect(refused(['cohorts[0].count=60'])).rejects.toThrow(/^a branch cannot change who lives in the run: cohorts\[0\]\.count \(120 → 60\)\. The branch continues on its parent's accounts/);
    await expect(refused(['cohorts[0].count=60'])).rejects.toMatchObject({ code: 'run.branch_invalid' });
    await expect(refused(['cohorts[0].count=60'])).rejects.toThrow(`or start a new run: socialsim run ${join(parent.dir, 'experiment.resolved.yaml')} --set cohorts[0].count=60`);
    await expect(refused(['seed=8', 'dataset.generate.follows_per_agent=9'])).rejects.toThrow('who lives in the run: seed (7 → 8), dataset.generate.follows_per_agent (5 → 9).');
    await expect(refused(['seeds[0].followed_by=0.9'])).rejects.toThrow('seeds[0].followed_by (0.5 → 0.9)');
    await expect(refused(['cohorts=[{ name: loud, count: 120, model: stat, activity: 0.5 }]'])).rejects.toThrow('cohorts (2 entries → 1 entries)');
    await expect(refused(['cohorts[1].activity=0.9'])).rejects.toThrow('cohorts[1].activity (0.2 → 0.9)');
    expect(readdirSync(join(root, 'small'))).toEqual([basename(parent.dir)]);
  });

  it('when a branch changes what acts (a cohort’s model, scripted posts) then it runs, and without a change it says it re-runs the parent', async () => {
    const notes: string[] = [];
    const same = await branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 4, overrides: [], note: (m) => notes.push(m) });
    expect(same.info.agents).toBe(200);
    expect(notes).toEqual([
      'no --set given: the branch changes nothing and re-runs the parent\'s experiment from step 4 (a statistical run reproduces its parent exactly; LLM cohorts ask their models again)',
    ]);
    const changed = await branchRun(parent.dir, {
      resultsRoot: root,
      quiet: true,
      atStep: 4,
      overrides: ['cohorts[1].model=stat', 'seeds[0].posts=[{ at: 5, text: "Later news #tech" }]'],
      note: (m) => notes.push(m),
    });
    expect(notes).toHaveLength(1);
    expect(changed.info).toMatchObject({ status: 'completed', agents: 200 });
    await withSimDb(join(changed.dir, 'sim.duckdb'), async (db) => {
      // The quiet cohort (users 120–199) acts on its new model after the branch point; the scripted post went out.
      expect(await db.one(`SELECT count(DISTINCT agent_id) > 10 AS acts FROM trace WHERE step >= 4 AND agent_id BETWEEN 120 AND 199`)).toEqual({ acts: true });
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM posts WHERE text = 'Later news #tech' AND created_step = 5`)).toEqual({ n: 1 });
    });
  });

  it('when the branch point is outside the parent’s steps then it is refused', async () => {
    const [root, parent] = [shortRoot, shortParent];
    await expect(branchRun(parent.dir, { resultsRoot: root, quiet: true, atStep: 4, overrides: [] })).rejects.toThrow(
      "--at-step must be between 1 and the parent's 2 completed steps, got 4",
    );
  });
});
