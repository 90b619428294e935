import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb, type SimDb } from '../../src/analysis/open.js';
import { compound } from '../../src/analysis/sentiment.js';
import { startBoard, type Board } from '../../src/board/server.js';
import { parseExperiment } from '../../src/config/load.js';
import { branchRun } from '../../src/engine/branch.js';
import { runExperiment } from '../../src/engine/run.js';
import type { SweepFile } from '../../src/sweep/run-sweep.js';
import { launchBrowser, watchedPage } from '../helpers/browser.js';
import { SMALL_YAML, smallExperiment } from '../helpers/experiment.js';

type Counts = Record<'posts' | 'likes' | 'reposts' | 'follows' | 'active_agents' | 'failed_actions', number>;

/** Per-step figures recounted from the tables (opening posts left out; likes and follows as applied actions). */
async function recount(db: SimDb): Promise<Map<number, Counts>> {
  const upto = (await db.one<{ n: number }>(`SELECT max(value::BIGINT)::BIGINT AS n FROM meta WHERE key = 'opening_posts'`))!.n;
  const out = new Map<number, Counts>();
  const at = (s: number): Counts => out.get(s) ?? out.set(s, { posts: 0, likes: 0, reposts: 0, follows: 0, active_agents: 0, failed_actions: 0 }).get(s)!;
  for (const p of await db.query<{ post_id: number; kind: string; step: number }>(`SELECT post_id, kind, created_step AS step FROM posts`)) {
    if (p.post_id > upto) at(p.step)[p.kind === 'repost' ? 'reposts' : 'posts']++;
  }
  for (const t of await db.query<{ step: number; action: string }>(`SELECT step, action FROM trace WHERE ok AND action IN ('like', 'follow')`)) at(t.step)[t.action === 'like' ? 'likes' : 'follows']++;
  for (const s of await db.query<{ step: number; active_agents: number; failed_actions: number }>(`SELECT step, active_agents, failed_actions FROM steps`)) Object.assign(at(s.step), s);
  return out;
}

/** Mean VADER compound per step over the posts agents wrote in the run (not reposts, not opening posts). */
async function recountSentiment(db: SimDb): Promise<Map<number, number>> {
  const upto = (await db.one<{ n: number }>(`SELECT max(value::BIGINT)::BIGINT AS n FROM meta WHERE key = 'opening_posts'`))!.n;
  const posts = await db.query<{ post_id: number; step: number; text: string; kind: string; author: string | null }>(
    `SELECT p.post_id, p.created_step AS step, p.text, p.kind, u.kind AS author FROM posts p LEFT JOIN users u ON u.user_id = p.author_id`,
  );
  const sums = new Map<number, number[]>();
  for (const p of posts) {
    if (p.post_id <= upto || p.kind === 'repost' || p.text === '' || (p.author ?? 'agent') !== 'agent') continue;
    sums.set(p.step, [...(sums.get(p.step) ?? []), compound(p.text)]);
  }
  return new Map([...sums].map(([step, xs]) => [step, xs.reduce((a, b) => a + b, 0) / xs.length]));
}

interface Session { step: number; cohort: string; pages: number; liked: number }

/** Browse sessions recounted from trace and impressions: pages = 1 + next_page, liked = likes of shown posts. */
async function recountSessions(db: SimDb): Promise<Session[]> {
  const agents = new Map((await db.query<{ user_id: number; cohort: string }>(`SELECT user_id, cohort FROM users WHERE kind = 'agent'`)).map((u) => [u.user_id, u.cohort]));
  const shown = new Set((await db.query<{ k: string }>(`SELECT step || ':' || agent_id || ':' || post_id AS k FROM impressions WHERE source IN ('recsys', 'home')`)).map((r) => r.k));
  const sessions = new Map<string, Session>();
  for (const t of await db.query<{ step: number; agent_id: number; action: string; ok: boolean; post_id: number | null }>(`SELECT step, agent_id, action, ok, CAST(args->>'post_id' AS BIGINT) AS post_id FROM trace ORDER BY seq`)) {
    if (!agents.has(t.agent_id)) continue;
    const k = `${t.step}:${t.agent_id}`;
    const s = sessions.get(k) ?? sessions.set(k, { step: t.step, cohort: agents.get(t.agent_id)!, pages: 1, liked: 0 }).get(k)!;
    if (t.ok && t.action === 'next_page') s.pages++;
    if (t.ok && t.action === 'like' && shown.has(`${k}:${t.post_id}`)) s.liked++;
  }
  return [...sessions.values()];
}

