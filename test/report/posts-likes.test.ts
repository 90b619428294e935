import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { runExperiment } from '../../src/engine/run.js';
import { postsLikesSection } from '../../src/report/sections/posts-likes.js';
import { buildReport } from '../../src/report/write.js';
import { smallExperiment } from '../helpers/experiment.js';
import { tempDir } from '../helpers/tmp.js';
import { renderLines } from '../helpers/vega.js';

interface Point {
  step: number;
  posts: number;
  likes: number;
}

async function section(dir: string): Promise<{ description: string; values: Point[]; spec: Parameters<typeof renderLines>[0] }> {
  const [s] = (await buildReport(dir, { sections: [postsLikesSection] })).sections;
  expect(s!.error).toBeUndefined();
  const spec = s!.spec!;
  // A copy: rendering adds vega's ids to the spec's own rows.
  const values = JSON.parse(JSON.stringify((spec as unknown as { data: { values: Point[] } }).data.values)) as Point[];
  return { description: s!.description ?? '', values, spec };
}

describe('posts and likes section', () => {
  it('when a run opens with imported posts then posts per step count only the posts made in each step (also in an older run without meta opening_posts), and the description says so', async () => {
    // 200 agents with one opening post each (dataset.generate.initial_posts_per_agent: 1).
    const { dir } = await runExperiment(smallExperiment(), { resultsRoot: tempDir(), quiet: true });
    const db = join(dir, 'sim.duckdb');
    // What the trace says was posted in each step: originals, quotes and replies that were applied.
    const made = await withSimDb(db, (d) =>
      d.query<{ step: number; n: number }>(`SELECT step::INTEGER AS step, count(*)::INTEGER AS n FROM trace
        WHERE ok AND action IN ('create_post', 'quote_post', 'reply') GROUP BY step ORDER BY step`),
    );
    const opening = await withSimDb(db, (d) => d.one<{ n: number }>(`SELECT value::INTEGER AS n FROM meta WHERE key = 'opening_posts'`));
    expect(opening!.n).toBeGreaterThanOrEqual(200);

    const { description, values, spec } = await section(dir);
    const byStep = new Map(made.map((m) => [m.step, m.n]));
    expect(values.map((v) => [v.step, v.posts])).toEqual(values.map((v) => [v.step, byStep.get(v.step) ?? 0]));
    expect(values[0]!.step).toBe(0);
    expect(values[0]!.posts).toBeLessThan(100); // not the 200 opening posts plus step 0's own
    expect(description).toContain(`The ${opening!.n} opening posts imported before step 0`);
    expect((await renderLines(spec)).messages).toEqual([]);

    // A run written before meta had opening_posts: opening posts are the step-0 posts no action created.
    const inst = await DuckDBInstance.create(db);
    const conn = await inst.connect();
    await conn.run(`DELETE FROM meta WHERE key = 'opening_posts'`);
    conn.closeSync();
    inst.closeSync();
    const older = await section(dir);
    expect(older.values).toEqual(values);
    expect(older.description).toContain(`The ${opening!.n} opening posts imported before step 0`);
  });
});
