import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type Board } from '../../src/board/server.js';
import { runExperiment } from '../../src/engine/run.js';
import { launchBrowser, watchedPage } from '../helpers/browser.js';
import { smallExperiment } from '../helpers/experiment.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

let results: string;
let runDir: string;
let board: Board;
let browser: Browser;

beforeAll(async () => {
  results = mkdtempSync(join(tmpdir(), 'socialsim-board-'));
  ({ dir: runDir } = await runExperiment(smallExperiment(), { resultsRoot: results, quiet: true }));
  board = await startBoard({ resultsDir: results, port: 0 });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await board?.close();
  rmSync(results, { recursive: true, force: true });
});

describe('the board server', () => {
  it('lists the run on the runs page in a real browser, with no console errors', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/`);
    const row = page.locator('#runs tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-run')).toBe(`small/${runDir.split('/').pop()}`);
    expect(await row.locator('td').nth(2).textContent()).toBe('completed');
    expect(await row.locator('td').nth(4).textContent()).toBe('6/6');
    expect(problems).toEqual([]);
  });

  it("links each run to its analytics, report, replay, comparison and sessions pages, and every link answers", async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${board.url}/`);
    const hrefs = await page.locator('#runs tbody tr').first().locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const path of ['/run?', '/run/report?', '/replay?', '/compare?', '/sessions?']) expect(hrefs.some((h) => h.startsWith(path)), path).toBe(true);
    for (const h of hrefs) {
      const r = await fetch(`${board.url}${h}`);
      // The report link needs report.html, which an in-process run does not write: a clear 404.
      expect(r.status, h).toBe(h.startsWith('/run/report?') ? 404 : 200);
    }
    expect(problems).toEqual([]);
  });

  it('binds to loopback by default', () => {
    expect(board.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses paths that leave the results folder, and answers errors without a trace', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'socialsim-outside-'));
    try {
      mkdirSync(join(results, 'links'), { recursive: true });
      symlinkSync(outside, join(results, 'links', 'out'));
      for (const run of ['../etc', '/etc', 'small/../..', 'links/out', '%2e%2e']) {
        const r = await fetch(`${board.url}/api/replay/meta?run=${encodeURIComponent(run)}`);
        // 404 for every one of them (the route may not exist yet in this build: 404 as well).
        expect(r.status, run).toBe(404);
        expect(await r.text()).not.toContain(outside);
      }
      const bad = await fetch(`${board.url}/static/..%2f..%2fpackage.json`);
      expect(bad.status).toBe(404);
      const post = await fetch(`${board.url}/`, { method: 'POST' });
      expect(post.status).toBe(405);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('serves the vega bundles from the installed packages', async () => {
    const r = await fetch(`${board.url}/static/lib/vega-lite.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('javascript');
    expect((await r.text()).length).toBeGreaterThan(100_000);
  });
});
