/**
 * Platform benchmarks (issue #3): BM25 search latency at 100k and 1M posts, trends over a
 * 1M-post window, and mixed-action apply throughput into DuckDB.
 *   npm run bench:platform                                  # everything, at 100k and 1M posts
 *   npm run bench:platform -- 1000000 --only=search,trends  # some parts at some scales
 * Parts: search (bm25 and substring), trends, mixed. Scales are post counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyAction } from '../src/channel/actions/registry.js';
import type { AgentAction } from '../src/channel/actions/types.js';
import { StepBatch, type UserRow } from '../src/channel/batch.js';
import { Channel } from '../src/channel/channel.js';
import { ChannelState } from '../src/channel/state.js';
import { Rng } from '../src/common/rng.js';
import { composePost } from '../src/data/text-grammar.js';

const TOPICS = ['politics', 'climate', 'sports', 'tech', 'science', 'music', 'food', 'travel', 'health', 'finance'];
const QUERIES = ['climate bill', 'election debate', 'new album', 'interest rates', 'marathon', 'quantum computing', 'street food', 'vaccine', 'telescope images', 'night train'];
/** Queries of the grammar's most common words: long posting lists and many near-equal scores, the hard case for pruning. */
const COMMON = ['the new study', 'honestly hot take', 'is getting out of hand', 'the', 'can we talk about the debate', 'thoughts agree wild', 'new', 'update on the markets'];
const USERS = 10_000;
const STEPS = 24;
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

interface Timing {
  mean: number;
  p95: number;
  cpu: number;
}

/**
 * Wall-clock mean and p95 of `runs` calls (fewer when they pass 30 s, at least 3), and the mean
 * CPU time of this process per call: on a shared machine the CPU time is the steadier figure
 * (wall time includes waiting for a core).
 */
function timeIt(runs: number, fn: (i: number) => void): Timing {
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < runs && (i < 3 || performance.now() - start < 30_000); i++) {
    const t = performance.now();
    fn(i);
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  const n = times.length;
  return { mean: times.reduce((a, b) => a + b, 0) / n, p95: times[Math.floor(n * 0.95)] ?? 0, cpu: (used.user + used.system) / 1000 / n };
}

const timing = (t: Timing): string => `mean ${fmt(t.mean, 2)} ms, p95 ${fmt(t.p95, 2)} ms (CPU ${fmt(t.cpu, 2)} ms)`;

function memoryState(posts: number): ChannelState {
  const state = new ChannelState();
  const rng = new Rng(7);
  for (let u = 0; u < USERS; u++) state.addUser(u, { username: `user_${u}`, name: `User ${u}`, bio: `Into ${TOPICS[u % TOPICS.length]}`, kind: 'agent' });
  for (let id = 1; id <= posts; id++) {
    const step = Math.floor(((id - 1) * STEPS) / posts);
    state.addPost(id, { author: rng.int(USERS), kind: 'original', parentId: null, rootId: id, createdStep: step, text: composePost(rng, rng.pick(TOPICS)), label: null });
    // About one like per post, on recent-ish posts, so trends have something to rank.
    if (rng.chance(0.7)) state.engagement.like(rng.int(USERS), id, step);
  }
  return state;
}

function readOnly(state: ChannelState, step: number, action: AgentAction): unknown {
  const r = applyAction({ state, batch: new StepBatch(step, 0), feedOf: () => [] }, 0, action);
  if (!r.ok) throw new Error(r.error);
  return r.result;
}

