/**
 * Throughput of the runnable core with the statistical policy (no GPU, no key).
 *   npm run bench                      both scales from the issue
 *   npm run bench -- 20000x10          custom agents×steps (several allowed)
 * Prints, per scale: agents × steps, actions applied, wall time, actions/s (end to end and
 * apply+commit only), time per phase, peak RSS. Runs in a temp folder it deletes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicies } from '../src/agents/policies.js';
import { Channel } from '../src/channel/channel.js';
import { parseExperiment } from '../src/config/load.js';
import { buildPopulation } from '../src/engine/setup.js';
import { simulate, type StepPhases } from '../src/engine/simulate.js';
import { recommenderFor } from '../src/recsys/registry.js';

const QUICKSTART_LIKE = (agents: number, steps: number): string => `
name: bench
seed: 1
clock: { timesteps: ${steps}, step: 1h, start: 2024-06-17T08:00:00Z }
dataset:
  generate: { follows_per_agent: 12, initial_posts_per_agent: 1 }
models: { stat: { provider: statistical } }
cohorts: [{ name: everyone, count: ${agents}, model: stat, activity: 0.3 }]
recsys: { kind: popularity, refresh_every: 1, feed_size: 20, window: 6 }
`;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function bench(agents: number, steps: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-bench-'));
  try {
    const exp = parseExperiment(QUICKSTART_LIKE(agents, steps), 'bench.yaml');
    const t0 = performance.now();
    // As `socialsim run` opens it: DuckDB's threads follow the run's size.
    const channel = await Channel.open(join(dir, 'sim.duckdb'), { agents });
    const population = await buildPopulation(exp);
    const tSetup0 = performance.now();
    let setupMs = 0;
    const reports = await simulate({
      experiment: exp,
      channel,
      population,
      recommender: recommenderFor(exp),
      policies: createPolicies(exp),
      onStep: (r) => {
        if (r.step === 0) setupMs = performance.now() - tSetup0 - r.wallMs;
      },
    });
    await channel.close();
    const wall = performance.now() - t0;
    const actions = reports.reduce((n, r) => n + r.actions, 0);
    const phases: StepPhases = { snapshot: 0, recsys: 0, decide: 0, apply: 0, commit: 0 };
    for (const r of reports) for (const k of Object.keys(phases) as (keyof StepPhases)[]) phases[k] += r.phases[k];
    const stepMs = reports.reduce((n, r) => n + r.wallMs, 0);
    console.log(`\n${fmt(agents)} agents × ${steps} steps`);
    console.log(`  actions applied      ${fmt(actions)} (${fmt(reports.reduce((n, r) => n + r.failed, 0))} rejected)`);
    console.log(`  wall time            ${(wall / 1000).toFixed(2)} s (setup ${(setupMs / 1000).toFixed(2)} s, steps ${(stepMs / 1000).toFixed(2)} s)`);
    const listMs = reports.reduce((n, r) => n + r.listWriteMs, 0);
    console.log(`  actions/s            ${fmt((actions / wall) * 1000)} end to end; ${fmt((actions / (phases.apply + phases.commit)) * 1000)} applied into DuckDB (apply + whole commit)`);
    console.log(`                       ${fmt((actions / (phases.apply + phases.commit - listMs)) * 1000)} applied into DuckDB without writing the recommender's output (rec + impressions rows: ${(listMs / 1000).toFixed(2)} s of the commit)`);
    console.log(`  per phase (s)        ${Object.entries(phases).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(' · ')}`);
    console.log(`  peak RSS             ${fmt(process.resourceUsage().maxRSS / 1024)} MiB (process so far)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const scales = process.argv.slice(2).map((a) => a.split('x').map(Number) as [number, number]);
for (const [agents, steps] of scales.length > 0 ? scales : ([[10_000, 24], [100_000, 5]] as [number, number][])) {
  await bench(agents, steps);
}
