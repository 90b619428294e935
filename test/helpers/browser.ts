/**
 * Headless Chromium for the board's browser tests: Debian's `chromium` driven by playwright-core
 * (its own browser download cannot reach the network here). One browser per test file; each
 * page records console errors and uncaught exceptions so a test can assert there were none.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SOCIALSIM_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface WatchedPage {
  readonly page: Page;
  /** Console errors, failed requests to the board and uncaught exceptions, in order. */
  readonly problems: string[];
}

/** A new page that records what went wrong in it; it is closed with the browser. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  // Nothing may leave loopback: the board works with no internet.
  await page.route(/^(?!http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])/, (route) => {
    problems.push(`off-machine request: ${route.request().url()}`);
    return route.abort();
  });
  return { page, problems };
}
