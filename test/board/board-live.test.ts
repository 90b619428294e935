/**
 * The runs page and the run page (session analytics), in Chromium: a finished run read from its
 * database, a sweep's rows, the experiment and sweep filters, and a run followed live while a
 * child process writes it (its steps arrive over server-sent events, then it is marked finished).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { parseEventLines, seriesFromEvents, type RunSeries } from '../../src/board/analytics/series.js';
import { seriesFromDb } from '../../src/board/analytics/series-db.js';
import { tailLines } from '../../src/board/analytics/tail.js';
import { startBoard, type Board } from '../../src/board/server.js';
import { runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { writeReport } from '../../src/report/write.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { launchBrowser, watchedPage } from '../helpers/browser.js';
import { smallExperiment } from '../helpers/experiment.js';

const BIN = new URL('../../bin/socialsim.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

const SWEEP_YAML = `
name: tiny-sweep
seed: 3
clock: { timesteps: 2, step: 1h, start: 2024-06-17T08:00:00Z }
models:
  stat: { provider: statistical, post_prob: 0.3, like_base: 0.2 }
cohorts:
  - { name: all, count: 20, model: stat, activity: 0.6 }
recsys: { kind: popularity }
report: { auto: false } # the pages read the runs' databases; the report link is tested on the small run
sweep:
  matrix: { recsys.kind: [popularity] }
  seeds: [1, 2]
`;

/** 10 steps of 4 LLM agents, one request at a time against a server that takes 200 ms: ~8 s of steps, time for the page to load mid-run on a busy machine. */
const LIVE_STEPS = 10;
const liveYaml = (url: string): string => `
name: live
seed: 5
clock: { timesteps: ${LIVE_STEPS}, step: 1h, start: 2024-06-17T08:00:00Z }
dataset: { generate: { topics: [tech, music], follows_per_agent: 2 } }
models:
  local: { provider: openai-compatible, model: fake-model, endpoints: ["${url}"], max_concurrency: 1, timeout_s: 10, max_retries: 0, budget: { max_requests: 500, on_exhausted: stop } }
cohorts:
  - { name: llm, count: 4, model: local, activity: 1.0 }
recsys: { kind: random, feed_size: 5 }
`;

let results: string;
let smallDir: string;
let small: string;
let sweepAddr: string;
let sweepRuns: string[];
let smallSteps: { step: number; actions: number; active_agents: number }[];
let smallActionRows: number;
let board: Board;
let browser: Browser;
let fakeLlm: FakeServer;
let child: ChildProcess | undefined;

beforeAll(async () => {
  results = mkdtempSync(join(tmpdir(), 'socialsim-board-live-'));
  ({ dir: smallDir } = await runExperiment(smallExperiment(), { resultsRoot: results, quiet: true }));
  small = `small/${smallDir.split('/').pop()}`;
  await writeReport(smallDir);
  const sweepFile = join(results, 'tiny-sweep.yaml');
  writeFileSync(sweepFile, SWEEP_YAML);
  const sweep = await runSweep(sweepFile, { resultsRoot: results, parallel: 2, quiet: true });
  sweepAddr = `tiny-sweep/sweep-${sweep.sweepId}`;
  sweepRuns = sweep.runs.map((r) => `tiny-sweep/${r.run_id}`).sort();
  // The figures the page must show, read from the database before the board opens it.
  await withSimDb(join(smallDir, 'sim.duckdb'), async (db) => {
    smallSteps = await db.query('SELECT step, actions, active_agents FROM steps ORDER BY step');
    smallActionRows = (await db.one<{ n: number }>('SELECT count(DISTINCT (step, action))::INTEGER AS n FROM trace'))!.n;
  });
  board = await startBoard({ resultsDir: results, port: 0 });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await browser?.close();
  await board?.close();
  await fakeLlm?.close();
  rmSync(results, { recursive: true, force: true });
});

