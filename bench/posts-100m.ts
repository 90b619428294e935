/**
 * A channel with 100 million posts (issue #17, item 4): a refresh, a search and a step over it
 * must stay within the 1M-agent targets (a step < 30 s, peak memory < 12 GiB), since only the
 * memory window is in memory (channel/window.ts).
 *   npm run bench:posts-100m                                   100,000,000 posts, 1,000,000 agents
 *   npm run bench:posts-100m -- --posts 10000000 --agents 100000
 *   … --per-step 75000 (posts a step: sets how many steps the history spans) --keep (leave the folder)
 * The quickstart's experiment scaled to the agents with `platform.memory_window: 12` (its
 * recsys window is 6 steps, trends 6). Setup as `socialsim run` makes it (personas, the
 * step-0 dataset imported), then the posts, likes and reposts of the earlier steps generated
 * straight into sim.duckdb by SQL over range() with hash-based columns, and `steps` rows for
 * them, so the channel is a run paused after its last history step. Then, in a process of
 * its own started with the heap `socialsim run` would choose (its peak RSS is the run's, not
 * the generator's): the channel opened as a resume opens it (the window rebuilt), a
 * recommender refresh, searches, and the next step, each timed, with peak JS heap and RSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createPolicies } from '../src/agents/policies.js';
import { Channel } from '../src/channel/channel.js';
import { estimateRun, gib, heapFlagsFor } from '../src/config/capacity.js';
import { parseExperiment } from '../src/config/load.js';
import type { Experiment } from '../src/config/types.js';
import { SimClock } from '../src/engine/clock.js';
import { memoryWindowOf } from '../src/engine/memory-window.js';
import { buildPopulation, initialDataset } from '../src/engine/setup.js';
import { simulate } from '../src/engine/simulate.js';
import { recommenderFor } from '../src/recsys/registry.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const posts = option('posts', 100_000_000);
const agents = option('agents', 1_000_000);
const perStep = option('per-step', 75_000);
/** Steps of history before the measured step. */
const history = Math.max(1, Math.ceil(posts / perStep));
const measureDir = args.includes('--measure') ? args[args.indexOf('--measure') + 1]! : null;

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const n = (x: number): string => x.toLocaleString('en-US');
const HOUR = 3_600_000;

function experimentYaml(): Record<string, unknown> {
  const q = parse(readFileSync(new URL('../experiments/quickstart.yaml', import.meta.url), 'utf8')) as { cohorts: { count: number }[]; clock: Record<string, unknown>; platform?: Record<string, unknown> } & Record<string, unknown>;
  q.cohorts[0]!.count = agents;
  // The measured step (the one after the history) falls at midday, the diurnal profile's busy hours.
  q.clock = { ...q.clock, timesteps: history + 1, start: new Date(Date.parse('2024-06-17T12:00:00Z') - history * HOUR).toISOString() };
  q.platform = { ...(q.platform ?? {}), memory_window: 12 };
  q.report = { auto: false };
  return q;
}

const yaml = experimentYaml();
const exp: Experiment = parseExperiment(JSON.stringify(yaml), 'bench.yaml');

/** A word of a 5,000-word vocabulary, skewed to the low ids (a product of two uniforms), from hash(i, k). */
const word = (k: number): string => `'w' || ((hash(i, ${k}) % 5000) * (hash(i, ${k + 100}) % 5000) // 5000)`;
const TOPICS = `['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance']`;

/**
 * Synthetic post i (0-based) of the history: id `base + i`, step i // perStep, one in five a
 * repost of a post of the last ten steps, the others eight words and a #topic; 0–2 likes on
 * each original by distinct agents, in its step or up to two later. All columns from hash(i, k).
 */
async function generate(channel: Channel, base: number): Promise<void> {
  const db = channel.db;
  const start = exp.clock.start;
  const chunk = 5_000_000;
  const t0 = performance.now();
  for (let lo = 0; lo < posts; lo += chunk) {
    const hi = Math.min(posts, lo + chunk);
    const rows = `SELECT ${base} + i AS id, i, (hash(i, 1) % ${agents})::INTEGER AS author, i > 0 AND hash(i, 2) % 5 = 0 AS rp,
        ${base} + i - 1 - (hash(i, 3) % greatest(1, least(i, ${10 * perStep})))::BIGINT AS parent, (i // ${perStep})::INTEGER AS step
      FROM range(${lo}, ${hi}) t(i)`;
    await db.exec(`INSERT INTO posts (post_id, author_id, text, kind, parent_id, created_step, created_at, label, root_id, via_post_id)
      SELECT id, author,
        CASE WHEN rp THEN '' ELSE concat_ws(' ', ${[4, 5, 6, 7, 8, 9, 10, 11].map(word).join(', ')}, '#' || ${TOPICS}[(hash(i, 12) % 10 + 1)::INTEGER]) END,
        CASE WHEN rp THEN 'repost' ELSE 'original' END, CASE WHEN rp THEN parent END, step,
        TIMESTAMP '${start.replace('T', ' ').replace('Z', '')}' + to_hours(step), NULL, CASE WHEN rp THEN NULL ELSE id END, CASE WHEN rp THEN parent END
      FROM (${rows})`);
    await db.exec(`INSERT INTO reposts SELECT author, parent, id, step FROM (${rows}) WHERE rp`);
    await db.exec(`INSERT INTO likes
      SELECT CASE WHEN k = 0 THEN u0 ELSE (u0 + 1 + hash(i, 32) % ${Math.max(1, agents - 1)}) % ${agents} END::INTEGER, id, least(${history - 1}, step + hash(i, 33) % 3)::INTEGER
      FROM (SELECT *, hash(i, 31) % ${agents} AS u0, hash(i, 30) % 3 AS likes FROM (${rows}) WHERE NOT rp) p, range(2) r(k) WHERE k < likes`);
    process.stdout.write(`\r  generated ${n(hi)} posts (${s(performance.now() - t0)})`);
  }
  await db.exec(`INSERT INTO steps SELECT s::INTEGER, TIMESTAMP '${start.replace('T', ' ').replace('Z', '')}' + to_hours(s), 0, 0, 0 FROM range(${history}) t(s)`);
  await db.exec('CHECKPOINT');
  process.stdout.write('\n');
}

