// The console loads from the binary, redirects / to the services page, and every nav link
// resolves to a page without script errors; deep links keep the global state in the URL.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, screenshot, startDemo } from './harness.mjs';

let demo;
let browser;
before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await demo?.server.cleanup();
});

test('the UI is served by the binary and its navigation works', async () => {
  const page = await newPage(browser);
  await page.goto(`${demo.url}/`);
  await page.waitForURL(/\/services/);
  for (const label of ['Traces', 'Logs', 'Metrics', 'Service map', 'Services']) {
    await page.getByRole('link', { name: label, exact: true }).click();
    await page.waitForLoadState('networkidle');
  }
  assert.deepEqual(page.errors, []);
  await screenshot(page, 'shell');
});

test('deep links keep the time range and env', async () => {
  const page = await newPage(browser);
  await page.goto(`${demo.url}/traces?from=now-15m&to=now&env=prod`);
  await page.getByRole('link', { name: 'Logs', exact: true }).click();
  const url = new URL(page.url());
  assert.equal(url.pathname, '/logs');
  assert.equal(url.searchParams.get('from'), 'now-15m');
  assert.equal(url.searchParams.get('env'), 'prod');
  assert.equal(await page.getByTestId('time-range').textContent(), 'Last 15 minutes');
});

test('assets are served compressed and cacheable, unknown API paths stay JSON 404s', async () => {
  const index = await fetch(`${demo.url}/services/checkout`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  const html = await index.text();
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html);
  assert.ok(js, html);
  const asset = await fetch(`${demo.url}${js[1]}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('content-encoding'), 'gzip');
  assert.match(asset.headers.get('cache-control'), /immutable/);
  const missing = await fetch(`${demo.url}/api/no-such-thing`);
  assert.equal(missing.status, 404);
  assert.ok((await missing.json()).error);
});
