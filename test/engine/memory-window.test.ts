/**
 * A run with a memory window shorter than the run (platform.memory_window: 2) drops old posts
 * from the mirror after each commit and reads them back when an action names one; resumed
 * mid-run, it rebuilds only the window and ends exactly as the uninterrupted run.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableChecksums } from '../../src/analysis/checksums.js';
import { parseExperiment } from '../../src/config/load.js';
import { memoryWindowOf } from '../../src/engine/memory-window.js';
import { resumeRun, runExperiment } from '../../src/engine/run.js';
import { ChannelDb } from '../../src/channel/db.js';
import { SMALL_YAML } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';

const YAML = SMALL_YAML.replace('timesteps: 6', 'timesteps: 10')
  .replace('recsys: { kind: popularity, refresh_every: 2, feed_size: 10, window: 4 }', 'recsys: { kind: popularity, refresh_every: 1, feed_size: 10, window: 1 }')
  .concat('platform: { memory_window: 2, trends: { algorithm: velocity, window: 1 } }\n');

describe('a run with a 2-step memory window', () => {
  it('when the experiment sets a window then it is never below what the recommender and trends read', () => {
    expect(memoryWindowOf(parseExperiment(YAML, 'w.yaml'))).toBe(2);
    expect(memoryWindowOf(parseExperiment(YAML.replace('memory_window: 2', 'memory_window: 1'), 'w.yaml'))).toBe(2);
    // Left out: a week of hourly steps.
    expect(memoryWindowOf(parseExperiment(SMALL_YAML, 's.yaml'))).toBe(168);
    expect(memoryWindowOf(parseExperiment(YAML.replace('memory_window: 2', 'memory_window: 1d'), 'w.yaml'))).toBe(24);
  });

  it('when the experiment leaves it out then a large run keeps no more steps than the post budget allows', () => {
    const small = parseExperiment(SMALL_YAML, 's.yaml');
    const withAccounts = (agents: number, exp = small) => ({ ...exp, cohorts: [{ ...exp.cohorts[0]!, count: agents - 80 }, exp.cohorts[1]!] });
    // The budget: 2 GiB at 512 bytes a post = 4,194,304 posts; a step adds 0.075 posts per
    // account (agents and the one seed account).
    // 300,000 agents: 22,500 posts a step, 186 steps fit: a week of hourly steps (168) stays.
    expect(memoryWindowOf(withAccounts(299_999))).toBe(168);
    // 500,000: 4,194,304 / 37,500 = 111.8 → 111 steps.
    expect(memoryWindowOf(withAccounts(499_999))).toBe(111);
    // 1,000,000: 4,194,304 / 75,000 = 55.9 → 55 steps (a week would keep 12.6 million posts).
    expect(memoryWindowOf(withAccounts(999_999))).toBe(55);
    // 10,000,000: 5.6 → 5 steps, below what trends read (twice its default 6-step window): 12.
    expect(memoryWindowOf(withAccounts(9_999_999))).toBe(12);
    // Quarter-hour steps: the week is 672 steps, the budget still 55.
    expect(memoryWindowOf(withAccounts(999_999, { ...small, clock: { ...small.clock, step_ms: 900_000 } }))).toBe(55);
    // Set explicitly, a window is kept as written, whatever the run's size.
    const set = parseExperiment(YAML.replace('memory_window: 2', 'memory_window: 168'), 'w.yaml');
    expect(memoryWindowOf(withAccounts(999_999, set))).toBe(168);
  });

  it('when it is stopped and resumed twice then its tables equal the uninterrupted run’s, with actions on posts older than the window', async () => {
    const exp = parseExperiment(YAML, 'w.yaml');
    const straight = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true });
    const paused = await runExperiment(exp, { resultsRoot: tempDir(), quiet: true, maxSteps: 3 });
    await resumeRun(paused.dir, { quiet: true, maxSteps: 4 });
    const done = await resumeRun(paused.dir, { quiet: true });
    expect(done.info).toMatchObject({ status: 'completed', steps_completed: 10, actions: straight.info.actions });
    expect(await tableChecksums(join(paused.dir, 'sim.duckdb'))).toEqual(await tableChecksums(join(straight.dir, 'sim.duckdb')));

    // Agents did act on posts the window had dropped (unlikes of old likes, mostly).
    const db = await ChannelDb.open(join(straight.dir, 'sim.duckdb'));
    const [old] = await db.query<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM trace t JOIN posts p ON p.post_id = CAST(t.args->>'post_id' AS BIGINT)
       WHERE t.ok AND p.created_step < t.step - 2`,
    );
    await db.close();
    expect(old!.n).toBeGreaterThan(0);
  });
});
