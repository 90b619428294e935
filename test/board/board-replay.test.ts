/**
 * The replay page in Chromium on two real small runs: the statistical `small` experiment
 * (player, platform, agent feed against the impressions table, thread and cascade, graph) and a
 * mixed run whose LLM cohort talked to a loopback fake server (the model's answer and the
 * prompt and answer, stance colouring). Expected figures come from the runs' tables,
 * read before the board opens them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSimDb } from '../../src/analysis/open.js';
import { startBoard, type Board } from '../../src/board/server.js';
import { runExperiment } from '../../src/engine/run.js';
import { startFakeOpenAI, type FakeServer } from '../../src/llm/fake-server.js';
import { launchBrowser, watchedPage } from '../helpers/browser.js';
import { smallExperiment } from '../helpers/experiment.js';
import { experiment, likeTop, localModel } from '../helpers/llm.js';

let results: string;
let board: Board;
let browser: Browser;
let fakeLlm: FakeServer;
let small: string;
let mixed: string;
/** An agent shown posts at step 2 of the small run, and those impressions in display order. */
let viewer: { id: number; username: string; rows: { post_id: number; source: string; rank: number }[] };
/** The small run's most reposted post and its cascade size (root included) at each step ≥ its own. */
let spread: { post_id: number; created_step: number; sizes: Map<number, number> };
let llmAgent: { id: number; step: number };

