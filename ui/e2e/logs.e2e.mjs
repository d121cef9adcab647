// Logs explorer against the real binary with demo traffic: rows sent through the real OTLP/HTTP
// receiver (tied to a real demo trace) show up in the list, the facets and the volume histogram;
// search narrows them; the detail panel pretty-prints the JSON body and links to the trace; live
// tail streams a row posted after it opened.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchBrowser, newPage, screenshot, startDemo, timeFirstRender } from './harness.mjs';

let demo;
let browser;
let trace;
const SERVICE = 'e2e-shop';

function otlpLogs(records) {
  return {
    resourceLogs: [{
      resource: { attributes: [
        { key: 'service.name', value: { stringValue: SERVICE } },
        { key: 'service.version', value: { stringValue: '3.1.4' } },
        { key: 'host.name', value: { stringValue: 'e2e-host' } },
        { key: 'deployment.environment.name', value: { stringValue: 'prod' } }] },
      scopeLogs: [{ scope: { name: 'e2e' }, logRecords: records }],
    }],
  };
}

function record({ agoMs, body, severityNumber, attrs = {}, traceId, spanId }) {
  return {
    timeUnixNano: String(BigInt(Date.now() - agoMs) * 1000000n),
    severityNumber,
    severityText: severityNumber >= 17 ? 'ERROR' : severityNumber >= 13 ? 'WARN' : 'INFO',
    body: { stringValue: body },
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
    ...(traceId ? { traceId, spanId } : {}),
  };
}

async function postLogs(records) {
  const res = await fetch(`${demo.url}/v1/logs`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpLogs(records)),
  });
  assert.equal(res.status, 200, await res.text());
}

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  // A real trace of the demo, so the log's trace link leads somewhere.
  trace = await eventually(async () => {
    const r = await (await fetch(`${demo.url}/api/traces?limit=1`)).json();
    return r.traces[0];
  }, { what: 'a demo trace' });
  const full = await (await fetch(`${demo.url}/api/traces/${trace.trace_id}`)).json();
  const span = full.spans[0];
  const records = [];
  for (let i = 0; i < 40; i++) {
    records.push(record({ agoMs: 60000 + i * 20000, body: `cart updated item=${i}`, severityNumber: 9, attrs: { 'order.id': `ord-${i}` } }));
  }
  records.push(record({ agoMs: 30000, body: 'payment slow, retrying', severityNumber: 13, attrs: { 'order.id': 'ord-77' } }));
  records.push(record({
    agoMs: 20000,
    body: '{"event":"payment failed","reason":"card declined","amount":42.5}',
    severityNumber: 17,
    attrs: { 'order.id': 'ord-77' },
    traceId: span.trace_id,
    spanId: span.span_id,
  }));
  await postLogs(records);
  trace = { traceId: span.trace_id, spanId: span.span_id };
});

after(async () => {
  await browser?.close();
  await demo?.server.cleanup();
});

