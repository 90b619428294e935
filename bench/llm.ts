/**
 * LLM path throughput: 10,000 LLM agents × 3 steps against two loopback OpenAI-compatible
 * servers (separate processes, fixed 200 ms latency), max_concurrency 256 on each.
 *   npm run bench:llm                    the issue's scale
 *   npm run bench:llm -- 2000 2          agents, steps
 * Prints requests/s, the share of the allowed concurrency actually in flight while agents
 * were deciding, and the runner's CPU time per request (all its threads, DuckDB included).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicies } from '../src/agents/policies.js';
import { Channel } from '../src/channel/channel.js';
import { parseExperiment } from '../src/config/load.js';
import { buildPopulation } from '../src/engine/setup.js';
import { simulate } from '../src/engine/simulate.js';
import { recommenderFor } from '../src/recsys/registry.js';

const agents = Number(process.argv[2] ?? 10_000);
const steps = Number(process.argv[3] ?? 3);
const LATENCY_MS = 200;
const PER_ENDPOINT = 256;

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/llm/fake-server.ts', '--port', '0', '--latency', String(LATENCY_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\S+)/.exec(d.toString());
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`fake server exited with ${code}`)));
  });
}

const servers = await Promise.all([startServer(), startServer()]);
const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-llm-'));
try {
  const exp = parseExperiment(
    `name: bench-llm
seed: 1
clock: { timesteps: ${steps}, step: 1h }
dataset: { generate: { follows_per_agent: 10 } }
models:
  fake: { provider: openai-compatible, model: fake-model, endpoints: [${servers.map((s) => `"${s.url}"`).join(', ')}], max_concurrency: ${PER_ENDPOINT}, timeout_s: 30 }
cohorts: [{ name: llm, count: ${agents}, model: fake, activity: 1.0 }]
recsys: { kind: random, feed_size: 10 }
`,
    'bench-llm.yaml',
  );
  const policies = createPolicies(exp);
  const policy = policies.get('llm')!;
  const allowed = PER_ENDPOINT * servers.length;
  const channel = await Channel.open(join(dir, 'sim.duckdb'));

  // Sample the shared limiter's in-flight count while agents decide (the main thread idles then).
  const samples: number[] = [];
  /** Per step, the samples from the first to the last one at the limit: while demand exceeded it. */
  const saturated: number[] = [];
  let stepSamples: number[] = [];
  let deciding = false;
  const sampler = setInterval(() => {
    if (deciding) stepSamples.push(policy.endpoints!().reduce((n, e) => n + e.outstanding, 0));
  }, 5);
  const wrapped = { ...policy, decideAll: async (...args: Parameters<typeof policy.decideAll>) => {
    deciding = true;
    stepSamples = [];
    try {
      return await policy.decideAll(...args);
    } finally {
      deciding = false;
      samples.push(...stepSamples);
      const first = stepSamples.findIndex((n) => n >= allowed);
      const last = stepSamples.findLastIndex((n) => n >= allowed);
      if (first >= 0) saturated.push(...stepSamples.slice(first, last + 1));
    }
  } };

  const cpu0 = process.cpuUsage();
  let cpuSteps: NodeJS.CpuUsage | null = null;
  const t0 = performance.now();
  const reports = await simulate({
    experiment: exp,
    channel,
    population: await buildPopulation(exp),
    recommender: recommenderFor(exp),
    policies: new Map([['llm', wrapped]]),
    // From the first committed step on: steady state, without population setup and thread start-up.
    onStep: (r) => {
      if (r.step === 0) cpuSteps = process.cpuUsage();
    },
  });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const steady = cpuSteps ? process.cpuUsage(cpuSteps) : null;
  const laterRequests = reports.slice(1).reduce((n, r) => n + r.llmRequests, 0);
  clearInterval(sampler);
  await channel.close();
  await policy.close?.();

  const requests = reports.reduce((n, r) => n + r.llmRequests, 0);
  const failures = reports.reduce((n, r) => n + r.llmFailures, 0);
  const decideMs = reports.reduce((n, r) => n + r.phases.decide, 0);
  const meanInFlight = samples.reduce((a, b) => a + b, 0) / Math.max(samples.length, 1);
  const sorted = samples.slice().sort((a, b) => a - b);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`\n${fmt(agents)} LLM agents × ${steps} steps, 2 endpoints × max_concurrency ${PER_ENDPOINT}, ${LATENCY_MS} ms latency`);
  console.log(`  requests             ${fmt(requests)} (${fmt(failures)} failed)`);
  console.log(`  wall time            ${(wall / 1000).toFixed(2)} s (deciding ${(decideMs / 1000).toFixed(2)} s)`);
  console.log(`  requests/s           ${fmt((requests / decideMs) * 1000)} while deciding (ceiling ${fmt((allowed / LATENCY_MS) * 1000)})`);
  const meanSaturated = saturated.reduce((a, b) => a + b, 0) / Math.max(saturated.length, 1);
  console.log(`  in flight            mean ${fmt(meanInFlight)} of ${allowed} allowed = ${((meanInFlight / allowed) * 100).toFixed(1)} % while deciding, ramp and tail included (median sample ${fmt(sorted[Math.floor(sorted.length / 2)] ?? 0)})`);
  console.log(`                       ${((meanSaturated / allowed) * 100).toFixed(1)} % from the first to the last moment each step had the limit reached (more requests waiting than allowed)`);
  console.log(`  runner CPU           ${((cpu.user + cpu.system) / 1000 / requests).toFixed(3)} ms per request over the whole run (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s, all threads, setup included)`);
  if (steady && laterRequests > 0) {
    console.log(`                       ${((steady.user + steady.system) / 1000 / laterRequests).toFixed(3)} ms per request in steps 1..${steps - 1} (steady state: no setup, threads warm)`);
  }
  console.log(`  peak RSS             ${fmt(process.resourceUsage().maxRSS / 1024)} MiB`);
} finally {
  for (const s of servers) s.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