beforeAll(async () => {
  results = mkdtempSync(join(tmpdir(), 'socialsim-board-replay-'));
  const a = await runExperiment(smallExperiment(), { resultsRoot: results, quiet: true });
  small = `small/${a.dir.split('/').pop()}`;
  fakeLlm = await startFakeOpenAI({ handler: likeTop });
  const b = await runExperiment(experiment(localModel([fakeLlm.url]), ['dataset.generate.stance_topics=[tech]']), { resultsRoot: results, quiet: true });
  mixed = `llm-mix/${b.dir.split('/').pop()}`;
  await withSimDb(join(a.dir, 'sim.duckdb'), async (db) => {
    const v = await db.one<{ id: number; username: string }>(
      `SELECT i.agent_id AS id, u.username FROM impressions i JOIN users u ON u.user_id = i.agent_id WHERE i.step = 2
       GROUP BY ALL HAVING count(DISTINCT i.source) = 2 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    // Display order: the feed (recsys / home) first, by rank; the timeline helper's order.
    const rows = await db.query<{ post_id: number; source: string; rank: number }>(
      `SELECT post_id::DOUBLE AS post_id, source, rank FROM impressions WHERE agent_id = $1 AND step = 2 ORDER BY source NOT IN ('recsys', 'home'), rank`,
      [v!.id],
    );
    viewer = { ...v!, rows };
    const top = await db.one<{ post_id: number; author_id: number; created_step: number }>(
      `SELECT p.post_id::DOUBLE AS post_id, p.author_id, p.created_step FROM reposts r JOIN posts p USING (post_id)
       GROUP BY ALL ORDER BY count(DISTINCT r.created_step) DESC, count(*) DESC, 1 LIMIT 1`,
    );
    const reposts = await db.query<{ user_id: number; created_step: number }>(`SELECT user_id, created_step FROM reposts WHERE post_id = $1`, [top!.post_id]);
    const sizes = new Map<number, number>();
    for (let t = top!.created_step; t <= 5; t++) sizes.set(t, new Set(reposts.filter((r) => r.created_step <= t && r.user_id !== top!.author_id).map((r) => r.user_id)).size + 1);
    spread = { post_id: top!.post_id, created_step: top!.created_step, sizes };
  });
  await withSimDb(join(b.dir, 'sim.duckdb'), async (db) => {
    const c = await db.one<{ id: number; step: number }>(`SELECT agent_id AS id, step FROM llm_calls WHERE outcome = 'ok' ORDER BY step, agent_id LIMIT 1`);
    llmAgent = c!;
  });
  board = await startBoard({ resultsDir: results, port: 0 });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await board?.close();
  await fakeLlm?.close();
  rmSync(results, { recursive: true, force: true });
});

const stepShown = (page: Page): Promise<string | null> => page.locator('#step-label').getAttribute('data-step');
/** Waits until the platform panel shows step `s` (its answer came back). */
const platformAt = (page: Page, s: number): Promise<unknown> => page.waitForSelector(`#platform[data-step="${s}"]`);
const urlStep = (page: Page): string | null => new URL(page.url()).searchParams.get('step');

describe('the replay page', () => {
  it('steps with the arrow keys, the slider and play / pause, keeping the step in the URL', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/replay?run=${encodeURIComponent(small)}&step=2`);
    await platformAt(page, 2);
    // clock: 08:00 start, 1h steps.
    expect(await page.locator('#step-label').textContent()).toContain('2024-06-17T10:00:00Z');
    expect(await page.locator('#posts tbody tr').count()).toBe(50);

    await page.keyboard.press('ArrowRight');
    await platformAt(page, 3);
    expect(await stepShown(page)).toBe('3');
    expect(urlStep(page)).toBe('3');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await platformAt(page, 1);
    expect(urlStep(page)).toBe('1');

    await page.locator('#slider').fill('4');
    await platformAt(page, 4);
    expect(urlStep(page)).toBe('4');
    expect(await page.locator('#step-label').textContent()).toContain('2024-06-17T12:00:00Z');

    // Play from step 0 at 4 steps/s, pause once it has moved on, and check it stays put.
    await page.locator('#slider').fill('0');
    await platformAt(page, 0);
    await page.locator('#speed').selectOption('4');
    await page.locator('#play').click();
    await page.waitForFunction(`Number(document.getElementById('step-label').dataset.step) >= 2`);
    await page.locator('#play').click();
    const paused = await stepShown(page);
    expect(await page.locator('#play').textContent()).toContain('play');
    await page.waitForTimeout(800);
    expect(await stepShown(page)).toBe(paused);
    expect(urlStep(page)).toBe(paused);
    // Space plays to the end, where the player stops by itself.
    await page.locator('h1').click();
    await page.keyboard.press(' ');
    await page.waitForFunction(`document.getElementById('step-label').dataset.step === '5' && document.getElementById('play').textContent.includes('play')`);
    await platformAt(page, 5);
    expect(problems).toEqual([]);
  });

  it('opens an agent from the search box: its feed rows are its impressions at that step', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/replay?run=${encodeURIComponent(small)}&step=2`);
    await platformAt(page, 2);
    await page.locator('#agent-search').fill(viewer.username);
    await page.locator(`#agent-hits a[data-user="${viewer.id}"]`).click();
    await page.waitForSelector(`#agent[data-user="${viewer.id}"][data-step="2"]`);
    expect(new URL(page.url()).searchParams.get('agent')).toBe(String(viewer.id));
    const rows = await page.locator('#agent-feed tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ post_id: Number(tr.getAttribute('data-post')), source: tr.getAttribute('data-source'), rank: Number(tr.getAttribute('data-rank')) })),
    );
    expect(rows).toEqual(viewer.rows);
    // Stepping keeps the agent open and reloads its panel for the new step.
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`#agent[data-user="${viewer.id}"][data-step="3"]`);
    expect(new URL(page.url()).searchParams.get('agent')).toBe(String(viewer.id));
    expect(problems).toEqual([]);
  });

  it('opens a thread whose cascade grows with the step, and the follow graph of an author', async () => {
    const { page, problems } = await watchedPage(browser);
    const last = 5;
    await page.goto(`${board.url}/replay?run=${encodeURIComponent(small)}&step=${last}&post=${spread.post_id}`);
    await page.waitForSelector(`#thread[data-post="${spread.post_id}"][data-step="${last}"]`);
    expect(await page.locator('#cascade li').count()).toBe(spread.sizes.get(last));
    for (let t = last - 1; t >= spread.created_step; t--) {
      await page.keyboard.press('ArrowLeft');
      await page.waitForSelector(`#thread[data-step="${t}"]`);
      expect(await page.locator('#cascade li').count(), `step ${t}`).toBe(spread.sizes.get(t));
    }
    // The cascade grew at some step (else this checks nothing).
    expect(spread.sizes.get(last)!).toBeGreaterThan(spread.sizes.get(spread.created_step)!);

    // Clicking a post id in the platform table opens its thread (a repost would open its source's).
    const first = page.locator('#posts tbody tr:not([data-kind="repost"])').first();
    const id = await first.getAttribute('data-post');
    await first.locator('a.post').first().click();
    await page.waitForSelector(`#thread-posts [data-post="${id}"]`);
    expect(new URL(page.url()).searchParams.get('post')).toBe(id);

    // Clicking the root's author opens the agent panel and its follow graph.
    await page.goto(`${board.url}/replay?run=${encodeURIComponent(small)}&step=${last}&post=${spread.post_id}`);
    await page.waitForSelector(`#thread[data-post="${spread.post_id}"]`);
    const root = page.locator('#cascade > li > a.user');
    const author = await root.getAttribute('data-user');
    await root.click();
    await page.waitForSelector(`#agent[data-user="${author}"]`);
    await page.waitForSelector('#graph[data-step] svg');
    const nodes = Number(await page.locator('#graph').getAttribute('data-nodes'));
    expect(nodes).toBeGreaterThan(1);
    expect(await page.locator('#graph g.mark-symbol.role-mark path').count()).toBe(nodes);
    expect(await page.locator('#graph-info').textContent()).toMatch(/follows \d+, followed by \d+/);
    // This run's personas hold no stances: only cohort colours are offered.
    expect(await page.locator('#colour-by option[value="stance"]').isDisabled()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('shows an LLM agent\'s prompt and answer as the server got and gave them, and colours the graph by stance', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/replay?run=${encodeURIComponent(mixed)}&step=${llmAgent.step}&agent=${llmAgent.id}`);
    await page.waitForSelector(`#agent[data-user="${llmAgent.id}"][data-step="${llmAgent.step}"]`);
    // likeTop answers with tool calls: a like of the top post (or a post when the feed is empty).
    expect(await page.locator('#agent pre.answer').first().textContent()).toMatch(/"(like|create_post)"/);
    // The prompt as the loopback server received it: the same roles, and the user message's text.
    const roles = await page.locator('#agent ol.prompt').first().locator('li').evaluateAll((li) => li.map((x) => x.getAttribute('data-role')));
    expect(roles[0]).toBe('system');
    expect(roles).toContain('user');
    const shownUser = await page.locator('#agent ol.prompt').first().locator('li[data-role="user"] pre').first().textContent();
    const sentUsers = fakeLlm!.requests.flatMap((r) => ((r.body as { messages?: { role: string; content: unknown }[] }).messages ?? []).filter((m) => m.role === 'user').map((m) => m.content));
    expect(sentUsers).toContain(shownUser);
    await page.waitForSelector('#graph[data-step] svg');
    expect(await page.locator('#colour-by option[value="stance"]').isDisabled()).toBe(false);
    await page.locator('#colour-by').selectOption('stance');
    // The legend is now a gradient over stance in [−1, 1].
    await page.waitForFunction(`document.querySelector('#graph svg')?.textContent.includes('stance') === true`);
    expect(problems).toEqual([]);
  });
});
