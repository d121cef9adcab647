// Trace explorer and trace view against the real binary with demo traffic: search, facets,
// duration histogram, trace waterfall, span details and the logs link; then a 10,000-span trace
// sent with OTLP/JSON, its render time and its scrolling.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { storeBigTrace } from './bigTrace.mjs';
import { eventually, launchBrowser, newPage, screenshot, startDemo, timeFirstRender } from './harness.mjs';

let demo;
let browser;
before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  // Wait until the simulated shop has produced error traces.
  await eventually(async () => {
    const r = await fetch(`${demo.url}/api/traces?q=status:error&limit=1`);
    return r.ok && (await r.json()).traces.length > 0;
  }, { timeoutMs: 60000, what: 'demo error traces' });
});
after(async () => {
  await browser?.close();
  await demo?.server.cleanup();
});

test('trace explorer shows real traces, facets and the duration histogram', async () => {
  const page = await newPage(browser);
  const ms = await timeFirstRender(page, `${demo.url}/traces`, 'tr.trace-row');
  console.log(`# /traces first render: ${Math.round(ms)} ms`);
  const facetRow = page.locator('[data-facet="service"] .facet-row', { hasText: 'frontend' });
  await facetRow.first().waitFor();
  const total = await page.getByTestId('span-total').textContent();
  assert.match(total, /^[\d.]+k? matching spans/);
  const barCounts = await page.locator('.duration-hist .col').evaluateAll(
    (cols) => cols.map((c) => Number(c.getAttribute('data-count'))));
  assert.ok(barCounts.reduce((a, b) => a + b, 0) > 0, `histogram counts ${barCounts}`);
  await screenshot(page, 'traces');

  // Facet click: status:error goes into the URL and every listed trace has errors.
  await page.locator('[data-facet="status"] .facet-row', { hasText: 'error' }).first().click();
  await page.waitForURL(/q=status%3Aerror/);
  await eventually(async () => {
    const errs = await page.locator('tr.trace-row td:nth-child(5)').allTextContents();
    return errs.length > 0 && errs.every((e) => Number(e) > 0);
  }, { timeoutMs: 10000, what: 'error traces listed' });
  const api = await (await fetch(`${demo.url}/api/traces?q=status:error&limit=50`)).json();
  const shownIds = await page.locator('tr.trace-row').evaluateAll((rows) => rows.map((r) => r.dataset.traceId));
  assert.ok(shownIds.some((id) => api.traces.some((t) => t.trace_id === id)), 'listed traces come from the API');

  // Drag across the histogram: duration terms go into the query.
  const box = await page.getByTestId('duration-histogram').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForURL(/duration%3A/);
  const q = new URL(page.url()).searchParams.get('q');
  assert.match(q, /^status:error duration:>\S+ duration:<=\S+$/);
  await page.getByTestId('clear-duration').click();
  await page.waitForURL((u) => new URL(u).searchParams.get('q') === 'status:error');

  // Typed query with a bad quote: the server's 400 shows under the search bar.
  await page.getByTestId('search-input').fill('name:"unterminated');
  await page.getByTestId('search-input').press('Enter');
  await page.getByTestId('search-error').waitFor();
  assert.match(await page.getByTestId('search-error').textContent(), /position \d+/);
  assert.deepEqual(page.errors, []);
});

