/**
 * Dataset benchmarks (issue #6): loading 100k users and 1M follow edges from CSV and Parquet, and generating
 * 100k personas with their follow graph (both graph models).
 *   npx tsx bench/data.ts
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { DuckDBInstance } from '@duckdb/node-api';
import { Rng } from '../src/common/rng.js';
import type { GenerateConfig } from '../src/config/types.js';
import { loadDataset } from '../src/data/dataset.js';
import { generateFollowGraph } from '../src/data/follow-graph.js';
import { generatePersonas } from '../src/data/personas.js';

const USERS = 100_000;
const EDGES = 1_000_000;
const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance'];
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mb = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MB`;

/** Peak resident memory while `fn` runs, sampled every 10 ms (plus the start and the end). */
async function measured<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; cpuMs: number; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  clearInterval(timer);
  return { value, ms, cpuMs: (used.user + used.system) / 1000, peakRss: Math.max(peak, process.memoryUsage.rss()) };
}

/** Wall time, and CPU time (the fairer figure on a shared, loaded machine). */
const times = (m: { ms: number; cpuMs: number }): string => `${fmt(m.ms)} ms wall, ${fmt(m.cpuMs)} ms CPU`;

/** Writes lines through a stream, awaiting drain, so writing 1M rows does not buffer them all. */
async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  if (!out.write(`${header}\n`)) await once(out, 'drain');
  for (let i = 0; i < count; i++) if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-data-'));
  try {
    const rng = new Rng(7);
    await writeLines(join(dir, 'users.csv'), 'user_id,screen_name,name,description,created_at,followers_count,friends_count,location', USERS, (i) => {
      const t = rng.pick(TOPICS);
      return `${1_000_000_000 + i},user_${i},User ${i},"Into ${t}, mostly. Says ""hi"".",${1_500_000_000 + i * 60},${rng.int(5000)},${rng.int(900)},City ${i % 300}`;
    });
    // Distinct pairs without a set: follower i follows i + k·7919 + 1 (mod USERS) for k < 10.
    await writeLines(join(dir, 'follows.csv'), 'src,dst', EDGES, (e) => {
      const a = Math.floor(e / 10);
      return `${1_000_000_000 + a},${1_000_000_000 + ((a + (e % 10) * 7919 + 1) % USERS)}`;
    });
    const baseline = process.memoryUsage.rss();
    const sizes = ['users.csv', 'follows.csv'].map((f) => `${f} ${mb(statSync(join(dir, f)).size)}`).join(', ');

    const load = await measured(() =>
      loadDataset(
        {
          generate: { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 0, homophily: 0, initial_posts_per_agent: 0 },
          users: { path: 'users.csv', columns: { id: 'user_id', username: 'screen_name', following_count: 'friends_count' }, on_bad_row: 'fail' },
          follows: { path: 'follows.csv', columns: { follower: 'src', followee: 'dst' }, on_bad_row: 'fail' },
        },
        dir,
      ),
    );
    const users = load.value.users?.rows.length ?? 0;
    const follows = load.value.follows?.count ?? 0;
    const rows = users + follows;
    console.log(`Load CSV (${sizes}): ${fmt(users)} users + ${fmt(follows)} follows in ${times(load)} = ${fmt(rows / (load.ms / 1000))} rows/s wall; peak RSS ${mb(load.peakRss)} (${mb(baseline)} before)`);

    // The same tables as Parquet (typed: BIGINT ids), written by DuckDB.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const t of ['users', 'follows']) await connection.run(`COPY (SELECT * FROM read_csv('${join(dir, `${t}.csv`)}')) TO '${join(dir, `${t}.parquet`)}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    const parquetSizes = ['users.parquet', 'follows.parquet'].map((f) => `${f} ${mb(statSync(join(dir, f)).size)}`).join(', ');
    const pq = await measured(() =>
      loadDataset(
        {
          generate: { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 0, homophily: 0, initial_posts_per_agent: 0 },
          users: { path: 'users.parquet', columns: { id: 'user_id', username: 'screen_name', following_count: 'friends_count' }, on_bad_row: 'fail' },
          follows: { path: 'follows.parquet', columns: { follower: 'src', followee: 'dst' }, on_bad_row: 'fail' },
        },
        dir,
      ),
    );
    const pqRows = (pq.value.users?.rows.length ?? 0) + (pq.value.follows?.count ?? 0);
    console.log(`Load Parquet (${parquetSizes}): ${fmt(pqRows)} rows in ${times(pq)} = ${fmt(pqRows / (pq.ms / 1000))} rows/s wall; peak RSS ${mb(pq.peakRss)}`);

    const gen: GenerateConfig = { topics: TOPICS, interests_per_agent: 2, follows_per_agent: 10, homophily: 0.7, initial_posts_per_agent: 1, stance_topics: ['politics'], polarization: 0.7 };
    const cohorts = [{ name: 'all', count: USERS, model: 'stat', personas: 'generated' as const, activity: 0.2 }];
    const personas = await measured(() => generatePersonas(1, cohorts, gen));
    console.log(`Generate ${fmt(USERS)} personas: ${times(personas)}; peak RSS ${mb(personas.peakRss)}`);
    for (const model of ['influence', 'preferential'] as const) {
      const graph = await measured(() => generateFollowGraph(1, personas.value, gen.follows_per_agent, gen.homophily, { model, stanceHomophily: 0.3 }));
      console.log(`Generate follow graph (${model}): ${fmt(graph.value.length)} edges in ${times(graph)}; peak RSS ${mb(graph.peakRss)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
