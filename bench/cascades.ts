/**
 * Cascade metrics at scale (issue #12): 10,000 tracked posts whose cascades hold 1,000,000
 * reposts with recorded paths, each paired with a real cascade, read the reference way (curves
 * on a 150-point minute axis, NRMSE per pair) by the same `compareCascades` the report calls.
 * Target: < 5 s with real cascades of 10 users (100,000 rows; the reference study's are 198
 * cascades); `-- 100` gives each real cascade 100 users (1,000,000 rows) for a heavier figure.
 *   npx tsx bench/cascades.ts [-- <users per real cascade>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { compareCascades } from '../src/analysis/nrmse.js';
import { withSimDb } from '../src/analysis/open.js';
import { DEFAULT_ANALYSIS } from '../src/analysis/settings.js';
import { CHANNEL_DDL, CHANNEL_MIGRATIONS } from '../src/channel/schema.js';

const CASCADES = 10_000;
const REPOSTS = 1_000_000;
const REAL_NODES = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10);
const USERS = 100_000;
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * A run of 1-minute steps: 10,000 labelled originals at step 0; each repost row k belongs to
 * post k mod 10,000, made by a distinct user at step 1 + k / 10,000 (100 reposts per post,
 * one a step), seen either as the original or as the post's previous repost (a chain), so the
 * trees have depth and breadth. Real cascades: 100 users each, parents drawn among earlier ones.
 */
async function build(path: string): Promise<void> {
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  for (const ddl of [...CHANNEL_DDL, ...CHANNEL_MIGRATIONS]) await c.run(ddl);
  await c.run(`SELECT setseed(0.42)`);
  await c.run(`INSERT INTO users SELECT range, 'u' || range, 'U', '', 'c', 'm', 'agent', '{}', 0 FROM range(${USERS})`);
  await c.run(`INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, label, root_id)
               SELECT range + 1, range % ${USERS}, 'source ' || range, 'original', NULL, 0, TIMESTAMP '2024-01-01', 'rumour', range + 1 FROM range(${CASCADES})`);
  await c.run(`INSERT INTO steps SELECT range, TIMESTAMP '2024-01-01' + to_minutes(range), 1, 1, 0 FROM range(${REPOSTS / CASCADES + 1})`);
  await c.run(`CREATE TEMP TABLE r AS SELECT range AS k, range % ${CASCADES} + 1 AS post, 1 + range // ${CASCADES} AS step,
                 (range % ${CASCADES} + 1 + (range // ${CASCADES}) * 7919 + 1) % ${USERS} AS u, random() < 0.5 AS chain FROM range(${REPOSTS})`);
  const first = CASCADES + 1;
  await c.run(`INSERT INTO reposts SELECT u, post, ${first} + k, step FROM r`);
  await c.run(`INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, via_post_id, via_source)
               SELECT ${first} + k, u, '', 'repost', post, step, TIMESTAMP '2024-01-01' + to_minutes(step),
                      CASE WHEN chain AND k >= ${CASCADES} THEN ${first} + k - ${CASCADES} ELSE post END, 'home' FROM r`);
  await c.run(`INSERT INTO dataset_posts (post_id, dataset_id, track) SELECT range + 1, 'real' || range, false FROM range(${CASCADES})`);
  await c.run(`INSERT INTO real_cascades SELECT 'real' || (range // ${REAL_NODES}), 'n' || (range % ${REAL_NODES}),
                 CASE WHEN range % ${REAL_NODES} = 0 THEN NULL ELSE 'n' || floor(random() * (range % ${REAL_NODES}))::INTEGER END,
                 (range % ${REAL_NODES}) * 60 * random() * 3, NULL FROM range(${CASCADES * REAL_NODES})`);
  c.closeSync();
  inst.closeSync();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-cascades-'));
  try {
    const path = join(dir, 'sim.duckdb');
    let t = performance.now();
    await build(path);
    console.log(`built ${fmt(CASCADES)} tracked posts, ${fmt(REPOSTS)} reposts, ${fmt(CASCADES)} real cascades of ${REAL_NODES} users in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const settings = { ...DEFAULT_ANALYSIS, track: { ...DEFAULT_ANALYSIS.track, top: 0 } };
    for (let round = 1; round <= 2; round++) {
      t = performance.now();
      const cpu = process.cpuUsage();
      const c = await withSimDb(path, (db) => compareCascades(db, settings));
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      const scale = c.summary.find((s) => s.metric === 'scale');
      console.log(
        `run ${round}: ${fmt(c.cascades.length)} cascades (${fmt(c.cascades.reduce((n, x) => n + x.nodes.length - 1, 0))} reposts), ${fmt(c.pairs.length / 3)} pairs with real cascades of ${REAL_NODES} users × 150 minutes: ` +
          `${fmt(ms / 1000, 2)} s wall, ${fmt((used.user + used.system) / 1e6, 2)} s CPU (target < 5 s); mean scale NRMSE ${scale?.mean?.toFixed(3)}; peak RSS ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
