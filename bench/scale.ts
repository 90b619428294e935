/**
 * A million statistical agents on one machine (issue #17, item 3): setup, step and peak memory.
 *   npm run bench:scale                 1,000,000 agents × 2 steps
 *   npm run bench:scale -- 300000x3     other agents × steps
 * The quickstart's experiment at that size (popularity feed with its home timeline, diurnal
 * activity, two seed accounts), from midday. The bench starts itself again with the heap flags `socialsim
 * run` would choose (src/cli/heap.ts), so the figures are those of the CLI. Prints setup by
 * part (personas, step-0 dataset, import into DuckDB + the mirror), each step by phase with
 * its main thread's CPU and GC pauses, peak JS heap (sampled every 50 ms) and peak RSS, and
 * the run's memory estimate next to them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { createPolicies } from '../src/agents/policies.js';
import { Channel } from '../src/channel/channel.js';
import { estimateRun, gib } from '../src/config/capacity.js';
import { parseExperiment } from '../src/config/load.js';
import { SimClock } from '../src/engine/clock.js';
import { buildPopulation, initialDataset } from '../src/engine/setup.js';
import { simulate } from '../src/engine/simulate.js';
import { recommenderFor } from '../src/recsys/registry.js';
import { relaunchedWithFlags, allowHeapRelaunch } from '../src/cli/heap.js';
import { parse } from 'yaml';

const [agents, steps] = (process.argv[2] ?? '1000000x2').split('x').map(Number) as [number, number];
const quickstart = parse(readFileSync(new URL('../experiments/quickstart.yaml', import.meta.url), 'utf8')) as Record<string, any>;
quickstart.cohorts[0].count = agents;
quickstart.clock.timesteps = steps;
// Midday, the diurnal profile's busy hours: the steps measured are heavy ones, not the night's.
quickstart.clock.start = '2024-06-17T12:00:00Z';
quickstart.report = { auto: false };
const estimate = estimateRun(quickstart);

allowHeapRelaunch(process.argv);
if (!(await relaunchedWithFlags(estimate, false))) await bench();

async function bench(): Promise<void> {
  const exp = parseExperiment(JSON.stringify(quickstart), 'bench.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'socialsim-scale-'));
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  // CPU time of the process (all its threads) beside wall time: on a shared machine the wall
  // time grows with the load, the CPU time much less.
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  // The main thread's own CPU time (Linux: its task's utime + stime, in clock ticks of 10 ms),
  // its page faults (the kernel's part: fresh memory handed out) and the time it stood still
  // for the garbage collector: a step is as long as its main thread is busy, and what is left
  // of its wall time is waiting for DuckDB or for a core.
  const mainThreadCpu = (): { user: number; sys: number; faults: number } => {
    try {
      const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10, faults: Number(fields[7]) };
    } catch {
      return { user: NaN, sys: NaN, faults: NaN };
    }
  };
  let gcPauses = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses += e.duration;
  }).observe({ entryTypes: ['gc'] });
  try {
    const t0 = performance.now();
    const c0 = cpu();
    const population = await buildPopulation(exp);
    const t1 = performance.now();
    const dataset = initialDataset(exp, population);
    const t2 = performance.now();
    const channel = await Channel.open(join(dir, 'sim.duckdb'), { agents });
    await channel.importDataset(dataset, new SimClock(exp.clock).timeOf(0));
    const t3 = performance.now();
    let c = cpu();
    let main = mainThreadCpu();
    gcPauses = 0;
    console.log(`\n${agents.toLocaleString('en-US')} agents × ${steps} steps (quickstart.yaml scaled)`);
    console.log(`  setup                ${s(t3 - t0)} (CPU ${s(c - c0)}): personas ${s(t1 - t0)} · dataset ${s(t2 - t1)} · import ${s(t3 - t2)}`);
    const reports = await simulate({
      experiment: exp,
      channel,
      population,
      recommender: recommenderFor(exp),
      policies: createPolicies(exp),
      onStep: (r) => {
        const p = r.phases;
        const now = cpu();
        const used = now - c;
        c = now;
        const mainNow = mainThreadCpu();
        const mainUsed = mainNow.user + mainNow.sys - main.user - main.sys;
        const mainSys = mainNow.sys - main.sys;
        const faults = mainNow.faults - main.faults;
        main = mainNow;
        const gc = gcPauses;
        gcPauses = 0;
        console.log(
          `  step ${r.step}               ${s(r.wallMs)} (CPU ${s(used)}): snapshot ${s(p.snapshot)} · recsys ${s(p.recsys)} · decide ${s(p.decide)} · apply ${s(p.apply)} · commit ${s(p.commit)} (rec and impressions rows ${s(r.listWriteMs)})` +
            ` (${r.activeAgents.toLocaleString('en-US')} active, ${r.actions.toLocaleString('en-US')} actions)`,
        );
        console.log(`                       main thread CPU ${s(mainUsed)} (kernel ${s(mainSys)}, ${faults.toLocaleString('en-US')} page faults), GC pauses ${s(gc)}`);
      },
    });
    await channel.close();
    const mean = reports.reduce((n, r) => n + r.wallMs, 0) / Math.max(1, reports.length);
    console.log(`  mean step            ${s(mean)}`);
    console.log(`  peak JS heap         ${gib(peakHeap)} (limit ${gib((await import('node:v8')).getHeapStatistics().heap_size_limit)})`);
    console.log(`  peak RSS             ${gib(process.resourceUsage().maxRSS * 1024)}`);
    console.log(`  estimate             ${gib(estimate.bytes)} resident, ${gib(estimate.heapBytes)} JS heap`);
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}