const args = process.argv.slice(2);
const only = new Set((args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? 'search,trends,mixed').split(','));
const scales = args.map(Number).filter((n) => n > 0);
const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20)} MiB`;
const search = (state: ChannelState, queries: readonly string[], runs: number): Timing =>
  timeIt(runs, (i) => readOnly(state, STEPS - 1, { action: 'search_posts', args: { query: queries[i % queries.length]!, limit: 10 } }));

for (const posts of only.has('search') || only.has('trends') ? (scales.length > 0 ? scales : [100_000, 1_000_000]) : []) {
  let state = new ChannelState();
  const build = timeIt(1, () => (state = memoryState(posts)));
  const mem = process.memoryUsage();
  console.log(`\n${fmt(posts)} posts in memory: built with the indexes in ${fmt(build.mean / 1000, 1)} s (CPU ${fmt(build.cpu / 1000, 1)} s); RSS ${mib(mem.rss)} (JS heap ${mib(mem.heapUsed)}, typed arrays ${mib(mem.arrayBuffers)})`);
  if (only.has('search')) {
    const bm25 = search(state, QUERIES, 200);
    const common = search(state, COMMON, 80);
    state.rules.search = 'substring';
    const substring = search(state, QUERIES, 10);
    state.rules.search = 'bm25';
    console.log(`  search_posts bm25                ${timing(bm25)}`);
    console.log(`  search_posts bm25 (common words) ${timing(common)}`);
    console.log(`  search_posts substring           ${timing(substring)}`);
  }
  if (only.has('trends')) {
    for (const algorithm of ['hashtags', 'most_liked', 'velocity'] as const) {
      for (const window of [6, STEPS]) {
        state.rules.trends = { algorithm, window, limit: 10 };
        const t = timeIt(20, () => readOnly(state, STEPS - 1, { action: 'trends', args: {} }));
        const over = window === STEPS ? `all ${fmt(posts)} posts` : `${window} steps (${fmt((posts * window) / STEPS)} posts)`;
        console.log(`  trends ${algorithm.padEnd(10)} over ${over.padEnd(26)} ${timing(t)}`);
      }
    }
  }
}

// Mixed actions through the real channel: the same path agents use, committed per step.
async function mixed(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-platform-'));
  try {
    // As a run of this many agents opens it (src/channel/db.ts: one DuckDB thread below 20,000).
    const channel = await Channel.open(join(dir, 'sim.duckdb'), { agents: USERS });
    const users: UserRow[] = Array.from({ length: USERS }, (_, u) => ({ userId: u, username: `user_${u}`, name: `User ${u}`, bio: '', cohort: 'c', model: 'm', kind: 'agent', persona: '{}' }));
    const rng = new Rng(11);
    await channel.importDataset({ users, follows: [], posts: Array.from({ length: 50_000 }, (_, i) => ({ authorId: i % USERS, text: composePost(rng, rng.pick(TOPICS)), label: null })) }, 0);
    const perStep = 50_000;
    let actions = 0;
    let applyMs = 0;
    let commitMs = 0;
    for (let step = 0; step < 4; step++) {
      const batch = channel.beginStep(step, step * 3_600_000);
      const t = performance.now();
      for (let k = 0; k < perStep; k++) {
        const actor = rng.int(USERS);
        const post = 1 + rng.int(50_000);
        const pick = rng.next();
        const action: AgentAction =
          pick < 0.4 ? { action: 'like', args: { post_id: post } }
          : pick < 0.5 ? { action: 'repost', args: { post_id: post } }
          : pick < 0.6 ? { action: 'bookmark', args: { post_id: post } }
          : pick < 0.7 ? { action: 'follow', args: { user_id: rng.int(USERS) } }
          : pick < 0.8 ? { action: 'reply', args: { post_id: post, text: 'Interesting #tech' } }
          : pick < 0.85 ? { action: 'dislike', args: { post_id: post } }
          : pick < 0.9 ? { action: 'create_post', args: { text: composePost(rng, rng.pick(TOPICS)) } }
          : pick < 0.95 ? { action: 'unlike', args: { post_id: post } }
          : { action: 'do_nothing', args: {} };
        channel.apply(batch, actor, action);
      }
      const t2 = performance.now();
      await channel.commitStep(batch, USERS);
      commitMs += performance.now() - t2;
      applyMs += t2 - t;
      actions += perStep;
    }
    await channel.close();
    console.log(`\nmixed actions (like, repost, bookmark, follow, reply, dislike, post, unlike, nothing; searches are timed above) into DuckDB:`);
    console.log(`  ${fmt(actions)} actions: apply ${fmt(applyMs / 1000, 2)} s + commit ${fmt(commitMs / 1000, 2)} s = ${fmt((actions / (applyMs + commitMs)) * 1000)} actions/s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only.has('mixed')) await mixed();