describe('the runs page', () => {
  it('lists the run and the sweep with its runs, filters by experiment and by sweep in the URL, with no console errors', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/`);
    expect(await page.locator('#runs tbody tr.run').count()).toBe(3);
    const sweepRow = page.locator(`#runs tbody tr.sweep[data-sweep="${sweepAddr}"]`);
    expect(await sweepRow.count()).toBe(1);
    expect(await sweepRow.locator('.run-statuses').textContent()).toContain('2 completed');

    const row = page.locator(`#runs tbody tr[data-run="${small}"]`);
    expect(await row.locator('.status').textContent()).toBe('completed');
    expect(await row.locator('.steps').textContent()).toBe('6/6');
    // run.json's total is the steps table's sum.
    expect(Number(await row.locator('.actions').textContent())).toBe(smallSteps.reduce((n, s) => n + s.actions, 0));

    await page.selectOption('#experiment-filter', 'small');
    await page.waitForURL(/\?experiment=small$/);
    expect(await page.locator('#runs tbody tr').count()).toBe(1);
    expect(await page.locator('#runs tbody tr').getAttribute('data-run')).toBe(small);

    await page.goto(`${board.url}/`);
    await sweepRow.locator('a', { hasText: 'its runs' }).click();
    await page.waitForURL(/\?sweep=/);
    const listed = await Promise.all((await page.locator('#runs tbody tr.run').all()).map((tr) => tr.getAttribute('data-run')));
    expect(listed.sort()).toEqual(sweepRuns);

    // The report link serves the run's own report.html.
    await page.goto(`${board.url}/`);
    await page.locator(`#runs tbody tr[data-run="${small}"] a`, { hasText: 'report' }).click();
    await page.waitForURL(/\/run\/report\?run=/);
    const report = await fetch(`${board.url}/run/report?run=${encodeURIComponent(small)}`);
    expect(await report.text()).toBe(readFileSync(join(smallDir, 'report.html'), 'utf8'));
    expect(problems).toEqual([]);
  });
});

describe('the run page of a finished run', () => {
  it('draws the database figures: a steps table equal to the steps table, one bar per step and action type, one point per step', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/run?run=${encodeURIComponent(small)}`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.locator('#run-state').textContent()).toBe('finished');
    expect(await page.locator('#step-count').textContent()).toBe('6');
    const column = async (k: number): Promise<number[]> => (await page.locator(`#steps-table tbody tr td:nth-child(${k})`).allTextContents()).map(Number);
    expect(await column(1)).toEqual(smallSteps.map((s) => s.step));
    expect(await column(3)).toEqual(smallSteps.map((s) => s.active_agents));
    expect(await column(4)).toEqual(smallSteps.map((s) => s.actions));
    await page.waitForSelector('#chart-actions svg .mark-rect.role-mark path');
    await page.waitForSelector('#chart-active svg .mark-symbol.role-mark path');
    expect(await page.locator('#chart-actions svg .mark-rect.role-mark path').count()).toBe(smallActionRows);
    expect(await page.locator('#chart-active svg .mark-symbol.role-mark path').count()).toBe(6);
    // A statistical run sends no LLM requests: the charts say so instead of drawing nothing.
    expect(await page.locator('#chart-llm-requests').textContent()).toContain('No LLM requests');
    expect(problems).toEqual([]);
  });

  it('a 404 for a run that is not there', async () => {
    expect((await fetch(`${board.url}/run?run=small/nope`)).status).toBe(404);
    expect((await fetch(`${board.url}/api/run/series?run=${encodeURIComponent('../etc')}`)).status).toBe(404);
  });
});

/** Both sources' per-step totals: steps, and actions and LLM requests summed over their breakdowns. */
function totals(s: RunSeries): unknown {
  const sum = (rows: { step: number }[], key: 'count' | 'failed' | 'requests' | 'failures'): Record<number, number> => {
    const out: Record<number, number> = {};
    for (const r of rows) out[r.step] = (out[r.step] ?? 0) + ((r as unknown as Record<string, number>)[key] ?? 0);
    return out;
  };
  return { steps: s.steps, actions: sum(s.actions, 'count'), failed: sum(s.actions, 'failed'), llm: sum(s.llm, 'requests'), llmFailed: sum(s.llm, 'failures') };
}

