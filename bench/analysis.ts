/**
 * The analysis suite at scale (issue #13): a run of 100,000 agents and 1,000,000 posts written
 * over 24 steps (topic words, template fillers, some #tags, links and emoji; every agent with a
 * stance on climate, for or against by user id), 10,000 real
 * posts from the dataset with their activity and follows, analysed by the same `analyzeRun`
 * that `socialsim analyze` calls. Prints the seconds of each analysis (from the file's own
 * `analyses` table), the total and the peak RSS. Target: < 60 s and < 4 GiB.
 *   npx tsx bench/analysis.ts [-- <posts>]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { withSimDb } from '../src/analysis/open.js';
import { analyzeRun } from '../src/analysis/store.js';
import { CHANNEL_DDL, CHANNEL_MIGRATIONS } from '../src/channel/schema.js';

const POSTS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const USERS = 100_000;
const REAL = 10_000;
const STEPS = 24;
const TOPICS = ['politics', 'climate', 'tech', 'sports', 'music', 'health', 'finance', 'travel'];
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function build(path: string): Promise<void> {
  const inst = await DuckDBInstance.create(path);
  const c = await inst.connect();
  for (const ddl of [...CHANNEL_DDL, ...CHANNEL_MIGRATIONS]) await c.run(ddl);
  const topics = `[${TOPICS.map((t) => `'${t}'`).join(', ')}]`;
  await c.run(`INSERT INTO users SELECT range, 'u' || range, 'U', 'Into ' || ${topics}[range % 8 + 1] || '.', 'c' || (range % 2), 'm', 'agent',
                 '{"interests":["' || ${topics}[range % 8 + 1] || '","' || ${topics}[(range // 8) % 8 + 1] || '"],"stance":{"climate":' || CASE WHEN (range // 8) % 2 = 0 THEN '0.8' ELSE '-0.8' END || '}}', 0 FROM range(${USERS})`);
  // Opening posts first (the real ones), then the run's.
  await c.run(`INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at, root_id)
               SELECT range + 1, range % ${USERS}, 'Real talk about ' || ${topics}[range % 8 + 1] || ' today http://x.example/' || range || ' 😀', 'original', 0,
                      TIMESTAMP '2023-12-31' + to_seconds(range * 37), range + 1 FROM range(${REAL})`);
  await c.run(`INSERT INTO dataset_posts SELECT range + 1, 'd' || range, false, TIMESTAMP '2023-12-31' + to_seconds(range * 37) FROM range(${REAL})`);
  await c.run(`INSERT INTO real_posts SELECT range % ${USERS}, 'original', TIMESTAMP '2023-12-31' + to_seconds(range * 37) FROM range(${REAL})`);
  await c.run(`INSERT INTO real_follows SELECT range % ${USERS}, (range * 7919) % ${USERS} FROM range(${REAL * 3})`);
  await c.run(`INSERT INTO meta VALUES ('opening_posts', '${REAL}')`);
  const words = `['is', 'overrated', 'matters', 'more', 'than', 'people', 'think', 'new', 'take', 'on', 'deserves', 'a', 'closer', 'look', 'wild', 'news']`;
  await c.run(`INSERT INTO posts (post_id, author_id, text, kind, created_step, created_at, root_id)
               SELECT ${REAL} + range + 1, (range * 31) % ${USERS},
                      'Hot ' || ${words}[(hash(range) % 16)::BIGINT + 1] || ' ' || ${words}[(hash(range + 7) % 16)::BIGINT + 1] || ' about ' || ${topics}[(range * 31) % 8 + 1]
                        || CASE WHEN range % 3 = 0 THEN ' #' || ${topics}[(range * 31) % 8 + 1] ELSE '' END || CASE WHEN range % 11 = 0 THEN ' 🔥' ELSE '' END,
                      'original', range % ${STEPS}, TIMESTAMP '2024-01-01' + to_hours(range % ${STEPS}), ${REAL} + range + 1 FROM range(${POSTS})`);
  await c.run(`INSERT INTO follows SELECT range % ${USERS}, (range * 104729) % ${USERS}, 0 FROM range(${USERS * 10})`);
  await c.run(`INSERT INTO steps SELECT range, TIMESTAMP '2024-01-01' + to_hours(range), 1, 1, 0 FROM range(${STEPS})`);
  c.closeSync();
  inst.closeSync();
}

const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-analysis-'));
try {
  let t = performance.now();
  await build(join(dir, 'sim.duckdb'));
  process.stdout.write(`built ${fmt(USERS)} agents, ${fmt(POSTS)} posts, ${fmt(REAL)} real posts in ${fmt((performance.now() - t) / 1000, 1)} s\n`);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  t = performance.now();
  await analyzeRun(dir);
  const total = (performance.now() - t) / 1000;
  clearInterval(timer);
  const rows = await withSimDb(join(dir, 'analysis.duckdb'), (db) => db.query<{ name: string; rows: number; seconds: number }>('SELECT name, rows, seconds FROM analyses'));
  for (const r of rows) process.stdout.write(`${r.name.padEnd(12)} ${fmt(r.seconds, 1).padStart(6)} s  ${fmt(r.rows)} rows\n`);
  process.stdout.write(`total        ${fmt(total, 1).padStart(6)} s (with writing analysis.duckdb); peak RSS ${fmt(peak / 2 ** 30, 2)} GiB\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
