// Services list, service page and service map against the real demo: real figures shown,
// sorting, links between them, both themes; first-render times are printed.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchBrowser, newPage, screenshot, startDemo, timeFirstRender } from './harness.mjs';

let demo;
let browser;
let services; // the API's own answer, to compare the page with
before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  // The RED metrics are flushed every 15 s: wait until every shop service and its edges appear.
  services = await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/services/overview`)).json();
    const map = await (await fetch(`${demo.url}/api/service-map`)).json();
    return r.services.length >= 5 && map.edges.length >= 4 && r.services.some((s) => s.errors > 0) ? r.services : null;
  }, { timeoutMs: 60000, what: 'RED metrics of the demo' });
});
after(async () => {
  await browser?.close();
  await demo?.server.cleanup();
});

test('services list shows every service with real figures and sorts by any column', async () => {
  const page = await newPage(browser);
  const ms = await timeFirstRender(page, `${demo.url}/services`, '[data-testid=service-row]');
  console.log(`first render /services: ${ms.toFixed(0)} ms`);
  const names = await page.getByTestId('service-row').getByTestId('service-link').allTextContents();
  assert.deepEqual([...names].sort(), services.map((s) => s.service).sort());
  // Default sort: by requests, descending, as the API sends them.
  assert.deepEqual(names, [...services].sort((a, b) => b.requests - a.requests).map((s) => s.service));
  await page.getByTestId('sort-service').click();
  await page.waitForURL(/sort=service/);
  const alphabetical = services.map((s) => s.service).sort();
  await eventually(async () => JSON.stringify(await page.getByTestId('service-row').getByTestId('service-link').allTextContents()) === JSON.stringify(alphabetical), { timeoutMs: 5000, what: 'sorted by name' });
  await page.getByTestId('sort-p95_ms').click();
  await page.waitForURL(/sort=-p95_ms/);
  const top = services.reduce((a, b) => ((b.p95_ms ?? -1) > (a.p95_ms ?? -1) ? b : a));
  await eventually(async () => (await page.getByTestId('service-row').first().getByTestId('service-link').textContent()) === top.service, { timeoutMs: 5000, what: 'sorted by p95' });
  assert.ok(await page.locator('[data-testid=service-row] svg.sparkline path').count() > 0, 'sparklines drawn');
  await screenshot(page, 'services');
  // Light theme keeps working and is remembered.
  await page.getByTestId('theme-toggle').click();
  // The toggle re-renders asynchronously: wait for it, then check.
  await eventually(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'light', { timeoutMs: 5000, what: 'light theme' }).catch(() => {});
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await screenshot(page, 'services-light');
  assert.deepEqual(page.errors, []);
});

test('service page shows tiles, charts, operations, versions and links', async () => {
  const withErrors = services.find((s) => s.service === 'checkout' && s.errors > 0) ?? services.find((s) => s.errors > 0);
  const page = await newPage(browser);
  await page.goto(`${demo.url}/services?env=`);
  await page.getByTestId('service-row').getByText(withErrors.service, { exact: true }).click();
  await page.waitForURL(new RegExp(`/services/${withErrors.service}`));
  await page.getByTestId('summary-tiles').waitFor();
  const ms = await timeFirstRender(page, page.url(), '[data-testid=operation-row]');
  console.log(`first render /services/${withErrors.service}: ${ms.toFixed(0)} ms`);
  const api = await (await fetch(`${demo.url}/api/services/${withErrors.service}/overview`)).json();
  assert.equal(await page.getByTestId('service-name').textContent(), withErrors.service);
  assert.ok(Number.parseFloat(await page.getByTestId('tile-requests').locator('.stat-value').textContent()) > 0);
  const ops = await page.getByTestId('operation-link').allTextContents();
  for (const o of api.operations) assert.ok(ops.includes(o.name), `operation ${o.name} listed`);
  assert.equal(await page.getByTestId('service-charts').locator('canvas').count() >= 3, true);
  assert.equal(await page.getByTestId('version-row').count(), api.versions.length);
  if (api.recent_errors.length > 0) assert.ok(await page.getByTestId('error-trace-row').count() > 0);
  const metrics = new URL(await page.getByTestId('metrics-link').getAttribute('href'), demo.url);
  assert.equal(metrics.searchParams.get('match'), `service="${withErrors.service}"`);
  await screenshot(page, 'service');
  // A downstream or upstream service is one click away.
  const neighbour = page.locator('[data-testid=downstream-table] [data-testid=service-link], [data-testid=upstream-table] [data-testid=service-link]').first();
  const other = await neighbour.textContent();
  await neighbour.click();
  await page.waitForURL(new RegExp(`/services/${other}`));
  await page.getByTestId('summary-tiles').waitFor();
  assert.deepEqual(page.errors, []);
});

test('service map draws the graph and opens a service on click', async () => {
  const page = await newPage(browser);
  const ms = await timeFirstRender(page, `${demo.url}/map`, '[data-testid=map-node]');
  console.log(`first render /map: ${ms.toFixed(0)} ms`);
  const map = await (await fetch(`${demo.url}/api/service-map`)).json();
  await eventually(async () => (await page.getByTestId('map-edge').count()) >= map.edges.length - 2, { what: 'edges drawn' });
  const drawn = await page.getByTestId('map-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-service')));
  for (const n of map.nodes) assert.ok(drawn.includes(n.service), `node ${n.service} drawn`);
  const node = page.locator('[data-testid=map-node][data-service=frontend]');
  await node.hover();
  assert.match(await page.getByTestId('map-tooltip').textContent(), /frontend/);
  await screenshot(page, 'map');
  await node.click();
  await page.waitForURL(/\/services\/frontend/);
  await page.getByTestId('summary-tiles').waitFor();
  assert.deepEqual(page.errors, []);
});
