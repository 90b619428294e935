/**
 * Platform benchmarks (issue #3): BM25 search latency at 100k and 1M posts, trends over a
 * 1M-post window, and mixed-action apply throughput into DuckDB.
 *   npm run bench:platform
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
const USERS = 10_000;
const STEPS = 24;
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function timeIt(runs: number, fn: (i: number) => void): { mean: number; p95: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / runs, p95: times[Math.floor(runs * 0.95)] ?? 0 };
}

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

// 1M posts takes ~40 s and ~2.3 GiB to build; `npm run bench:platform -- 100000` for the small scale only.
const scales = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const posts of scales.length > 0 ? scales : [100_000, 1_000_000]) {
  const t0 = performance.now();
  const state = memoryState(posts);
  const build = performance.now() - t0;
  const search = timeIt(50, (i) => readOnly(state, STEPS - 1, { action: 'search_posts', args: { query: QUERIES[i % QUERIES.length]!, limit: 10 } }));
  state.rules.search = 'substring';
  const substring = timeIt(10, (i) => readOnly(state, STEPS - 1, { action: 'search_posts', args: { query: QUERIES[i % QUERIES.length]!, limit: 10 } }));
  state.rules.search = 'bm25';
  console.log(`\n${fmt(posts)} posts in memory (built with the index in ${fmt(build / 1000, 1)} s, RSS ${fmt(process.memoryUsage().rss / 2 ** 20)} MiB)`);
  console.log(`  search_posts bm25       mean ${fmt(search.mean, 2)} ms, p95 ${fmt(search.p95, 2)} ms`);
  console.log(`  search_posts substring  mean ${fmt(substring.mean, 2)} ms, p95 ${fmt(substring.p95, 2)} ms`);
  for (const algorithm of ['hashtags', 'most_liked', 'velocity'] as const) {
    state.rules.trends = { algorithm, window: STEPS, limit: 10 };
    const t = timeIt(5, () => readOnly(state, STEPS - 1, { action: 'trends', args: {} }));
    console.log(`  trends ${algorithm.padEnd(16)} over all ${fmt(posts)} posts: mean ${fmt(t.mean, 1)} ms`);
  }
}

// Mixed actions through the real channel: the same path agents use, committed per step.
const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-platform-'));
try {
  const channel = await Channel.open(join(dir, 'sim.duckdb'));
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
  channel.close();
  console.log(`\nmixed actions (like, repost, bookmark, follow, reply, dislike, post, unlike, nothing; searches are timed above) into DuckDB:`);
  console.log(`  ${fmt(actions)} actions: apply ${fmt(applyMs / 1000, 2)} s + commit ${fmt(commitMs / 1000, 2)} s = ${fmt((actions / (applyMs + commitMs)) * 1000)} actions/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