async function bothSources(dir: string, strip = false): Promise<{ events: RunSeries; db: RunSeries }> {
  let lines = readFileSync(join(dir, 'events.jsonl'), 'utf8');
  // Step lines as versions before the rich fields wrote them: totals only.
  if (strip) {
    lines = lines
      .split('\n')
      .map((l) => (l.trim() === '' ? l : JSON.stringify({ ...(JSON.parse(l) as object), by_action: undefined, failed_by_action: undefined, llm: undefined, budget: undefined })))
      .join('\n');
  }
  const events = seriesFromEvents(parseEventLines(lines));
  const db = await withSimDb(join(dir, 'sim.duckdb'), (d) => seriesFromDb(d, dir));
  return { events, db };
}

describe('the two sources of a run\'s series', () => {
  it('agree on every per-step total for a finished run whose events carry the totals only', async () => {
    const { events, db } = await bothSources(smallDir, true);
    expect(events.steps).toHaveLength(6);
    expect(events.actions.every((a) => a.action === 'all')).toBe(true);
    expect(new Set(db.actions.map((a) => a.action)).size).toBeGreaterThan(1);
    expect(totals(db)).toEqual(totals(events));
  });

  it("agree action by action when the events carry this version's by_action", async () => {
    const { events, db } = await bothSources(smallDir);
    const key = (rows: RunSeries['actions']): string[] => rows.map((a) => JSON.stringify([a.step, a.action, a.count, a.failed])).sort();
    expect(new Set(events.actions.map((a) => a.action)).size).toBeGreaterThan(1);
    expect(key(events.actions)).toEqual(key(db.actions));
  });
});

