import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSweep } from '../../src/sweep/rereport.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { tempDir } from '../helpers/tmp.js';

const COMPARE = `
name: tiny-compare
seed: 3
clock: { timesteps: 4, step: 1h, start: 2024-06-17T08:00:00Z }
dataset: { generate: { topics: [politics, tech, music], interests_per_agent: 1, initial_posts_per_agent: 2 } }
models:
  stat: { provider: statistical, post_prob: 0.3, like_base: 0.2 }
cohorts:
  - { name: all, count: 40, model: stat, activity: 0.8 }
recsys: { kind: popularity, feed_size: 8 }
browse: { page_size: 4, max_pages: 2 }
report: { auto: false } # the sweep's tables are under test, not each run's report.html
sweep:
  matrix:
    recsys.kind: [random, mf]
  seeds: [1, 2]
`;

describe('recommender comparison sweep', () => {
  it('when a browse-mode sweep over kinds finishes then the table has a row per kind, and report <sweep-dir> writes it again from the runs', async () => {
    const dir = tempDir();
    const file = join(dir, 'compare.yaml');
    writeFileSync(file, COMPARE);
    const out = await runSweep(file, { resultsRoot: join(dir, 'results'), parallel: 2, quiet: true });
    expect(out.runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const md = readFileSync(join(out.dir, 'recsys-table.md'), 'utf8');
    expect(md).toMatch(/^\| random \| \d\.\d{4} \[/m);
    expect(md).toMatch(/^\| mf \| \d\.\d{4} \[/m);

    rmSync(join(out.dir, 'recsys-table.md'));
    rmSync(join(out.dir, 'recsys-table.csv'));
    const report = await reportSweep(out.dir);
    expect(readFileSync(report, 'utf8')).toContain('Recommender evaluation');
    expect(readFileSync(join(out.dir, 'recsys-table.md'), 'utf8')).toBe(md);
    expect(existsSync(join(out.dir, 'recsys-table.csv'))).toBe(true);
  });
});
