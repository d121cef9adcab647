// The cross-signal journey of issue 4 against the real demo: Services → a service → a recent
// error trace → a span → its logs → back to the trace → back to the service; a logs search; a
// metric with an exemplar → its trace.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchBrowser, newPage, screenshot, startDemo } from './harness.mjs';

let demo;
let browser;
before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  // Wait for RED metrics with errors and for error traces of some service.
  await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/services/overview`)).json();
    const s = r.services.find((x) => x.errors > 0);
    if (!s) return false;
    const o = await (await fetch(`${demo.url}/api/services/${s.service}/overview`)).json();
    return o.recent_errors.length > 0;
  }, { timeoutMs: 60000, what: 'a service with error traces' });
});
after(async () => {
  await browser?.close();
  await demo?.server.cleanup();
});

test('service → error trace → span → its logs → back → back to the service', async () => {
  const page = await newPage(browser);
  await page.goto(`${demo.url}/services?from=now-15m&to=now`);
  await page.getByTestId('service-row').first().waitFor();
  const overview = await (await fetch(`${demo.url}/api/services/overview`)).json();
  let service;
  for (const s of overview.services.filter((x) => x.errors > 0)) {
    const o = await (await fetch(`${demo.url}/api/services/${s.service}/overview`)).json();
    if (o.recent_errors.length > 0) { service = s.service; break; }
  }
  assert.ok(service, 'a service with error traces');
  await page.getByTestId('service-row').getByText(service, { exact: true }).click();
  await page.waitForURL(new RegExp(`/services/${service}\\?`));
  assert.equal(new URL(page.url()).searchParams.get('from'), 'now-15m', 'global range kept');
  const serviceUrl = page.url();

  const errorRow = page.getByTestId('error-trace-row').first();
  await errorRow.waitFor();
  const traceLink = errorRow.getByTestId('trace-link');
  const traceHref = await traceLink.getAttribute('href');
  const traceId = /\/traces\/([0-9a-f]+)/.exec(traceHref)[1];
  await traceLink.click();
  await page.waitForURL(new RegExp(`/traces/${traceId}`));
  await page.getByTestId('waterfall').waitFor();
  await screenshot(page, 'journey-trace');
  const trace = await (await fetch(`${demo.url}/api/traces/${traceId}`)).json();
  assert.ok(trace.spans.some((s) => s.status.code === 'error'), 'the trace has an error span');
  assert.equal(await page.getByTestId('trace-span-count').textContent().then((t) => t.includes(String(trace.spans.length))), true);

  // Select a span of the service, then follow "logs for this span".
  const span = trace.spans.find((s) => s.service === service && s.status.code === 'error') ?? trace.spans[0];
  await page.locator(`[data-span-id="${span.span_id}"]`).first().click();
  await page.getByTestId('span-details').waitFor();
  await page.getByTestId('span-logs-link').click();
  await page.waitForURL(/\/logs\?/);
  const q = new URL(page.url()).searchParams.get('q');
  assert.match(q, new RegExp(`trace_id:${traceId}`));
  assert.match(q, new RegExp(`span_id:${span.span_id}`));
  const logs = await (await fetch(`${demo.url}/api/logs?q=${encodeURIComponent(q)}&start=${Number(span.start_time_unix_nano) - 60e9}`)).json();
  if (logs.logs.length > 0) {
    await page.getByTestId('log-row').first().waitFor();
  } else {
    await page.getByTestId('logs-empty').waitFor();
  }
  await screenshot(page, 'journey-span-logs');

  await page.goBack();
  await page.waitForURL(new RegExp(`/traces/${traceId}`));
  await page.getByTestId('waterfall').waitFor();
  // The trace view may have recorded the selected span as its own history entry.
  for (let i = 0; i < 4 && new URL(page.url()).pathname !== `/services/${service}`; i++) await page.goBack();
  assert.equal(new URL(page.url()).pathname, new URL(serviceUrl).pathname);
  await page.getByTestId('summary-tiles').waitFor();
  assert.deepEqual(page.errors, []);
});

test('logs search from the service page shows real rows', async () => {
  const logs = await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/logs?q=level:error&limit=5`)).json();
    return r.logs.length > 0 ? r.logs : null;
  }, { timeoutMs: 40000, what: 'error logs from the demo' });
  const service = logs[0].service;
  const page = await newPage(browser);
  await page.goto(`${demo.url}/services/${service}`);
  await page.getByTestId('service-logs').waitFor();
  await page.getByTestId('all-logs-link').click();
  await page.waitForURL(/\/logs\?/);
  assert.equal(new URL(page.url()).searchParams.get('q'), `service:${service}`);
  await page.getByTestId('log-row').first().waitFor();
  const services = await page.getByTestId('log-row').evaluateAll((rows) => rows.slice(0, 20).map((r) => r.textContent));
  assert.ok(services.every((t) => t.includes(service)), 'every row is of the service');
  await screenshot(page, 'journey-logs');
  assert.deepEqual(page.errors, []);
});

test('a metric with an exemplar opens its trace', async () => {
  await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/metrics/exemplars?query=${encodeURIComponent('traces_spanmetrics_calls_total{service="frontend"}')}`)).json();
    return r.exemplars.length > 0;
  }, { timeoutMs: 40000, what: 'exemplars' });
  const page = await newPage(browser);
  // Client-side navigation: a full load of /metrics gets the server's own Prometheus metrics.
  await page.goto(`${demo.url}/services/frontend`);
  await page.getByTestId('metrics-link').click();
  await page.waitForURL(/\/metrics\?/);
  assert.equal(new URL(page.url()).searchParams.get('match'), 'service="frontend"');
  const link = page.getByTestId('exemplar-link').first();
  await link.waitFor({ timeout: 20000 });
  const href = await link.getAttribute('href');
  const traceId = /\/traces\/([0-9a-f]+)/.exec(href)[1];
  await screenshot(page, 'journey-metric-exemplars');
  await link.click();
  await page.waitForURL(new RegExp(`/traces/${traceId}`));
  await page.getByTestId('waterfall').waitFor();
  const trace = await (await fetch(`${demo.url}/api/traces/${traceId}`)).json();
  assert.ok(trace.spans.some((s) => s.service === 'frontend'), 'the exemplar trace has a frontend span');
  assert.deepEqual(page.errors, []);
});
