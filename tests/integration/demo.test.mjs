// `periscope demo --backfill`: the built-in shop simulator sends two hours of history (traces,
// correlated logs, runtime metrics) with past timestamps before going live; checked through the
// query APIs: history spread over the window, logs that resolve to stored traces, RED metrics at
// the spans' own time (not all at the end), runtime metrics and exemplars naming real traces.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../clients/lib/server.mjs';
import { getOk, pollUntil } from '../clients/lib/http.mjs';

const MIN = 60_000;
const iso = (ms) => new Date(ms).toISOString();

describe('demo with a 2h backfill', () => {
  let server;
  let live;  // ms when the live simulator started (after the backfill)
  let t0;    // ms when the demo started: the backfill covers [t0 - 2h, t0]
  const api = (path, params) => getOk(`${server.httpUrl}${path}?${new URLSearchParams(params)}`);

  before(async () => {
    t0 = Date.now();
    server = await startServer({
      command: 'demo',
      args: ['--backfill', '2h', '--backfill-rate', '2', '--traces-per-second', '5',
        '--flush-interval', '5s'],
      timeoutMs: 30000,
    });
    const ready = await pollUntil(() => {
      let text = '';
      try { text = readFileSync(server.stderrPath, 'utf8'); } catch { /* not yet */ }
      return text.includes('Periscope demo is running') ? text : null;
    }, { timeoutMs: 180000, intervalMs: 250 });
    assert.ok(ready, `demo never went live:\n${server.stderrTail()}`);
    assert.match(ready, /backfilled 1h of 2h/);
    assert.match(ready, /backfilled 2(\.\d+)?h in [\d.]+ s: \d+ traces/);
    live = Date.now();
  });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  it('stores traces spread over the whole window', async () => {
    for (let k = 0; k < 6; k += 1) {
      const from = t0 - 120 * MIN + k * 20 * MIN;
      const body = await api('/api/traces', { start: iso(from), end: iso(from + 20 * MIN),
        limit: '5' });
      assert.ok(body.traces.length > 0, `no traces in [${iso(from)}, +20m)`);
      assert.ok(body.traces.every((t) => t.services.length >= 1));
    }
    const roots = await api('/api/traces', { start: iso(t0 - 120 * MIN), end: iso(t0 - 100 * MIN),
      limit: '200' });
    const services = new Set(roots.traces.flatMap((t) => t.services));
    for (const s of ['frontend', 'checkout', 'cart', 'payment', 'inventory']) {
      assert.ok(services.has(s), `service ${s} missing from old traces: ${[...services]}`);
    }
  });

  it('stores logs whose trace ids resolve to stored traces', async () => {
    const page = await api('/api/logs', { start: iso(t0 - 110 * MIN), end: iso(t0 - 90 * MIN),
      limit: '200' });
    const withTrace = page.logs.filter((l) => l.trace_id);
    assert.ok(withTrace.length > 20, `only ${withTrace.length} correlated logs`);
    for (const l of withTrace.slice(0, 5)) {
      assert.ok(['frontend', 'checkout', 'cart', 'payment', 'inventory'].includes(l.service));
      assert.ok(l.env && l.version && l.host, JSON.stringify(l));
      const trace = await getOk(`${server.httpUrl}/api/traces/${l.trace_id}`);
      assert.ok(trace.spans.some((s) => s.span_id === l.span_id), `span ${l.span_id} not stored`);
      const logs = await getOk(`${server.httpUrl}/api/traces/${l.trace_id}/logs`);
      assert.ok(logs.logs.some((x) => x.span_id === l.span_id && x.body !== undefined));
    }
    const errors = await api('/api/logs', { q: 'level:error', start: iso(t0 - 120 * MIN),
      end: iso(t0), limit: '100' });
    assert.ok(errors.logs.length > 0, 'no error logs in 2h');
    assert.ok(errors.logs.some((l) => l.attributes['exception.type']), 'no exception attributes');
    const access = await api('/api/logs', { q: 'service:frontend', start: iso(t0 - 60 * MIN),
      end: iso(t0 - 50 * MIN), limit: '50' });
    assert.ok(access.logs.some((l) => /^(GET|POST) \/\S* \d{3} \d+ms/.test(l.body)),
      JSON.stringify(access.logs.slice(0, 3)));
    const json = await api('/api/logs', { q: 'service:payment', start: iso(t0 - 120 * MIN),
      end: iso(t0), limit: '50' });
    assert.ok(json.logs.some((l) => typeof l.body === 'object' && l.body.msg), 'no JSON bodies');
  });

  it('has RED metrics across the window, not only at its end', async () => {
    const body = await api('/api/metrics/query_range', {
      query: 'traces_spanmetrics_calls_total', fn: 'increase', agg: 'sum', window: '10m',
      start: iso(t0 - 110 * MIN), end: iso(t0 - 5 * MIN), step: '10m',
    });
    assert.equal(body.series.length, 1);
    const points = body.series[0].points;
    assert.ok(points.length >= 10, `only ${points.length} points`);
    // 2 user requests/s -> about 1200 frontend requests per 10 min, plus backend server spans.
    for (const [t, v] of points) assert.ok(v > 1000 && v < 20000, `${iso(t)}: ${v}`);
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    const late = Number(/\nperiscope_spanmetrics_late_spans_total (\d+)/.exec(text)?.[1] ?? 0);
    assert.ok(late > 1000, `late spans counted: ${late}`);
  });

  it('has runtime metrics over the window', async () => {
    for (const name of ['process_cpu_utilization', 'process_memory_usage',
      'db_client_connections_usage', 'shop_orders_placed', 'http_server_request_duration_bucket']) {
      const body = await api('/api/metrics/query_range', {
        query: name, agg: 'count', start: iso(t0 - 115 * MIN), end: iso(t0 - 60 * MIN),
        step: '5m', window: '1m',
      });
      assert.equal(body.series.length, 1, name);
      assert.ok(body.series[0].points.length >= 10, `${name}: ${body.series[0].points.length}`);
    }
    const orders = await api('/api/metrics/query_range', {
      query: 'shop_orders_placed', fn: 'increase', agg: 'sum', by: 'payment_method',
      window: '30m', start: iso(t0 - 30 * MIN), end: iso(t0 - 30 * MIN),
    });
    const methods = new Set(orders.series.map((s) => s.labels.payment_method));
    assert.deepEqual([...methods].sort(), ['apple_pay', 'card', 'paypal']);
  });

  it('keeps exemplars that point at stored traces', async () => {
    const body = await api('/api/metrics/exemplars', {
      query: 'http_server_request_duration_bucket', start: iso(t0 - 120 * MIN),
      end: iso(t0 - 60 * MIN), limit: '20',
    });
    assert.ok(body.exemplars.length > 0, 'no exemplars');
    for (const e of body.exemplars.slice(0, 3)) {
      assert.match(e.trace_id, /^[0-9a-f]{32}$/);
      const trace = await getOk(`${server.httpUrl}/api/traces/${e.trace_id}`);
      assert.ok(trace.spans.some((s) => s.span_id === e.span_id));
    }
  });

  it('goes on with live traffic after the backfill', async () => {
    const fresh = await pollUntil(async () => {
      const body = await api('/api/traces', { start: iso(live), end: iso(Date.now() + 1000),
        limit: '5' });
      return body.traces.length > 0 ? body : null;
    }, { timeoutMs: 20000, intervalMs: 500 });
    assert.ok(fresh, 'no live traces after the backfill');
  });
});