let results: string;
let board: Board;
let browser: Browser;
let parent: string;
let branch: string;
let browse: string;
let sweep: string;
const sweepRuns: { run: string; kind: string }[] = [];
const counts = new Map<string, Map<number, Counts>>();
let sessions: Session[] = [];
const sentiments = new Map<string, Map<number, number>>();

const address = (dir: string): string => `${basename(join(dir, '..'))}/${basename(dir)}`;

beforeAll(async () => {
  results = mkdtempSync(join(tmpdir(), 'socialsim-board-compare-'));
  const p = await runExperiment(smallExperiment(), { resultsRoot: results, quiet: true });
  const b = await branchRun(p.dir, { resultsRoot: results, quiet: true, atStep: 3, overrides: ['recsys.kind=random'] });
  const w = await runExperiment(parseExperiment(`${SMALL_YAML}browse: { page_size: 3, max_pages: 3 }\n`, 'browse.yaml'), { resultsRoot: results, quiet: true });
  // A sweep of two conditions × one seed, run in-process: its runs, and the sweep.json `socialsim sweep` would write beside them.
  const file: SweepFile = { sweep_id: 'test', experiment: 'tiny', file: 'tiny.yaml', base_overrides: [], params: ['recsys.kind', 'seed'], runs: [] };
  for (const kind of ['random', 'reddit-hot']) {
    const r = await runExperiment(smallExperiment({ overrides: ['name=tiny', 'clock.timesteps=4', `recsys.kind=${kind}`] }), { resultsRoot: results, quiet: true });
    file.runs.push({ run_id: basename(r.dir), config_hash: '', params: { 'recsys.kind': kind, seed: 7 }, overrides: [], status: 'completed' });
    sweepRuns.push({ run: address(r.dir), kind });
    counts.set(address(r.dir), await withSimDb(join(r.dir, 'sim.duckdb'), recount));
  }
  mkdirSync(join(results, 'tiny', 'sweep-test'));
  writeFileSync(join(results, 'tiny', 'sweep-test', 'sweep.json'), JSON.stringify(file));
  [parent, branch, browse, sweep] = [address(p.dir), address(b.dir), address(w.dir), 'tiny/sweep-test'];
  counts.set(parent, await withSimDb(join(p.dir, 'sim.duckdb'), recount));
  counts.set(branch, await withSimDb(join(b.dir, 'sim.duckdb'), recount));
  sentiments.set(parent, await withSimDb(join(p.dir, 'sim.duckdb'), recountSentiment));
  sentiments.set(branch, await withSimDb(join(b.dir, 'sim.duckdb'), recountSentiment));
  sessions = await withSimDb(join(w.dir, 'sim.duckdb'), recountSessions);
  board = await startBoard({ resultsDir: results, port: 0 });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await board?.close();
  if (results) rmSync(results, { recursive: true, force: true });
});

const SERIES = ['posts', 'likes', 'reposts', 'follows', 'active_agents', 'failed_actions'] as const;

