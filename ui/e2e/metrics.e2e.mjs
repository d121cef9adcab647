// Metrics explorer against the real binary with demo traffic: the default view charts the request
// rate per service from the span metrics; the latency histogram gives quantiles with exemplars
// that open their traces; filters, grouping and the stacked mode round-trip through the URL.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchBrowser, newPage, screenshot, startDemo } from './harness.mjs';

let demo;
let browser;
let services;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  // Span metrics are flushed every 15 s: wait until the calls counter has two samples.
  services = await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/metrics/query_range?query=traces_spanmetrics_calls_total&fn=rate&agg=sum&by=service`)).json();
    const names = r.series.filter((s) => s.points.length > 0).map((s) => s.labels.service);
    return names.length >= 3 ? names.sort() : undefined;
  }, { what: 'span metrics of the demo', timeoutMs: 60000 });
  await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/metrics/exemplars?query=traces_spanmetrics_latency_bucket`)).json();
    return r.exemplars.length > 0;
  }, { what: 'exemplars', timeoutMs: 30000 });
});

// Opens /metrics<search> by client-side navigation from the services page (a full load of /metrics
// gets the server's own Prometheus metrics, see the note in the report) and returns the ms from
// the navigation until `readySelector` is visible, by the browser's clock.
async function openMetrics(page, search, readySelector = '[data-testid="series-legend"]') {
  await page.goto(`${demo.url}/services`);
  await page.getByRole('link', { name: 'Metrics', exact: true }).waitFor();
  const t0 = await page.evaluate((path) => {
    const start = performance.now();
    history.pushState({}, '', path);
    dispatchEvent(new PopStateEvent('popstate'));
    return start;
  }, `/metrics${search}`);
  await page.waitForSelector(readySelector, { state: 'visible', timeout: 30000 });
  return (await page.evaluate(() => performance.now())) - t0;
}

after(async () => {
  await browser?.close();
  await demo?.server.cleanup();
});

test('the default view charts calls per service by rate', async () => {
  const page = await newPage(browser);
  const ms = await openMetrics(page, '');
  const warm = await openMetrics(page, '');
  console.log(`metrics first render: ${Math.round(ms)} ms cold, ${Math.round(warm)} ms warm`);
  const legend = page.getByTestId('series-legend');
  const names = (await legend.locator('tbody td:first-child').allTextContents()).map((t) => t.replace(/^service=/, ''));
  assert.deepEqual([...names].sort(), services);
  // Each row shows a positive rate per second.
  const last = await legend.locator('tbody tr').first().locator('td').nth(1).textContent();
  assert.match(last, /\/s$/);
  assert.ok(parseFloat(last) > 0, last);
  assert.equal(await page.getByTestId('promql').textContent(), 'sum by (service) (rate(traces_spanmetrics_calls_total[5m]))');
  assert.equal(await page.locator('[data-testid="chart"] canvas').count(), 1);
  await screenshot(page, 'metrics');
  assert.deepEqual(page.errors, []);
});

test('latency quantiles show exemplars that open their trace', async () => {
  const page = await newPage(browser);
  const ms = await openMetrics(page, '?metric=traces_spanmetrics_latency_bucket&fn=histogram_quantile&q=0.95&by=service');
  console.log(`metrics (p95 with exemplars) first render: ${Math.round(ms)} ms`);
  const legend = page.getByTestId('series-legend');
  const p95 = await legend.locator('tbody tr').first().locator('td').nth(3).textContent();
  assert.match(p95, /^[\d.]+(ms|s)$/);
  const links = page.getByTestId('exemplar-link');
  await links.first().waitFor();
  const header = await page.locator('.panel-head', { hasText: 'exemplars —' }).textContent();
  assert.match(header, /\d+ exemplars — click one/);
  await screenshot(page, 'metrics-exemplars');
  const href = await links.first().getAttribute('href');
  const [, traceId, spanId] = /\/traces\/([0-9a-f]{32})\?.*span=([0-9a-f]{16})/.exec(href);
  // The exemplar's trace exists in the store.
  const trace = await (await fetch(`${demo.url}/api/traces/${traceId}`)).json();
  assert.ok(trace.spans.some((s) => s.span_id === spanId));
  await links.first().click();
  await page.waitForURL(new RegExp(`/traces/${traceId}`));
  assert.deepEqual(page.errors, []);
});

test('filters, grouping and stacking are kept in the URL', async () => {
  const page = await newPage(browser);
  const service = services[0];
  await openMetrics(page, '');
  await page.getByTestId('add-filter').click();
  await page.getByLabel('filter label').selectOption('service');
  const value = page.getByLabel('filter value');
  await value.locator(`option[value="${service}"]`).waitFor({ state: 'attached' });
  await value.selectOption(service);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByTestId('group-by').locator('summary').click();
  await page.getByTestId('group-by').getByLabel('span_name').click();
  await page.waitForURL(/by=service%2Cspan_name/);
  await page.getByTestId('stacked').click();
  await eventually(async () => {
    const rows = await page.getByTestId('series-legend').locator('tbody td:first-child').allTextContents();
    return rows.length > 0 && rows.every((r) => r.includes(`service=${service}`) && r.includes('span_name='));
  }, { what: 'grouped legend' });
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('match'), `service="${service}"`);
  assert.equal(url.searchParams.get('by'), 'service,span_name');
  assert.equal(url.searchParams.get('stacked'), '1');
  // The same URL in a new page gives the same chart.
  const again = await newPage(browser);
  await openMetrics(again, url.search);
  assert.equal(await again.getByTestId('promql').textContent(), await page.getByTestId('promql').textContent());
  await screenshot(page, 'metrics-grouped');
  assert.deepEqual([...page.errors, ...again.errors], []);
});
