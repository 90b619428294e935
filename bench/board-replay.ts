/**
 * The replay page's API on a large run: the agent panel (feed, actions, posts, followers and
 * model exchanges of one agent at one step, as /api/replay/agent answers it) and the platform at
 * one step (/api/replay/step, the newest 50 posts with their likes and reposts as of the step),
 * plus the thread and graph panels for information.
 *   npm run bench:board-replay                  100,000 agents × 4 steps, 50 samples
 *   npm run bench:board-replay -- 20000x3 30    agents×steps, samples
 *   npm run bench:board-replay -- 100000x4 50 /tmp/replay.duckdb   keep the run there (reused when present)
 * The run is made with the statistical policy (as bench/statistical.ts does) in a temp folder
 * deleted at the end (or at the path given), then read through a read-only handle, never written.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicies } from '../src/agents/policies.js';
import { openSimDb, type SimDb } from '../src/analysis/open.js';
import { agentAt } from '../src/board/replay/agent.js';
import { egoGraph } from '../src/board/replay/graph.js';
import { replaySteps } from '../src/board/replay/meta.js';
import { stepView } from '../src/board/replay/step.js';
import { threadAt } from '../src/board/replay/thread.js';
import { Channel } from '../src/channel/channel.js';
import { Rng } from '../src/common/rng.js';
import { parseExperiment } from '../src/config/load.js';
import { buildPopulation } from '../src/engine/setup.js';
import { simulate } from '../src/engine/simulate.js';
import { recommenderFor } from '../src/recsys/registry.js';

const YAML = (agents: number, steps: number): string => `
name: bench-replay
seed: 1
clock: { timesteps: ${steps}, step: 1h, start: 2024-06-17T08:00:00Z }
dataset:
  generate: { follows_per_agent: 12, initial_posts_per_agent: 1 }
models: { stat: { provider: statistical } }
cohorts: [{ name: everyone, count: ${agents}, model: stat, activity: 0.3 }]
recsys: { kind: popularity, refresh_every: 1, feed_size: 20, window: 6 }
`;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return `median ${q(0.5).toFixed(1)} ms · p95 ${q(0.95).toFixed(1)} ms · max ${s.at(-1)!.toFixed(1)} ms (n=${s.length})`;
}

async function timed<T>(out: number[], work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await work();
  out.push(performance.now() - t0);
  return r;
}

async function makeRun(file: string, agents: number, steps: number): Promise<number> {
  const exp = parseExperiment(YAML(agents, steps), 'bench-replay.yaml');
  const t0 = performance.now();
  const channel = await Channel.open(file, { agents });
  await simulate({ experiment: exp, channel, population: await buildPopulation(exp), recommender: recommenderFor(exp), policies: createPolicies(exp) });
  await channel.close();
  return performance.now() - t0;
}

async function sizes(db: SimDb): Promise<string> {
  const tables = ['users', 'posts', 'follows', 'likes', 'reposts', 'impressions', 'trace'];
  const counts = await db.one<Record<string, number>>(`SELECT ${tables.map((t) => `(SELECT count(*)::DOUBLE FROM ${t}) AS ${t}`).join(', ')}`);
  return tables.map((t) => `${t} ${fmt(counts![t]!)}`).join(' · ');
}

const [scale, samplesArg, keep] = process.argv.slice(2);
const [agents, steps] = (scale ?? '100000x4').split('x').map(Number) as [number, number];
const samples = Number(samplesArg ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-replay-'));
try {
  const file = keep ?? join(dir, 'sim.duckdb');
  if (keep !== undefined && existsSync(keep)) console.log(`run: ${keep} (made earlier by this bench; its figures below)`);
  else {
    const makeMs = await makeRun(file, agents, steps);
    console.log(`run: ${fmt(agents)} statistical agents × ${steps} steps (follows_per_agent 12, activity 0.3, popularity feed of 20), made in ${(makeMs / 1000).toFixed(1)} s`);
  }
  console.log(`  sim.duckdb ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`);
  const db = await openSimDb(file);
  try {
    console.log(`  ${await sizes(db)}`);
    const stepRows = await replaySteps(db);
    // Agents that were active (shown a feed) at a step: the panel a user opens is rarely empty.
    const active = await db.query<{ agent_id: number; step: number }>(`SELECT DISTINCT agent_id, step FROM impressions USING SAMPLE reservoir(${samples * 4} ROWS) REPEATABLE (7)`);
    const rng = new Rng(11);
    const pick = Array.from({ length: samples }, () => active[Math.floor(rng.next() * active.length)]!);
    // One of each first: the first statement on a fresh handle pays for loading the tables.
    const warm: number[] = [];
    await timed(warm, () => agentAt(db, String(pick[0]!.agent_id), pick[0]!.step));
    await timed(warm, () => stepView(db, pick[0]!.step));
    console.log(`  first agent + step request on a fresh handle: ${warm.map((m) => m.toFixed(0)).join(' + ')} ms`);
    const t = { agent: [] as number[], step: [] as number[], check: [] as number[], thread: [] as number[], graph: [] as number[] };
    let shown = 0;
    for (const p of pick) {
      await timed(t.check, () => replaySteps(db));
      const a = await timed(t.agent, () => agentAt(db, String(p.agent_id), p.step));
      shown += a.shown.length;
      const v = await timed(t.step, () => stepView(db, p.step));
      await timed(t.thread, () => threadAt(db, v.posts.find((x) => x.kind !== 'repost')?.post_id ?? v.posts[0]!.post_id, p.step));
      await timed(t.graph, () => egoGraph(db, p.agent_id, p.step));
    }
    console.log(`\nper request over ${samples} random (agent, step) pairs, ${stepRows.length} steps; target < 100 ms`);
    console.log(`  agent panel  /api/replay/agent   ${summary(t.agent)} (mean ${(shown / samples).toFixed(1)} feed rows)`);
    console.log(`  platform     /api/replay/step    ${summary(t.step)}`);
    console.log(`  step check   (each API call)     ${summary(t.check)}`);
    console.log(`  thread       /api/replay/thread  ${summary(t.thread)}`);
    console.log(`  graph        /api/replay/graph   ${summary(t.graph)}`);
  } finally {
    await db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
