import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IndexRow, RunMetrics } from '../../src/sweep/index-db.js';
import { cellText, evaluationTable, tableCsv, tableMarkdown } from '../../src/sweep/recsys-table.js';
import { writeSweepReport } from '../../src/sweep/report.js';
import { tempDir } from '../helpers/tmp.js';

const BASE: RunMetrics = { agents: 10, actions: 100, failed_actions: 0, posts: 5, likes: 3, reposts: 1, follows: 2, mean_likes_per_post: 0.5, share_posts_liked: 0.2, p_view: null, n_like: null, p_like: null, n_exit: null, s_sat: null, cross_cutting_shown: null, cross_cutting_liked: null, herding_up_effect: null, herding_down_effect: null, wall_ms: 1000 };

function row(kind: string, seed: number, m: Partial<RunMetrics>, status = 'completed'): IndexRow {
  return { run_id: `${kind}-${seed}`, status, seed, config_hash: 'h', run_dir: '/x', params: { 'recsys.kind': kind, seed }, metrics: { ...BASE, ...m }, error: null };
}

const browse = (p: number, sat: number): Partial<RunMetrics> => ({ p_view: p, n_like: p * 10, p_like: p / 2, n_exit: 1 + p, s_sat: sat });

describe('recommender evaluation table', () => {
  it('when runs of two recommenders over seeds are given then each cell is the mean with its t-interval and the best mean is marked', () => {
    const rows = [row('random', 1, browse(0.1, 3)), row('random', 2, browse(0.3, 5)), row('mf', 1, browse(0.4, 4)), row('mf', 2, browse(0.6, 4))];
    const t = evaluationTable(['recsys.kind', 'seed'], rows)!;
    expect(t.rows.map((r) => r.label)).toEqual(['random', 'mf']);
    const [random, mf] = t.rows;
    expect(random!.cells[0]!.mean).toBeCloseTo(0.2, 12);
    // t(0.975, 1) = 12.706; sd of {0.1, 0.3} = 0.1414..; half-width = 12.706 × 0.1414 / √2 = 1.2706,
    // so 0.2 ± 1.27, clipped to what a share can be: 0..1.
    expect([random!.cells[0]!.lo, random!.cells[0]!.hi]).toEqual([0, 1]);
    // S_sat {3, 5}: 4 ± 12.706, clipped to the rating's 1..10.
    expect([random!.cells[4]!.lo, random!.cells[4]!.hi]).toEqual([1, 10]);
    expect(mf!.cells[0]!.best).toBe(true);
    expect(random!.cells[0]!.best).toBe(false);
    // S_sat: random 4 vs mf 4 — a tie marks both.
    expect(random!.cells[4]!.best && mf!.cells[4]!.best).toBe(true);
    expect(cellText(mf!.cells[0]!)).toMatch(/^0\.5000 \[.+\] ★$/);
  });

  it('when runs failed or browse mode was off then they are left out, and no browse run at all gives no table', () => {
    const rows = [row('random', 1, browse(0.2, 3)), row('random', 2, browse(0.9, 9), 'failed'), row('mf', 1, {})];
    const t = evaluationTable(['recsys.kind', 'seed'], rows)!;
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0]!.cells[0]!.n).toBe(1);
    expect(evaluationTable(['recsys.kind'], [row('mf', 1, {})])).toBeNull();
  });

  it('when written then the Markdown and CSV carry every recommender and metric', () => {
    const t = evaluationTable(['recsys.kind', 'seed'], [row('random', 1, browse(0.1, 3)), row('trace', 1, browse(0.5, 7))])!;
    const md = tableMarkdown(t);
    expect(md.split('\n')[0]).toBe('| recommender | P_view | N_like | P_like | N_exit | S_sat |');
    expect(md).toContain('| trace | 0.5000 **★** |');
    const csv = tableCsv(t).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]!.split(',')).toHaveLength(1 + 5 * 5);
    expect(csv[2]!.split(',').slice(0, 2)).toEqual(['trace', '0.5']);
  });

  it('when the sweep report is written for browse runs then it has the table section and the files beside it', async () => {
    const dir = tempDir();
    const rows = [row('random', 1, browse(0.1, 3)), row('popularity', 1, browse(0.2, 4))];
    const file = await writeSweepReport(dir, ['recsys.kind', 'seed'], rows, '2024-01-01T00:00:00Z');
    expect(readFileSync(file, 'utf8')).toContain('Recommender evaluation');
    expect(existsSync(join(dir, 'recsys-table.md'))).toBe(true);
    expect(readFileSync(join(dir, 'recsys-table.csv'), 'utf8')).toContain('popularity,0.2,');
  });
});
