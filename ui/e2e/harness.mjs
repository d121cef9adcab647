// Browser-test harness: the real periscope binary ($PERISCOPE_BIN) with demo traffic, and Debian's
// Chromium driven by playwright-core. Screenshots go to ui/test-results/screenshots/.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../tests/clients/lib/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(HERE, '..', 'test-results');
export const SCREENSHOT_DIR = join(RESULTS_DIR, 'screenshots');
const CHROMIUM = process.env.PERISCOPE_CHROMIUM ?? '/usr/bin/chromium';

// Starts `periscope demo` on a fresh data dir; `args` are extra flags (e.g. ['--backfill', '24h']).
// Returns {server, url}; call server.cleanup() when done.
export async function startDemo({ args = [], timeoutMs = 120000 } = {}) {
  const server = await startServer({ command: 'demo', args, timeoutMs });
  return { server, url: server.httpUrl };
}

// Launches headless Chromium. Returns the playwright Browser; close it when done.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

// A new page with a desktop viewport that fails the test on uncaught page errors (collected in
// page.errors) and records console errors (page.consoleErrors).
export async function newPage(browser, { colorScheme = 'dark' } = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.consoleErrors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

// Loads `url` in `page` and returns the milliseconds from navigation start until `readySelector`
// is visible (the page shows real data), as measured by the browser's clock: a MutationObserver
// installed before the page's scripts run notes the moment, so the test's own round trips to
// the browser (slow on a loaded machine) do not count. The wait for that moment is a plain
// evaluate: Playwright's waitForSelector would first load its injected script (~0.5 MB) into
// the page, 100-200 ms of the page's main thread on a loaded machine, in the middle of the
// render being timed. waitForSelector runs once the time is taken.
export async function timeFirstRender(page, url, readySelector, { timeoutMs = 15000 } = {}) {
  page.watchedSelectors ??= new Set();
  if (!page.watchedSelectors.has(readySelector)) {
    page.watchedSelectors.add(readySelector);
    await page.addInitScript((sel) => {
      window.__firstRender ??= {};
      const seen = () => {
        const el = document.querySelector(sel);
        if (!el || !el.checkVisibility()) return false;
        window.__firstRender[sel] = performance.now();
        return true;
      };
      const observer = new MutationObserver(() => { if (seen()) observer.disconnect(); });
      observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    }, readySelector);
  }
  await page.goto(url, { waitUntil: 'commit' });
  const ms = await page.evaluate(([sel, limit]) => new Promise((resolve) => {
    const deadline = performance.now() + limit;
    const poll = () => {
      const t = window.__firstRender?.[sel];
      if (t !== undefined || performance.now() > deadline) resolve(t ?? null);
      else setTimeout(poll, 50);
    };
    poll();
  }), [readySelector, timeoutMs]);
  await page.waitForSelector(readySelector, { state: 'visible', timeout: timeoutMs });
  return ms ?? page.evaluate((sel) => window.__firstRender?.[sel] ?? performance.now(), readySelector);
}

// Polls `fn` (async, returns truthy when done) every 250 ms for at most `timeoutMs`.
export async function eventually(fn, { timeoutMs = 30000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}
