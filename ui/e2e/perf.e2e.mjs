// First render of every page against a demo with history (`periscope demo --backfill`): each page
// is loaded cold (new browser context, empty cache) twice, must show real data, and must render
// within the budget. The backfilled window and the budget come from the environment:
// PERISCOPE_E2E_BACKFILL (default 24h: a day of demo data, as issue 4 asks; the backfill takes
// 35-95 s on the 2-core machine),
// PERISCOPE_E2E_RENDER_BUDGET_MS (default 3000: a regression guard that holds on a loaded 2-core CI
// machine; the product target is 1000, checked with PERISCOPE_E2E_RENDER_BUDGET_MS=1000 on a quiet
// machine). Prints one line per page, then a 10,000-span trace's first render.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { storeBigTrace } from './bigTrace.mjs';
import { eventually, launchBrowser, newPage, screenshot, startDemo, timeFirstRender } from './harness.mjs';

const BACKFILL = process.env.PERISCOPE_E2E_BACKFILL ?? '24h';
const BUDGET_MS = Number(process.env.PERISCOPE_E2E_RENDER_BUDGET_MS ?? 3000);
const RUNS = 2;

let demo;
let browser;
let services;
let errorTrace;
const figures = [];

before(async () => {
  demo = await startDemo({ args: ['--backfill', BACKFILL, '--backfill-rate', '0.5'], timeoutMs: 60000 });
  // The backfill runs after the server is ready; the demo prints its summary when it is done.
  const summary = await eventually(async () => /backfilled \S+ in [\d.]+ s: .*/.exec(demo.server.stderrTail(100000))?.[0],
    { timeoutMs: 600000, what: `the ${BACKFILL} backfill` });
  console.log(`# ${summary}`);
  browser = await launchBrowser();
  services = await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/services/overview`)).json();
    return r.services.length >= 5 ? r.services : null;
  }, { timeoutMs: 30000, what: 'RED metrics of the backfill' });
  // An error trace of the backfilled history (complete: a live trace may still be growing while
  // the page counts its spans).
  const end = new Date(Date.now() - 10 * 60000);
  const range = `start=${new Date(end.getTime() - 3600000).toISOString()}&end=${end.toISOString()}`;
  errorTrace = (await (await fetch(`${demo.url}/api/traces?q=status:error&limit=1&${range}`)).json()).traces[0];
  assert.ok(errorTrace, 'an error trace in the backfill');
});

after(async () => {
  if (figures.length) console.log(`# first render (ms, ${RUNS} cold loads each): ${figures.join(', ')}`);
  await browser?.close();
  await demo?.server.cleanup();
});

// Loads `path` cold RUNS times; returns the last page (still open), its `budget()` check to call
// once the content was checked.
async function coldRenders(name, path, readySelector) {
  const ms = [];
  let page;
  for (let i = 0; i < RUNS; i++) {
    if (page) await page.context().close();
    page = await newPage(browser);
    ms.push(Math.round(await timeFirstRender(page, `${demo.url}${path}`, readySelector, { timeoutMs: 20000 })));
  }
  figures.push(`${name} ${ms.join('/')}`);
  console.log(`# first render ${name}: ${ms.join(' ms, ')} ms`);
  await screenshot(page, `perf-${name.replace(/[^a-z0-9]+/gi, '-').replace(/^-+|-+$/g, '')}`);
  assert.deepEqual(page.errors, []);
  page.budget = () => assert.ok(Math.min(...ms) < BUDGET_MS, `${name}: first render ${ms.join(', ')} ms, budget ${BUDGET_MS} ms`);
  return page;
}

// Requests the page made to `path` (the boot prefetch must not be asked again by the page).
async function requestsTo(page, path) {
  return page.evaluate((p) => performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname === p).length, path);
}

test('/services', async () => {
  const page = await coldRenders('/services', '/services', '[data-testid=service-row]');
  const names = await page.getByTestId('service-row').getByTestId('service-link').allTextContents();
  assert.deepEqual([...names].sort(), services.map((s) => s.service).sort());
  assert.equal(await requestsTo(page, '/api/services/overview'), 1, 'the prefetched overview is used');
  await page.context().close();
  page.budget();
});

test('/services/:service', async () => {
  const page = await coldRenders('/services/checkout', '/services/checkout', '[data-testid=operation-row]');
  assert.ok(Number.parseFloat(await page.getByTestId('tile-requests').locator('.stat-value').textContent()) > 0);
  assert.equal(await requestsTo(page, '/api/services/checkout/overview'), 1);
  await page.context().close();
  page.budget();
});

test('/map', async () => {
  const page = await coldRenders('/map', '/map', '[data-testid=map-node]');
  const drawn = await page.getByTestId('map-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')));
  for (const s of services) assert.ok(drawn.includes(s.service), `node ${s.service} drawn`);
  await page.context().close();
  page.budget();
});

test('/traces', async () => {
  const page = await coldRenders('/traces', '/traces', 'tr.trace-row');
  assert.ok(await page.locator('tr.trace-row').count() > 0);
  await page.locator('[data-facet="service"] .facet-row', { hasText: 'frontend' }).first().waitFor();
  assert.equal(await requestsTo(page, '/api/traces'), 1);
  assert.equal(await requestsTo(page, '/api/traces/facets'), 1);
  await page.context().close();
  page.budget();
});

test('/traces/:id', async () => {
  const page = await coldRenders(`/traces/:id (${errorTrace.span_count} spans)`, `/traces/${errorTrace.trace_id}`, '.wf-row');
  assert.equal(await page.locator('.wf-row').count(), errorTrace.span_count);
  await page.context().close();
  page.budget();
});

test('/logs', async () => {
  const page = await coldRenders('/logs', '/logs', '[data-testid="log-row"]');
  assert.ok(await page.getByTestId('log-row').count() > 0);
  assert.equal(await requestsTo(page, '/api/logs'), 1);
  await page.context().close();
  page.budget();
});

test('/metrics', async () => {
  const page = await coldRenders('/metrics', '/metrics', '[data-testid="series-legend"]');
  const rows = await page.getByTestId('series-legend').locator('tbody tr').count();
  assert.ok(rows >= 5, `${rows} series`);
  await page.context().close();
  page.budget();
});

test('/traces/:id with 10,000 spans', async () => {
  const traceId = await storeBigTrace(demo.url, 10000);
  const page = await coldRenders('/traces/:id (10,000 spans)', `/traces/${traceId}`, '.wf-row');
  assert.equal(await page.getByTestId('trace-span-count').textContent(), '10,000');
  await page.context().close();
  page.budget();
});
