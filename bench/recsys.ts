/**
 * Recommender benchmarks (issue #5): refresh wall time and peak memory of every registered
 * kind on a synthetic snapshot (bench/recsys-fixture.ts).
 *   npx tsx bench/recsys.ts [--only kind,kind] [--scale small|large]
 * small: 10,000 agents × 100,000 candidates (≈ 500k likes and reposts), every kind.
 * large: 100,000 agents × 1,000,000 candidates (≈ 5M), the kinds that do not learn.
 * Each kind runs in its own child process (`--child kind`), so peak RSS is its own. A refresh
 * is timed three times on the same snapshot: the first (cold caches, untrained model) and the
 * mean of the next two (a real step changes about 1/window of the candidates in between).
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RecsysKind } from '../src/config/types.js';
import { createRecommender, RECOMMENDER_KINDS } from '../src/recsys/registry.js';
import { buildSnapshot, WINDOW, type FixtureSize } from './recsys-fixture.js';

/** Kinds that train a model at each refresh: a looser target, and too slow for the large scale. */
const LEARNED: readonly string[] = ['mf', 'lightgcn', 'multvae'];
const SCALES: Readonly<Record<string, FixtureSize>> = {
  small: { users: 10_000, posts: 100_000, interactions: 500_000 },
  large: { users: 100_000, posts: 1_000_000, interactions: 5_000_000 },
};
const TARGET_MS: Readonly<Record<string, { readonly nonLearned: number; readonly learned: number }>> = {
  small: { nonLearned: 2_000, learned: 30_000 },
  large: { nonLearned: 30_000, learned: Infinity },
};
const TARGET_RSS_MIB = 8 * 1024;
const FEED_SIZE = 20;

interface Result {
  readonly kind: string;
  readonly buildS: number;
  readonly firstMs: number;
  readonly meanMs: number;
  /** CPU time (user + system) of the same refreshes: what a shared, loaded machine distorts least. */
  readonly firstCpuMs: number;
  readonly meanCpuMs: number;
  readonly fixtureRssMiB: number;
  readonly peakRssMiB: number;
  /** Share of users whose feed holds FEED_SIZE posts. */
  readonly full: number;
}

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function runChild(kind: string, scale: string): Result {
  const size = SCALES[scale]!;
  const t0 = performance.now();
  const snapshot = buildSnapshot(size);
  const buildS = (performance.now() - t0) / 1000;
  const fixtureRssMiB = process.memoryUsage().rss / 2 ** 20;
  const rec = createRecommender({ kind: kind as RecsysKind, refresh_every: 1, feed_size: FEED_SIZE, window: WINDOW }, 42, { startMs: Date.parse('2024-01-01T00:00:00Z'), stepMs: 3_600_000 });
  const times: number[] = [];
  const cpu: number[] = [];
  let feeds = new Map<number, readonly number[]>();
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    feeds = rec.refresh(snapshot);
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  let full = 0;
  for (const u of snapshot.users) if (feeds.get(u)?.length === FEED_SIZE) full++;
  return {
    kind,
    buildS,
    firstMs: times[0]!,
    meanMs: (times[1]! + times[2]!) / 2,
    firstCpuMs: cpu[0]!,
    meanCpuMs: (cpu[1]! + cpu[2]!) / 2,
    fixtureRssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    full: full / snapshot.users.length,
  };
}

function spawnChild(kind: string, scale: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    // Heap room up to the memory target, so a kind over it fails by RSS, not by V8's default limit.
    const child = spawn(process.execPath, [`--max-old-space-size=${TARGET_RSS_MIB}`, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, '--scale', scale], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Result);
      else reject(new Error(`bench child for ${kind} exited with ${code}: ${out}`));
    });
  });
}

const scale = arg('scale') ?? 'small';
if (!SCALES[scale]) throw new Error(`--scale must be small or large, not ${scale}`);
const childKind = arg('child');
if (childKind) {
  console.log(JSON.stringify(runChild(childKind, scale)));
} else {
  const only = arg('only')?.split(',');
  const kinds = RECOMMENDER_KINDS.filter((k) => (only ? only.includes(k) : scale === 'small' || !LEARNED.includes(k)));
  const size = SCALES[scale]!;
  console.log(`recsys bench, ${scale}: ${fmt(size.users)} agents × ${fmt(size.posts)} candidates, ≈ ${fmt(size.interactions)} likes and reposts, feed ${FEED_SIZE}`);
  // Wall time on a shared machine runs ahead of CPU time when other work competes for cores.
  console.log(`load average at start: ${loadavg().map((l) => fmt(l, 2)).join(' ')} on ${availableParallelism()} cores`);
  console.log('kind         first refresh wall / cpu   next refreshes wall / cpu   peak RSS   fixture RSS   full feeds   target (next refreshes)');
  for (const kind of kinds) {
    const r = await spawnChild(kind, scale);
    const learned = LEARNED.includes(kind);
    const limit = learned ? TARGET_MS[scale]!.learned : TARGET_MS[scale]!.nonLearned;
    const ok = r.meanMs < limit && (scale === 'small' || r.peakRssMiB < TARGET_RSS_MIB);
    const target = `${ok ? 'met' : 'MISSED'} (< ${fmt(limit / 1000)} s${scale === 'large' ? ', < 8 GiB' : ''}${learned ? ', learned' : ''})`;
    const pair = (wall: number, cpu: number): string => `${fmt(wall)} / ${fmt(cpu)} ms`;
    console.log(
      `${kind.padEnd(12)} ${pair(r.firstMs, r.firstCpuMs).padStart(26)}   ${pair(r.meanMs, r.meanCpuMs).padStart(25)}   ${`${fmt(r.peakRssMiB)} MiB`.padStart(8)}   ${`${fmt(r.fixtureRssMiB)} MiB`.padStart(11)}   ${`${fmt(r.full * 100, 1)} %`.padStart(10)}   ${target}`,
    );
  }
  console.log(`load average at end: ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
}