async function makeChannel(path: string): Promise<void> {
  const t0 = performance.now();
  const population = await buildPopulation(exp);
  const channel = await Channel.open(path, { agents });
  await channel.importDataset(initialDataset(exp, population), new SimClock(exp.clock).timeOf(0));
  const t1 = performance.now();
  console.log(`  setup (personas, dataset import)   ${s(t1 - t0)}`);
  await generate(channel, channel.state.nextPostId);
  const [totals] = await channel.db.query<{ posts: number; likes: number }>('SELECT (SELECT count(*) FROM posts)::DOUBLE AS posts, (SELECT count(*) FROM likes)::DOUBLE AS likes');
  await channel.close();
  console.log(`  generated in                       ${s(performance.now() - t1)}: ${n(totals!.posts)} posts, ${n(totals!.likes)} likes, sim.duckdb ${gib(statSync(path).size)}`);
}

async function setup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-posts-'));
  const path = join(dir, 'sim.duckdb');
  console.log(`\n${n(posts)} posts over ${n(history)} steps (${n(perStep)} a step) · ${n(agents)} agents · memory window ${memoryWindowOf(exp)} steps`);
  try {
    // In a function of its own: the population and the mirror are garbage before the measuring process starts.
    await makeChannel(path);
    const heap = heapFlagsFor(estimateRun(yaml)) ?? [];
    const child = spawn(process.execPath, [...process.execArgv, ...heap, ...process.argv.slice(1), '--measure', dir], { stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) process.exitCode = code ?? 1;
  } finally {
    if (args.includes('--keep')) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string): Promise<void> {
  let peakHeap = 0;
  const sample = (): void => void (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const sampler = setInterval(sample, 50);
  try {
    const t0 = performance.now();
    const channel = await Channel.open(join(dir, 'sim.duckdb'), { memoryWindow: memoryWindowOf(exp), agents });
    const t1 = performance.now();
    console.log(`  open as a resume (window rebuilt)  ${s(t1 - t0)}: ${n(channel.state.posts.size)} posts in the mirror from id ${n(channel.state.windowStart)}, search index ${n(channel.state.postIndex.size)} docs`);
    const population = await buildPopulation(exp);
    const t2 = performance.now();
    const snapshot = await channel.snapshot(history, exp.recsys.window);
    const t3 = performance.now();
    recommenderFor(exp).refresh(snapshot);
    const t4 = performance.now();
    console.log(`  recommender refresh                ${s(t4 - t2)}: snapshot ${s(t3 - t2)} (${n(snapshot.posts.length)} candidates) · ${exp.recsys.kind} ${s(t4 - t3)}`);
    const batch = channel.beginStep(history, new SimClock(exp.clock).timeOf(history));
    const times: number[] = [];
    let found = 0;
    for (let q = 0; q < 20; q++) {
      const query = q % 2 === 0 ? `w${q} w${q * 37} #tech` : `w${(q * 131) % 5000}`;
      const ts = performance.now();
      const got = channel.apply(batch, q, { action: 'search_posts', args: { query, limit: 10 } });
      times.push(performance.now() - ts);
      if (!got.ok) throw new Error(`search failed: ${got.error}`);
      found += (got.result?.posts as unknown[] | undefined)?.length ?? 0;
    }
    times.sort((a, b) => a - b);
    console.log(`  search_posts (BM25 over the window) median ${times[10]!.toFixed(1)} ms, max ${times[19]!.toFixed(1)} ms (20 queries, ${found} results)`);
    await simulate({
      experiment: exp,
      channel,
      population,
      recommender: recommenderFor(exp),
      policies: createPolicies(exp),
      onStep: (r) => {
        const p = r.phases;
        console.log(
          `  step ${r.step}                          ${s(r.wallMs)}: snapshot ${s(p.snapshot)} · recsys ${s(p.recsys)} · decide ${s(p.decide)} · apply ${s(p.apply)} · commit ${s(p.commit)}` +
            ` (${n(r.activeAgents)} active, ${n(r.actions)} actions)`,
        );
      },
    });
    console.log(`  mirror after the step              ${n(channel.state.posts.size)} posts from id ${n(channel.state.windowStart)}`);
    await channel.close();
    sample();
    console.log(`  peak JS heap                       ${gib(peakHeap)}`);
    console.log(`  peak RSS                           ${gib(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    clearInterval(sampler);
  }
}

if (measureDir) await measure(measureDir);
else await setup();
