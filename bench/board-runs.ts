/**
 * The board's runs page and a finished run's analytics API on a results folder of 200 runs.
 *   npm run bench:board-runs                 builds the folder in a temp dir, deletes it after
 *   npm run bench:board-runs -- <folder>     builds it there once and keeps it (reused if present)
 *
 * The folder: one real 100,000-agent run (statistical policy, 2 steps, made by runExperiment as
 * `socialsim run` makes it), one real small run, and 198 copies of the small run's run.json,
 * events.jsonl and experiment.resolved.yaml with edited run_id, seed and experiment (5
 * experiment names). The copies have no sim.duckdb: the runs page reads JSON files only, so
 * they cost it what real runs cost. Prints the median (and min/max) of N requests each for
 * `/` (the runs page), `/api/runs`, and `/api/run/series` of the 100k run (its first, cold,
 * request apart: it opens the database).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBoard } from '../src/board/server.js';
import { parseExperiment } from '../src/config/load.js';
import { runExperiment } from '../src/engine/run.js';

const N = 20;
const COPIES = 198;

const BIG = `
name: big
seed: 1
clock: { timesteps: 2, step: 1h, start: 2024-06-17T08:00:00Z }
dataset:
  generate: { follows_per_agent: 12, initial_posts_per_agent: 1 }
models: { stat: { provider: statistical } }
cohorts: [{ name: everyone, count: 100000, model: stat, activity: 0.3 }]
recsys: { kind: popularity, refresh_every: 1, feed_size: 20, window: 6 }
`;

const SMALL = `
name: small
seed: 1
clock: { timesteps: 4, step: 1h, start: 2024-06-17T08:00:00Z }
models: { stat: { provider: statistical } }
cohorts: [{ name: everyone, count: 100, model: stat, activity: 0.3 }]
recsys: { kind: popularity }
`;

async function build(root: string): Promise<string> {
  const t0 = performance.now();
  const big = await runExperiment(parseExperiment(BIG, 'big.yaml'), { resultsRoot: root, quiet: true });
  const tBig = performance.now() - t0;
  const small = await runExperiment(parseExperiment(SMALL, 'small.yaml'), { resultsRoot: root, quiet: true });
  const info = JSON.parse(readFileSync(join(small.dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  for (let k = 0; k < COPIES; k++) {
    const experiment = `copies-${k % 5}`;
    const runId = `copy${String(k).padStart(8, '0')}`;
    const dir = join(root, experiment, runId);
    mkdirSync(dir, { recursive: true });
    for (const f of ['events.jsonl', 'experiment.resolved.yaml']) cpSync(join(small.dir, f), join(dir, f));
    const started = new Date(Date.parse(String(info.started_at)) - k * 60_000).toISOString();
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...info, experiment, run_id: runId, seed: k, started_at: started }, null, 2) + '\n');
  }
  console.log(`built ${COPIES + 2} runs in ${((performance.now() - t0) / 1000).toFixed(1)} s (the 100k-agent run: ${(tBig / 1000).toFixed(1)} s)`);
  return `big/${big.dir.split('/').pop()}`;
}

/** Median, min and max wall time of `n` sequential GETs (ms); each must answer 200. */
async function time(url: string, n: number): Promise<{ median: number; min: number; max: number; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let k = 0; k < n; k++) {
    const t = performance.now();
    const r = await fetch(url);
    const body = await r.text();
    ms.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${url}: ${r.status} ${body.slice(0, 200)}`);
    bytes = body.length;
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(n / 2)]!, min: ms[0]!, max: ms[n - 1]!, bytes };
}

const fmt = (t: { median: number; min: number; max: number; bytes: number }): string =>
  `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)}; ${Math.round(t.bytes / 1024)} KiB)`;

const kept = process.argv[2];
const root = kept ?? mkdtempSync(join(tmpdir(), 'socialsim-bench-board-'));
try {
  const marker = join(root, '.bench-big-run');
  let big: string;
  if (kept && existsSync(marker)) {
    big = readFileSync(marker, 'utf8').trim();
    console.log(`reusing ${root}`);
  } else {
    big = await build(root);
    writeFileSync(marker, big + '\n');
  }
  const board = await startBoard({ resultsDir: root, port: 0 });
  try {
    const page = await time(`${board.url}/`, N);
    const api = await time(`${board.url}/api/runs`, N);
    const rows = (JSON.parse(await (await fetch(`${board.url}/api/runs`)).text()) as { runs: unknown[] }).runs.length;
    const series = `${board.url}/api/run/series?run=${encodeURIComponent(big)}`;
    const cold = await time(series, 1);
    const warm = await time(series, N);
    const runPage = await time(`${board.url}/run?run=${encodeURIComponent(big)}`, N);
    console.log(`runs page /                ${fmt(page)}, ${rows} runs listed (target < 300 ms)`);
    console.log(`/api/runs                  ${fmt(api)}`);
    console.log(`/api/run/series, 100k run  first ${cold.median.toFixed(1)} ms (opens sim.duckdb), then ${fmt(warm)}`);
    console.log(`/run page HTML, 100k run   ${fmt(runPage)}`);
  } finally {
    await board.close();
  }
} finally {
  if (!kept) rmSync(root, { recursive: true, force: true });
}