describe('the compare page', () => {
  it('when opened on a branch then its parent is preselected, both runs are drawn with a rule at the branch step, and the figures equal the tables', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/compare?a=${encodeURIComponent(branch)}`);
    await page.waitForSelector('#compare-table tbody tr');
    // Six series and, once scored, the sentiment chart.
    await page.waitForFunction(`document.querySelectorAll('.chart svg').length === 7`);
    expect(await page.locator('#pick-b').inputValue()).toBe(parent);
    expect(new URL(page.url()).searchParams.get('b')).toBe(parent);
    expect(await page.locator('#branch-note').textContent()).toContain('A is a branch of B at step 3');
    // Each chart: two lines (A and B) and the rule at step 3.
    for (const key of [...SERIES, 'sentiment']) {
      const chart = page.locator(`.chart[data-series="${key}"]`);
      expect(await chart.locator('.mark-line path').count(), key).toBe(2);
      // (role-mark: the axes' ticks and grid are rules too)
      expect(await chart.locator('.mark-rule.role-mark line').count(), key).toBe(1);
    }
    const rows = page.locator('#compare-table tbody tr');
    expect(await rows.count()).toBe(6);
    for (let step = 0; step < 6; step++) {
      for (const key of SERIES) {
        for (const [side, run] of [['a', branch], ['b', parent]] as const) {
          const text = await page.locator(`#compare-table tr[data-step="${step}"] td[data-side="${side}"][data-series="${key}"]`).textContent();
          expect(Number(text), `${run} step ${step} ${key}`).toBe(counts.get(run)!.get(step)![key]);
        }
      }
    }
    // Mean sentiment per step, as the chart drew it, equals VADER recomputed on the posts.
    for (const run of [branch, parent]) {
      const got = (await (await fetch(`${board.url}/api/compare/sentiment?run=${encodeURIComponent(run)}`)).json()) as { steps: { step: number; mean: number }[] };
      const want = sentiments.get(run)!;
      expect(got.steps.map((s) => s.step)).toEqual([...want.keys()].sort((x, y) => x - y));
      for (const s of got.steps) expect(s.mean, `${run} step ${s.step}`).toBeCloseTo(want.get(s.step)!, 10);
    }
    // Steps before the branch are shared and marked so.
    expect(await page.locator('#compare-table tr.shared').count()).toBe(3);
    expect(problems).toEqual([]);
  });

  it('when a run of a sweep is picked then the page offers its conditions, drawn as one mean line per condition over time', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/compare?a=${encodeURIComponent(sweepRuns[0]!.run)}`);
    await page.locator('#sweep-link').click();
    await page.waitForSelector('#sweep-table tbody tr');
    await page.waitForFunction(`document.querySelectorAll('.chart svg').length === 6`);
    expect(new URL(page.url()).searchParams.get('sweep')).toBe(sweep);
    expect(await page.locator('.chart[data-series="posts"] .mark-line path').count()).toBe(2);
    // 2 conditions × 4 steps; one seed each, so each mean is that run's figure.
    expect(await page.locator('#sweep-table tbody tr').count()).toBe(8);
    for (const { run, kind } of sweepRuns) {
      for (let step = 0; step < 4; step++) {
        const row = page.locator(`#sweep-table tr[data-condition="${kind}"][data-step="${step}"]`);
        for (const key of SERIES) expect(Number(await row.locator(`td[data-series="${key}"]`).textContent()), `${kind} ${step} ${key}`).toBe(counts.get(run)!.get(step)![key]);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the sessions page', () => {
  it('when filtered in the URL then its rows and summary equal a recount from trace and impressions, 100 a page', async () => {
    const { page, problems } = await watchedPage(browser);
    const kept = sessions.filter((s) => s.cohort === 'loud' && s.step >= 2 && s.step <= 3 && s.pages >= 2 && s.liked > 0);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(100);
    await page.goto(`${board.url}/sessions?run=${encodeURIComponent(browse)}&cohort=loud&from=2&to=3&min_pages=2&liked=1`);
    await page.waitForSelector('#pages-chart svg');
    expect(await page.locator('#sessions tbody tr').count()).toBe(kept.length);
    expect(Number(await page.locator('#summary td[data-key="sessions"]').textContent())).toBe(kept.length);
    expect(Number(await page.locator('#summary td[data-key="pages read"]').textContent())).toBeCloseTo(kept.reduce((n, s) => n + s.pages, 0) / kept.length, 2);
    // One bar per distinct pages-read value.
    expect(await page.locator('#pages-chart .mark-rect path').count()).toBe(new Set(kept.map((s) => s.pages)).size);

    // Unfiltered: more than 100 sessions, so the last page holds the rest.
    expect(sessions.length).toBeGreaterThan(200);
    const last = Math.ceil(sessions.length / 100);
    await page.goto(`${board.url}/sessions?run=${encodeURIComponent(browse)}&page=${last}`);
    expect(await page.locator('#sessions tbody tr').count()).toBe(sessions.length - 100 * (last - 1));
    // Sorting by pages read, most first, from the column header.
    await page.goto(`${board.url}/sessions?run=${encodeURIComponent(browse)}`);
    expect(await page.locator('#sessions tbody tr').count()).toBe(100);
    await page.locator('#sessions th a[data-sort="pages"]').click();
    await page.waitForURL(/sort=pages/);
    expect(Number(await page.locator('#sessions tbody tr').first().locator('td').nth(3).textContent())).toBe(Math.max(...sessions.map((s) => s.pages)));
    expect(problems).toEqual([]);
  });

  it('when the run was not in browse mode then the page says sessions need browse mode and how to turn it on', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/sessions?run=${encodeURIComponent(parent)}`);
    const text = await page.locator('#not-browse').textContent();
    expect(text).toContain('sessions exist only in browse mode');
    expect(text).toContain('browse: { page_size: 5, max_pages: 4 }');
    expect(await page.locator('#sessions').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
