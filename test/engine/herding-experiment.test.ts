import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { herdingResult } from '../../src/analysis/herding.js';
import { withSimDb } from '../../src/analysis/open.js';
import { loadExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/engine/run.js';
import { herdingSweepSection } from '../../src/sweep/herding.js';
import { readRunMetrics, type IndexRow } from '../../src/sweep/index-db.js';
import { meanInterval } from '../../src/sweep/stats.js';
import { tempDir } from '../helpers/tmp.js';
import { renderLines } from '../helpers/vega.js';

const FILE = new URL('../../experiments/herding.yaml', import.meta.url).pathname;
// The reference experiment shrunk to stay fast: 300 agents, 12 steps, posts of steps 0-5 followed 6 steps.
const SHRUNK = ['cohorts[0].count=300', 'clock.timesteps=12', 'herding.until_step=5'];
const SEEDS = [1, 2, 3];

describe('experiments/herding.yaml', () => {
  it('when it runs over several seeds then an initial up-vote raises the agents’ later net score and a down-vote moves it less', async () => {
    const root = tempDir();
    const runs: IndexRow[] = [];
    const up: number[] = [];
    const down: number[] = [];
    for (const seed of SEEDS) {
      const { dir, info } = await runExperiment(loadExperiment(FILE, { overrides: SHRUNK, seed }), { resultsRoot: root, quiet: true });
      const r = await withSimDb(join(dir, 'sim.duckdb'), (db) => herdingResult(db));
      const effect = (arm: 'up' | 'down') => r!.effects.find((e) => e.arm === arm && e.measure === 'agents')!.diff;
      up.push(effect('up'));
      down.push(effect('down'));
      // Every seed on its own: up beats control, by more than down differs from it.
      expect(effect('up')).toBeGreaterThan(0);
      expect(Math.abs(effect('down'))).toBeLessThan(effect('up'));
      // The sweep index carries the same differences.
      const metrics = await readRunMetrics(dir, info.wall_ms);
      expect(metrics.herding_up_effect).toBe(effect('up'));
      expect(metrics.herding_down_effect).toBe(effect('down'));
      runs.push({ run_id: info.run_id, status: 'completed', seed, config_hash: info.config_hash, run_dir: dir, params: { seed }, metrics, error: null });
    }
    // Over seeds: the up effect's 95 % interval lies above 0 and above the down effect's size.
    const u = meanInterval(up);
    const d = meanInterval(down);
    expect(u.lo).toBeGreaterThan(0);
    expect(Math.abs(d.mean)).toBeLessThan(u.lo);

    const section = await herdingSweepSection(['seed'], runs);
    expect(section!.html).toContain('<h3>Net score 6 steps after treatment (3 runs)</h3>');
    expect(section!.html).toContain(`<td>up − control</td><td class="num">3</td><td class="num">${u.mean.toFixed(2)} [${u.lo.toFixed(2)}, ${u.hi.toFixed(2)}]</td>`);
    const { messages, lines } = await renderLines(section!.spec!);
    expect(messages).toEqual([]);
    expect(lines).toEqual([7, 7, 7, 7, 7, 7]); // 2 measures × 3 arms, ages 0-6
  });
});