test('trace view: waterfall, span details, critical path, keyboard and logs link', async () => {
  // An error trace that started 10 s ago or more: a live trace may still be receiving spans
  // while the page counts them.
  let t;
  await eventually(async () => {
    const end = new Date(Date.now() - 10000).toISOString();
    const r = await fetch(`${demo.url}/api/traces?q=status:error&limit=1&end=${end}`);
    t = r.ok ? (await r.json()).traces[0] : undefined;
    return Boolean(t);
  }, { timeoutMs: 60000, what: 'an error trace older than 10 s' });
  const page = await newPage(browser);
  const ms = await timeFirstRender(page, `${demo.url}/traces/${t.trace_id}`, '.wf-row');
  console.log(`# /traces/:id first render (${t.span_count} spans): ${Math.round(ms)} ms`);
  assert.equal(await page.getByTestId('trace-span-count').textContent(), String(t.span_count));
  assert.equal(await page.getByTestId('trace-root-name').textContent(), t.root_name);
  assert.equal(Number(await page.getByTestId('trace-error-count').textContent()), t.error_count);
  assert.equal(await page.locator('.wf-row').count(), t.span_count);
  assert.ok(await page.locator('.wf-crit').count() > 0, 'critical path drawn');

  // Select the first error span; its status and attributes show.
  await page.locator('.wf-row.error').first().click();
  await page.getByTestId('span-details').waitFor();
  assert.match(await page.getByTestId('span-status').textContent(), /status error/);
  const spanId = new URL(page.url()).searchParams.get('span');
  assert.match(spanId, /^[0-9a-f]{16}$/);
  await screenshot(page, 'trace');

  // Keyboard: up/down move the selection to the neighbouring row and back.
  const index = await page.locator('.wf-row').evaluateAll((rows) => rows.findIndex((r) => r.classList.contains('selected')));
  const [away, back] = index > 0 ? ['ArrowUp', 'ArrowDown'] : ['ArrowDown', 'ArrowUp'];
  await page.keyboard.press(away);
  await page.waitForURL((u) => new URL(u).searchParams.get('span') !== spanId);
  await page.keyboard.press(back);
  await page.waitForURL((u) => new URL(u).searchParams.get('span') === spanId);

  await page.getByTestId('span-logs-link').click();
  await page.waitForURL(/\/logs\?/);
  const logsUrl = new URL(page.url());
  assert.equal(logsUrl.searchParams.get('q'), `trace_id:${t.trace_id} span_id:${spanId}`);
  await page.goBack();
  await page.getByTestId('span-details').waitFor();
  assert.deepEqual(page.errors, []);
});

test('a 10,000-span trace renders virtualised and scrolls smoothly', async () => {
  const traceId = await storeBigTrace(demo.url, 10000);

  const page = await newPage(browser);
  const ms = await timeFirstRender(page, `${demo.url}/traces/${traceId}`, '.wf-row');
  console.log(`# 10,000-span trace first render: ${Math.round(ms)} ms`);
  assert.equal(await page.getByTestId('trace-span-count').textContent(), '10,000');
  const inDom = await page.locator('.wf-row').count();
  assert.ok(inDom > 20 && inDom < 200, `${inDom} rows in the DOM`);

  // Scroll the whole waterfall in 60 animation frames and time the frames.
  const stats = await page.evaluate(async () => {
    const body = document.querySelector('[data-testid="waterfall-body"]');
    const frames = [];
    const steps = 60;
    const total = body.scrollHeight - body.clientHeight;
    let last = performance.now();
    for (let i = 1; i <= steps; i++) {
      body.scrollTop = (total * i) / steps;
      await new Promise((r) => requestAnimationFrame(() => r()));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    frames.sort((a, b) => a - b);
    return {
      mean: frames.reduce((a, b) => a + b, 0) / frames.length,
      p95: frames[Math.floor(frames.length * 0.95)],
      max: frames[frames.length - 1],
    };
  });
  console.log(`# 10,000-span scroll, ms per frame: ${JSON.stringify(stats)}`);
  // At the bottom the last span is rendered, and still only a window of rows.
  await page.locator('.wf-row[data-row="9999"]').waitFor();
  const atBottom = await page.locator('.wf-row').count();
  assert.ok(atBottom < 200, `${atBottom} rows in the DOM at the bottom`);
  await screenshot(page, 'trace-10k');

  // Collapse the root's children: only root + 10 rows remain.
  await page.getByTestId('collapse-all').click();
  // The list shrinks from the bottom: the browser clamps the scroll position, then the window
  // re-renders at the top.
  await eventually(async () => (await page.locator('.wf-row').count()) === 11,
    { timeoutMs: 5000, what: 'root + 10 rows after collapsing' });
  assert.deepEqual(page.errors, []);
});
