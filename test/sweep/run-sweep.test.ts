import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMetrics } from '../../src/sweep/index-db.js';
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { withSimDb } from '../../src/analysis/open.js';
import { runTotals } from '../../src/analysis/summary.js';
import { sweepSpecs } from '../../src/sweep/report.js';
import { runSweep, type SweepFile } from '../../src/sweep/run-sweep.js';
import { tempDir } from '../helpers/tmp.js';

const TINY = `
name: tiny-sweep
seed: 3
clock: { timesteps: 3, step: 1h, start: 2024-06-17T08:00:00Z }
models:
  stat: { provider: statistical, post_prob: 0.3, like_base: 0.2 }
cohorts:
  - { name: all, count: 30, model: stat, activity: 0.6 }
recsys: { kind: popularity }
sweep:
  matrix:
    recsys.kind: [random, popularity]
  seeds: [1, 2]
`;

/** A row of sweep.duckdb's runs table: the run's metrics plus its identity and parameter. */
interface IndexedRun extends RunMetrics {
  run_id: string;
  status: string;
  seed: number;
  'recsys.kind': string;
  run_dir: string;
}

describe('runSweep', () => {
  it('when a 2 × 2 sweep runs in parallel then 4 runs complete, the index and report hold them, and a second sweep skips them all', async () => {
    const dir = tempDir();
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY);
    const root = join(dir, 'results');

    const dry = await runSweep(file, { resultsRoot: root, parallel: 2, dryRun: true });
    expect(dry.runs.map((r) => r.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(() => readdirSync(root)).toThrow(); // a dry run writes nothing

    const lines: string[] = [];
    const out = await runSweep(file, { resultsRoot: root, parallel: 2, log: (l) => lines.push(l) });
    expect(out.runs.map((r) => [r.params['recsys.kind'], r.seed, r.status])).toEqual([
      ['random', 1, 'completed'],
      ['random', 2, 'completed'],
      ['popularity', 1, 'completed'],
      ['popularity', 2, 'completed'],
    ]);
    expect(out.dir).toBe(join(root, 'tiny-sweep', `sweep-${dry.sweepId}`));
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => /^\[\d\/4\] recsys\.kind=\w+ seed=\d completed \d+\.\d s$/.test(l))).toBe(true);
    const folders = readdirSync(join(root, 'tiny-sweep')).sort();
    expect(folders).toEqual([...out.runs.map((r) => r.run_id), `sweep-${out.sweepId}`].sort());

    const info = JSON.parse(readFileSync(join(out.dir, 'sweep.json'), 'utf8')) as SweepFile;
    expect(info.params).toEqual(['recsys.kind', 'seed']);
    expect(info.runs.map((r) => r.run_id)).toEqual(dry.runs.map((r) => r.run_id));

    const indexed = await withSimDb(join(out.dir, 'sweep.duckdb'), (db) => db.query<IndexedRun>('SELECT * FROM runs ORDER BY "recsys.kind" DESC, seed'));
    expect(indexed).toHaveLength(4);
    for (const row of indexed) {
      expect(row.status).toBe('completed');
      // Each child writes its run's report, as socialsim run does (report.auto; the other sweep tests turn it off).
      expect(readFileSync(join(row.run_dir, 'report.html'), 'utf8')).toContain('<html');
      const runJson = JSON.parse(readFileSync(join(row.run_dir, 'run.json'), 'utf8')) as { seed: number; wall_ms: number };
      expect(runJson.seed).toBe(row.seed);
      expect(row.wall_ms).toBe(runJson.wall_ms);
      const totals = await withSimDb(join(row.run_dir, 'sim.duckdb'), (db) => runTotals(db));
      const { agents, actions, failed_actions, posts, likes, reposts, follows } = row;
      expect({ agents, actions, failed_actions, posts, likes, reposts, follows }).toEqual({
        agents: totals.agents, actions: totals.actions, failed_actions: totals.failed_actions, posts: totals.posts, likes: totals.likes, reposts: totals.reposts, follows: totals.follows,
      });
      const liked = await withSimDb(join(row.run_dir, 'sim.duckdb'), (db) =>
        db.one<{ n: number; liked: number; l: number }>(`SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE post_id IN (SELECT post_id FROM likes))::INTEGER AS liked,
          (SELECT count(*) FROM likes WHERE post_id IN (SELECT post_id FROM posts WHERE kind = 'original'))::INTEGER AS l FROM posts WHERE kind = 'original'`));
      expect(row.mean_likes_per_post).toBeCloseTo(liked!.l / liked!.n, 9);
      expect(row.share_posts_liked).toBeCloseTo(liked!.liked / liked!.n, 9);
    }

    const html = readFileSync(join(out.dir, 'sweep-report.html'), 'utf8');
    const specs = JSON.parse(/<script type="application\/json" id="socialsim-specs">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;
    expect(Object.keys(specs)).toEqual(['by-recsys-kind', 'over-time']);
    for (const r of out.runs) expect(html).toContain(`<a href="../${r.run_id}/report.html">${r.run_id}</a>`);
    expect(html).toContain('data-lib="vega-lite@');
    for (const { spec } of sweepSpecs(info.params, out.runs)) expect(() => compile(spec)).not.toThrow();

    const again: string[] = [];
    const second = await runSweep(file, { resultsRoot: root, parallel: 2, log: (l) => again.push(l) });
    expect(second.dir).toBe(out.dir);
    expect(second.runs.every((r) => r.status === 'completed')).toBe(true);
    expect(again).toHaveLength(4);
    expect(again.every((l) => l.endsWith('skipped (completed)'))).toBe(true);
    expect(readdirSync(join(root, 'tiny-sweep')).sort()).toEqual(folders);
  });
});