test('logs explorer lists, counts, filters and details real rows', async () => {
  const page = await newPage(browser);
  const q = encodeURIComponent(`service:${SERVICE}`);
  const ms = await timeFirstRender(page, `${demo.url}/logs?q=${q}`, '[data-testid="log-row"]');
  const warm = await timeFirstRender(page, `${demo.url}/logs?q=${q}`, '[data-testid="log-row"]');
  console.log(`logs first render: ${Math.round(ms)} ms cold, ${Math.round(warm)} ms warm`);
  const rows = page.getByTestId('log-row');
  await eventually(async () => (await rows.count()) >= 20, { what: 'rows' });
  // Newest first: the error, then the warning.
  assert.match(await rows.nth(0).textContent(), /ERROR.*e2e-shop.*payment failed/);
  assert.match(await rows.nth(1).textContent(), /WARN.*payment slow/);
  assert.match(await page.getByTestId('log-total').textContent(), /^42 logs/);
  const facets = page.getByTestId('facets');
  await eventually(async () => /error\D*1/.test(await facets.locator('[data-facet="level"]').textContent()), { what: 'level facet' });
  assert.match(await facets.locator('[data-facet="version"]').textContent(), /3\.1\.4\D*42/);
  const bars = await page.locator('[data-testid="log-volume"] rect[class^="sev-"]').count();
  assert.ok(bars >= 3, `volume bars: ${bars}`);
  await screenshot(page, 'logs');

  // A facet click narrows to the errors.
  await facets.locator('[data-facet="level"] .facet-row', { hasText: 'error' }).click();
  await page.waitForURL(/level%3Aerror/);
  await eventually(async () => (await rows.count()) === 1, { what: 'one error row' });

  // Search: an attribute term from the search bar.
  const input = page.getByTestId('search-input');
  await input.fill(`service:${SERVICE} @order.id:ord-77`);
  await input.press('Enter');
  await eventually(async () => (await rows.count()) === 2, { what: 'two ord-77 rows' });

  // Detail: pretty JSON body, attributes, links to the trace and span.
  await rows.nth(0).click();
  const detail = page.getByTestId('log-detail');
  await detail.waitFor();
  assert.equal(
    await detail.getByTestId('log-body').textContent(),
    JSON.stringify({ event: 'payment failed', reason: 'card declined', amount: 42.5 }, null, 2),
  );
  assert.match(await detail.getByTestId('log-attributes').textContent(), /order\.id\s*ord-77/);
  await screenshot(page, 'logs-detail');
  // Keyboard: ↓ moves to the next row, the detail follows.
  await page.getByTestId('log-list').focus();
  await page.keyboard.press('ArrowDown');
  await eventually(async () => /payment slow/.test(await detail.getByTestId('log-body').textContent()), { what: 'next row' });
  await page.keyboard.press('ArrowUp');
  await detail.getByTestId('view-trace').click();
  await page.waitForURL(new RegExp(`/traces/${trace.traceId}\\?.*span=${trace.spanId}`));
  assert.deepEqual(page.errors, []);
});

test('a shared link opens the same log detail', async () => {
  const page = await newPage(browser);
  const res = await (await fetch(`${demo.url}/api/logs?q=${encodeURIComponent(`service:${SERVICE} level:error`)}`)).json();
  const time = res.logs[0].time;
  await page.goto(`${demo.url}/logs?q=nothing-matches-this&log=${encodeURIComponent(time)}`);
  await page.getByTestId('logs-empty').waitFor();
  const detail = page.getByTestId('log-detail');
  await detail.waitFor();
  assert.match(await detail.getByTestId('log-body').textContent(), /card declined/);
  // The light theme uses the same layout with the theme's colours.
  await page.evaluate(() => localStorage.setItem('periscope.theme', 'light'));
  await page.reload();
  await page.getByTestId('log-detail').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  await screenshot(page, 'logs-detail-light');
  assert.deepEqual(page.errors, []);
});

test('live tail streams a row sent after it opened', async (t) => {
  const probe = await fetch(`${demo.url}/api/logs/tail?q=x`, { signal: AbortSignal.timeout(3000) }).catch((e) => e);
  if (!(probe instanceof Response) || !/event-stream/.test(probe.headers.get('content-type') ?? '')) {
    t.skip('GET /api/logs/tail is not served by this binary');
    return;
  }
  await probe.body?.cancel();
  const page = await newPage(browser);
  await page.goto(`${demo.url}/logs?q=${encodeURIComponent(`service:${SERVICE}`)}&live=1`);
  await eventually(async () => (await page.getByTestId('live-status').textContent()) === 'streaming', { what: 'stream open', timeoutMs: 10000 });
  await postLogs([record({ agoMs: 0, body: 'tail says hello', severityNumber: 9 })]);
  await page.getByTestId('log-row').filter({ hasText: 'tail says hello' }).waitFor({ timeout: 10000 });
  await page.getByTestId('live-pause').click();
  await postLogs([record({ agoMs: 0, body: 'held while paused', severityNumber: 9 })]);
  await page.getByText('Resume (1 new)').waitFor({ timeout: 10000 });
  await page.getByTestId('live-pause').click();
  await page.getByTestId('log-row').filter({ hasText: 'held while paused' }).waitFor();
  await screenshot(page, 'logs-live');
  assert.deepEqual(page.errors, []);
});
