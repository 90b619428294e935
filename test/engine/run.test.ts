import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { configHash, loadExperiment } from '../../src/config/load.js';
import { readRunInfo } from '../../src/engine/run-folder.js';
import { runExperiment } from '../../src/engine/run.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

describe('a run', () => {
  it('when it completes then its folder holds the resolved yaml, run.json, sim.duckdb and events', async () => {
    const root = tempDir();
    const exp = smallExperiment();
    const { dir, info } = await runExperiment(exp, { resultsRoot: root, quiet: true, command: ['run', 'small.yaml'] });
    expect(dir.startsWith(join(root, 'small'))).toBe(true);
    for (const f of ['experiment.resolved.yaml', 'run.json', 'sim.duckdb', 'events.jsonl']) expect(existsSync(join(dir, f))).toBe(true);

    const saved = readRunInfo(dir);
    expect(saved).toEqual(info);
    expect(saved).toMatchObject({ experiment: 'small', seed: 7, status: 'completed', timesteps: 6, steps_completed: 6, agents: 200, config_hash: configHash(exp) });
    expect(saved.versions['node']).toBe(process.versions.node);
    expect(saved.actions).toBeGreaterThan(0);

    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual(['run_started', ...Array(6).fill('step'), 'run_finished']);

    // The resolved file is a complete experiment: loading it gives the same config hash.
    expect(configHash(loadExperiment(join(dir, 'experiment.resolved.yaml')))).toBe(saved.config_hash);

    await withSimDb(join(dir, 'sim.duckdb'), async (db) => {
      const totals = await db.one<{ actions: number; steps: number; seeds: number }>(
        `SELECT (SELECT count(*) FROM trace)::INTEGER AS actions, (SELECT count(*) FROM steps)::INTEGER AS steps,
                (SELECT count(*) FROM users WHERE kind = 'seed')::INTEGER AS seeds`,
      );
      expect(totals).toEqual({ actions: saved.actions, steps: 6, seeds: 1 });
      // The scripted post went out at its step with its label.
      expect(await db.query(`SELECT created_step AS s, label FROM posts WHERE label IS NOT NULL`)).toEqual([{ s: 1, label: 'news' }]);
      // Feeds were refreshed at steps 0, 2, 4 (refresh_every: 2), at most feed_size posts each.
      expect(await db.query(`SELECT DISTINCT step FROM rec ORDER BY step`)).toEqual([{ step: 0 }, { step: 2 }, { step: 4 }]);
      expect(await db.one(`SELECT max(rank)::INTEGER AS r FROM rec`)).toEqual({ r: 9 });
      // Each agent decides with its cohort's model: the shy cohort posts less per active step.
      const rates = await db.query<{ cohort: string; rate: number }>(
        `SELECT u.cohort, (count(*) FILTER (WHERE t.action = 'create_post'))::DOUBLE / count(*) FILTER (WHERE t.action = 'refresh') AS rate
         FROM trace t JOIN users u ON u.user_id = t.agent_id GROUP BY u.cohort ORDER BY u.cohort`,
      );
      expect(rates.map((r) => r.cohort)).toEqual(['loud', 'quiet', 'seed:news']);
      expect(rates[0]!.rate).toBeGreaterThan(rates[1]!.rate);
    });
  });

  it('when the same experiment runs again then it lands in the same folder and is refused unless forced', async () => {
    const root = tempDir();
    const exp = smallExperiment({ overrides: ['clock.timesteps=2'] });
    const a = await runExperiment(exp, { resultsRoot: root, quiet: true });
    expect(a.info.run_id).toBe(configHash(exp).slice(0, 12));
    await expect(runExperiment(exp, { resultsRoot: root, quiet: true })).rejects.toThrow(
      `${a.dir} already holds this exact experiment (status completed); run it again with --force (the folder is replaced)`,
    );
    const b = await runExperiment(exp, { resultsRoot: root, quiet: true, force: true });
    expect(b.dir).toBe(a.dir);
    expect(b.info.status).toBe('completed');
    // Another seed is another experiment: another folder.
    const c = await runExperiment(smallExperiment({ overrides: ['clock.timesteps=2'], seed: 8 }), { resultsRoot: root, quiet: true });
    expect(c.dir).not.toBe(a.dir);
  });

  it('when a run starts then run.json says whether the tree and the experiment file were committed', async () => {
    const { info } = await runExperiment(smallExperiment({ overrides: ['clock.timesteps=2'] }), { resultsRoot: tempDir(), quiet: true, experimentFile: 'experiments/quickstart.yaml' });
    expect(typeof info.git_dirty).toBe('boolean');
    // quickstart.yaml is committed in this repository (null when the tests run outside git).
    expect([false, null]).toContain(info.experiment_file_dirty);
  });

  it('when an LLM model’s API key variable is unset then the run is refused before any folder is made', async () => {
    const root = tempDir();
    const exp = smallExperiment({ overrides: ['models.stat={provider: openai, model: gpt-4o-mini, api_key_env: SOCIALSIM_TEST_UNSET_KEY}'] });
    await expect(runExperiment(exp, { resultsRoot: root, quiet: true })).rejects.toThrow('model "stat": environment variable SOCIALSIM_TEST_UNSET_KEY is not set');
    expect(existsSync(join(root, 'small'))).toBe(false);
  });
});