describe('the run page of a live run', () => {
  it('shows steps arriving while a child process runs, then marks the run finished; the finished page then reads the database', async () => {
    fakeLlm = await startFakeOpenAI({ latencyMs: 200 });
    const file = join(results, 'live.yaml');
    writeFileSync(file, liveYaml(fakeLlm.url));
    child = spawn(process.execPath, [BIN, 'run', file, '--out', results, '-q', '--no-preflight', '--no-report'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((ok) => child!.on('close', (code) => ok(code)));

    // The run folder exists, locked by the child, once the run starts; its run.json (what makes
    // it a run for the board) may come a moment after the lock.
    const liveRoot = join(results, 'live');
    let runId: string | undefined;
    for (let k = 0; k < 600 && runId === undefined; k++) {
      runId = existsSync(liveRoot) ? readdirSync(liveRoot).find((d) => existsSync(join(liveRoot, d, 'run.lock')) && existsSync(join(liveRoot, d, 'run.json'))) : undefined;
      if (runId === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(runId, stderr).toBeDefined();
    const addr = `live/${runId}`;

    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/run?run=${encodeURIComponent(addr)}`);
    expect(await page.locator('#run-state').textContent()).toBe('live');
    // (Expressions as strings: this file is type-checked without the DOM library.)
    await page.waitForFunction("Number(document.getElementById('step-count').textContent) >= 1", undefined, { timeout: 60_000 });
    const firstSeen = Number(await page.locator('#step-count').textContent());
    expect(firstSeen).toBeLessThan(LIVE_STEPS);
    // More steps come without reloading the page.
    await page.waitForFunction(`Number(document.getElementById('step-count').textContent) > ${firstSeen}`, undefined, { timeout: 60_000 });
    await page.waitForFunction("document.getElementById('run-state').textContent === 'finished'", undefined, { timeout: 60_000 });
    expect(await page.locator('body').getAttribute('data-finished-status')).toBe('completed');
    expect(await page.locator('#step-count').textContent()).toBe(String(LIVE_STEPS));
    expect(await page.locator('#steps-table tbody tr').count()).toBe(LIVE_STEPS);
    // Each step's 4 agents asked the endpoint once (one decision each, every one answered).
    const llmCells = await page.locator('#steps-table tbody tr td:nth-child(6)').allTextContents();
    expect(llmCells).toEqual(Array.from({ length: LIVE_STEPS }, () => '4'));
    expect(await exited).toBe(0);
    // --no-report: the report link answers 404, not an empty page.
    expect((await fetch(`${board.url}/run/report?run=${encodeURIComponent(addr)}`)).status).toBe(404);

    // Finished: the same page now draws from the database, with per-endpoint latency and the budget left.
    await page.goto(`${board.url}/run?run=${encodeURIComponent(addr)}`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.locator('#source').textContent()).toContain('sim.duckdb');
    await page.waitForSelector('#chart-llm-latency svg .mark-symbol.role-mark path');
    await page.waitForSelector('#chart-budget svg .mark-symbol.role-mark path');
    expect(await page.locator('#chart-llm-latency svg .mark-symbol.role-mark path').count()).toBe(LIVE_STEPS);
    expect(problems).toEqual([]);

    const dir = join(results, 'live', runId!);
    const { events, db } = await bothSources(dir);
    expect(totals(db)).toEqual(totals(events));
    // 500 requests allowed, 4 sent per step: 500 − 4·10 left after the last step.
    expect(db.budget.at(-1)).toMatchObject({ step: LIVE_STEPS - 1, scope: 'local', left_requests: 500 - 4 * LIVE_STEPS, max_requests: 500 });
    expect(db.llm.every((l) => l.endpoint.startsWith(fakeLlm.url.replace(/\/v1$/, '')))).toBe(true);
  }, 200_000);
});

describe('seriesFromEvents with the richer step events', () => {
  it('reads by_action, failed_by_action, llm per endpoint and budget used into the same series, and counts a step logged twice once', () => {
    const step = (n: number, extra: object): object => ({ type: 'step', step: n, sim_time: `2024-06-17T0${8 + n}:00:00.000Z`, active_agents: 3, actions: 5, failed_actions: 1, llm_requests: 3, llm_failures: 1, wall_ms: 9, ...extra });
    const rich = {
      by_action: { post: 2, like: 3 },
      failed_by_action: { like: 1 },
      llm: [
        { model: 'm', endpoint: 'http://a/v1', requests: 2, failures: 0, latency_ms_mean: 40 },
        { model: 'm', endpoint: 'http://b/v1', requests: 1, failures: 1, latency_ms_mean: 90 },
      ],
      budget: [{ scope: 'run', used_requests: 7, max_requests: 10, used_tokens: 100 }],
    };
    const s = seriesFromEvents([
      { type: 'run_started' },
      step(0, { ...rich, active_agents: 99 }), // replaced by the later line for step 0
      step(1, {}),
      step(0, rich),
      'not an event',
    ]);
    expect(s.steps.map((p) => [p.step, p.active_agents])).toEqual([[0, 3], [1, 3]]);
    // Keys sorted: like before post.
    expect(s.actions).toEqual([
      { step: 0, action: 'like', count: 3, failed: 1 },
      { step: 0, action: 'post', count: 2, failed: 0 },
      { step: 1, action: 'all', count: 5, failed: 1 },
    ]);
    expect(s.llm).toEqual([
      { step: 0, model: 'm', endpoint: 'http://a/v1', requests: 2, failures: 0, latency_ms_mean: 40 },
      { step: 0, model: 'm', endpoint: 'http://b/v1', requests: 1, failures: 1, latency_ms_mean: 90 },
      { step: 1, model: 'all', endpoint: 'all', requests: 3, failures: 1, latency_ms_mean: null },
    ]);
    // 10 − 7 requests left; no token cap given, so none shown.
    expect(s.budget).toEqual([{ step: 0, scope: 'run', left_requests: 3, max_requests: 10, left_tokens: null, max_tokens: null, left_usd: null, max_usd: null }]);
  });
});

describe('tailLines', () => {
  it('hands over each complete line once, holds a line still being written, and stops when closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socialsim-tail-'));
    const file = join(dir, 'events.jsonl');
    const got: string[] = [];
    const tail = tailLines(file, (lines) => got.push(...lines), { pollMs: 20 });
    try {
      tail.readNow(); // no file yet: nothing, no error
      writeFileSync(file, '{"a":1}\n{"b":');
      tail.readNow();
      expect(got).toEqual(['{"a":1}']);
      appendFileSync(file, '2}\n');
      await waitFor(() => got.length === 2);
      expect(got).toEqual(['{"a":1}', '{"b":2}']);
      tail.close();
      appendFileSync(file, '{"c":3}\n');
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toHaveLength(2);
    } finally {
      tail.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function waitFor(ok: () => boolean): Promise<void> {
  for (let k = 0; k < 200 && !ok(); k++) await new Promise((r) => setTimeout(r, 10));
}
