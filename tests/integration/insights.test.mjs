// Insights endpoints for the web UI against the real binary: known spans (OTLP/JSON over
// /v1/traces) and logs (/v1/logs) go in, the RED metrics derived from them are flushed by the
// server (every 15 s), and every endpoint's numbers are checked: service overviews, the service
// map, trace search `q=`, trace and log facets, exemplars and histogram_quantile.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, getOk, pollUntil, postJson } from '../clients/lib/http.mjs';
import { logsJsonBody, postLogsJson } from '../clients/lib/otel_logs.mjs';

const MS = 1000000n;
const hexId = (bytes) => randomBytes(bytes).toString('hex');
const close = (actual, expected, eps, what) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} is not ${expected} ± ${eps}`);

// 20 traces: frontend SERVER "GET /checkout" -> frontend CLIENT "POST /checkout" -> checkout
// SERVER "POST /checkout". Checkout durations: 16 x 30 ms, 3 x 100 ms, 1 x 700 ms (error).
const TRACES = 20;
function scenario(baseNs) {
  const traces = [];
  for (let i = 0; i < TRACES; i++) {
    const ms = i < 16 ? 30 : i < 19 ? 100 : 700;
    traces.push({
      traceId: hexId(16), root: hexId(8), client: hexId(8), server: hexId(8),
      startNs: baseNs + BigInt(i) * 100n * MS, checkoutMs: ms, error: i === 19,
      version: i % 2 ? '2.1-canary' : '2.0',
    });
  }
  return traces;
}

function resourceSpans(service, version, spans) {
  return {
    resource: { attributes: [
      { key: 'service.name', value: { stringValue: service } },
      { key: 'deployment.environment.name', value: { stringValue: 'prod' } },
      { key: 'service.version', value: { stringValue: version } },
    ] },
    scopeSpans: [{ scope: { name: 'insights-it' }, spans }],
  };
}

function span(traceId, spanId, parent, name, kind, startNs, durMs, error, attrs = {}) {
  return {
    traceId, spanId, parentSpanId: parent ?? '', name, kind,
    startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + BigInt(durMs) * MS),
    attributes: Object.entries(attrs).map(([key, v]) => ({
      key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
    status: error ? { code: 2, message: 'boom' } : {},
  };
}

function tracesBody(traces) {
  const frontend = [];
  const checkout = { '2.0': [], '2.1-canary': [] };
  for (const t of traces) {
    frontend.push(span(t.traceId, t.root, null, 'GET /checkout', 2, t.startNs, t.checkoutMs + 10,
      t.error, { 'http.route': '/checkout' }));
    frontend.push(span(t.traceId, t.client, t.root, 'POST /checkout', 3, t.startNs + 2n * MS,
      t.checkoutMs + 4, t.error));
    checkout[t.version].push(span(t.traceId, t.server, t.client, 'POST /checkout', 2,
      t.startNs + 4n * MS, t.checkoutMs, t.error,
      { 'http.route': '/checkout', 'http.response.status_code': t.error ? 500 : 200 }));
  }
  return { resourceSpans: [resourceSpans('frontend', '1.0', frontend),
    resourceSpans('checkout', '2.0', checkout['2.0']),
    resourceSpans('checkout', '2.1-canary', checkout['2.1-canary'])] };
}

describe('insights endpoints', () => {
  let server;
  let url;
  let traces;
  let range;
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
    url = server.httpUrl;
    const baseNs = BigInt(Date.now() - 60000) * MS;
    traces = scenario(baseNs);
    const r = await postJson(url, tracesBody(traces));
    assert.equal(r.status, 200, r.body.toString());
    const logs = [
      ['checkout', 9, 5], ['checkout', 17, 2], ['checkout', 21, 1], ['frontend', 9, 3],
      ['frontend', 13, 1],
    ];
    let n = 0;
    for (const [service, severityNumber, count] of logs) {
      const records = [];
      for (let i = 0; i < count; i++) {
        records.push({ timeNs: baseNs + BigInt(n++) * MS, severityNumber,
          body: `${service} event ${n}`, attributes: { 'order.id': `o-${n % 2}` } });
      }
      const lr = await postLogsJson(url, logsJsonBody({
        resource: { 'service.name': service, 'deployment.environment.name': 'prod' }, records }));
      assert.equal(lr.status, 200);
    }
    // A range in Unix milliseconds (magnitude-parsed) around the data, 10 minutes long.
    const end = Date.now() + 60000;
    range = { start: String(end - 600000), end: String(end), step: '60s' };
    // Span metrics are flushed every 15 s: wait (bounded) until the checkout calls are in.
    const ready = await pollUntil(async () => {
      const o = await getJson(`${url}/api/services/overview?${new URLSearchParams(range)}`);
      const row = o.body?.services?.find((s) => s.service === 'checkout');
      const edges = await getJson(`${url}/api/service-map?${new URLSearchParams(range)}`);
      return row?.requests === TRACES && edges.body?.edges?.length >= 2;
    }, { timeoutMs: 45000, intervalMs: 500 });
    assert.ok(ready, `RED metrics did not appear within 45 s:\n${server.stderrTail()}`);
  });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  const get = (path, params = {}) =>
    getOk(`${url}${path}?${new URLSearchParams({ ...range, ...params })}`);

  it('GET /api/services/overview has one RED row per service', async () => {
    const o = await get('/api/services/overview');
    assert.equal(o.step, 60000);
    const checkout = o.services.find((s) => s.service === 'checkout');
    assert.equal(checkout.requests, 20);
    assert.equal(checkout.errors, 1);
    close(checkout.error_rate, 0.05, 1e-12, 'error_rate');
    close(checkout.rate, 20 / 600, 1e-9, 'rate');
    // Tempo buckets ..., 0.016, 0.032, 0.064, 0.128, ..., 0.512, 1.024: p50 in (16, 32] ms,
    // p95 at the top of (64, 128], p99 in (512, 1024].
    close(checkout.p50_ms, 16 + 16 * 10 / 16, 1e-9, 'p50');
    close(checkout.p95_ms, 128, 1e-9, 'p95');
    close(checkout.p99_ms, 512 + 512 * 0.8, 1e-9, 'p99');
    assert.deepEqual(checkout.envs, ['prod']);
    assert.deepEqual(checkout.versions, ['2.0', '2.1-canary']);
    assert.equal(checkout.log_errors, 3);
    const perStep = checkout.series.rate.reduce((a, [, v]) => a + v * 60, 0);
    close(perStep, 20, 1e-9, 'sum of the rate series');
    assert.ok(checkout.series.p95_ms.length >= 1);
    const frontend = o.services.find((s) => s.service === 'frontend');
    assert.equal(frontend.requests, 20);  // the SERVER roots; CLIENT spans are not counted
    assert.equal(frontend.log_errors, 0);
    const staging = await get('/api/services/overview', { env: 'staging' });
    assert.deepEqual(staging.services, []);
    // version= keeps the services that served it, with that version's figures only.
    const canary = await get('/api/services/overview', { version: '2.1-canary' });
    assert.deepEqual(canary.services.map((s) => s.service), ['checkout']);
    assert.equal(canary.services[0].requests, 10);
    assert.equal(canary.services[0].errors, 1);
    assert.deepEqual(canary.services[0].versions, ['2.1-canary']);
    const bad = await getJson(`${url}/api/services/overview?start=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /start/);
  });

  it('GET /api/services/{service}/overview details one service', async () => {
    const o = await get('/api/services/checkout/overview');
    assert.equal(o.service, 'checkout');
    assert.equal(o.summary.requests, 20);
    assert.equal(o.summary.log_errors, 3);
    assert.deepEqual(o.operations.map((x) => [x.name, x.span_kind, x.requests, x.errors]),
      [['POST /checkout', 'server', 20, 1]]);
    const versions = Object.fromEntries(o.versions.map((v) => [v.version, v]));
    assert.equal(versions['2.0'].requests, 10);
    assert.equal(versions['2.1-canary'].requests, 10);
    close(versions['2.1-canary'].error_rate, 0.1, 1e-12, 'canary error rate');
    assert.deepEqual(o.upstream.map((u) => [u.service, u.requests]), [['frontend', 20]]);
    close(o.upstream[0].error_rate, 0.05, 1e-12, 'upstream error rate');
    assert.deepEqual(o.downstream, []);
    assert.deepEqual(o.recent_errors.map((t) => t.trace_id), [traces[19].traceId]);
    assert.deepEqual(o.logs.counts, { info: 5, error: 2, fatal: 1 });
    assert.equal(o.logs.recent_errors.length, 3);
    assert.deepEqual(o.logs.recent_errors.map((l) => l.level), ['fatal', 'error', 'error']);
    for (const key of ['rate', 'errors', 'p50_ms', 'p95_ms', 'p99_ms']) {
      assert.ok(Array.isArray(o.series[key]), key);
    }
    const canary = await get('/api/services/checkout/overview', { version: '2.1-canary' });
    assert.equal(canary.summary.requests, 10);
    assert.equal(canary.summary.errors, 1);
    const missing = await getJson(`${url}/api/services/nope/overview?${new URLSearchParams(range)}`);
    assert.equal(missing.status, 404);
  });

  it('GET /api/service-map has nodes and edges with virtual callers', async () => {
    const m = await get('/api/service-map');
    const edge = m.edges.find((e) => e.client === 'frontend' && e.server === 'checkout');
    assert.ok(edge, JSON.stringify(m.edges));
    close(edge.rate, 20 / 600, 1e-9, 'edge rate');
    close(edge.error_rate, 0.05, 1e-12, 'edge error rate');
    assert.ok(m.edges.find((e) => e.client === 'user' && e.server === 'frontend'));
    const nodes = Object.fromEntries(m.nodes.map((n) => [n.service, n]));
    assert.equal(nodes.checkout.virtual, false);
    close(nodes.checkout.p95_ms, 128, 1e-9, 'node p95');
    assert.equal(nodes.user.virtual, true);
  });

  it('GET /api/traces accepts q= in the log search syntax', async () => {
    const ids = async (q, extra = {}) => (await getOk(`${url}/api/traces?${new URLSearchParams(
      { q, limit: '100', ...extra })}`)).traces.map((t) => t.trace_id).sort();
    assert.deepEqual(await ids('service:checkout status:error'), [traces[19].traceId]);
    assert.deepEqual(await ids('duration:>500ms kind:server'), [traces[19].traceId]);
    assert.equal((await ids('service:checkout @http.response.status_code:<300')).length, 19);
    assert.equal((await ids('"POST /checkout" -kind:client service:checkout version:2.0')).length,
      10);
    assert.deepEqual(await ids('service:checkout', { status: 'error' }), [traces[19].traceId]);
    const bad = await getJson(`${url}/api/traces?q=${encodeURIComponent('status:"broken')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /position 7/);
  });

  it('GET /api/traces/attributes lists span and resource attribute keys', async () => {
    const k = await get('/api/traces/attributes', { q: 'service:checkout' });
    assert.equal(k.total_spans, 20);
    assert.equal(k.sampled, false);
    const find = (key, source) => k.keys.find((x) => x.key === key && x.source === source);
    assert.equal(find('service.name', 'resource').count, 20);
    assert.equal(find('http.route', 'span').count, 20);
    assert.equal(find('http.response.status_code', 'span').count, 20);
    assert.equal(find('http.route', 'resource'), undefined);
    const counts = k.keys.map((x) => x.count);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    assert.equal((await getJson(`${url}/api/traces/attributes?limit=x`)).status, 400);
  });

  it('GET /api/traces/facets counts span values and durations', async () => {
    const f = await get('/api/traces/facets', { q: 'service:checkout' });
    assert.equal(f.total_spans, 20);
    assert.equal(f.sampled, false);
    assert.deepEqual(f.facets.status, [{ value: 'unset', count: 19 }, { value: 'error', count: 1 }]);
    assert.deepEqual(f.facets.version,
      [{ value: '2.0', count: 10 }, { value: '2.1-canary', count: 10 }]);
    assert.deepEqual(f.facets['http.route'], [{ value: '/checkout', count: 20 }]);
    const at = (ms) => f.duration.counts[f.duration.buckets_ms.indexOf(ms)];
    assert.equal(at(50), 16);   // 30 ms in (20, 50]
    assert.equal(at(100), 3);   // 100 ms in (50, 100]
    assert.equal(at(1000), 1);  // 700 ms in (500, 1000]
    const custom = await get('/api/traces/facets', { fields: 'service,@http.response.status_code' });
    assert.equal(custom.total_spans, 60);
    assert.deepEqual(custom.facets['@http.response.status_code'],
      [{ value: '200', count: 19 }, { value: '500', count: 1 }]);
  });

  it('GET /api/logs/facets counts log values', async () => {
    const f = await get('/api/logs/facets', { q: 'service:checkout' });
    assert.equal(f.total, 8);
    assert.deepEqual(f.facets.level, [{ value: 'info', count: 5 }, { value: 'error', count: 2 },
      { value: 'fatal', count: 1 }]);
    const all = await get('/api/logs/facets', { fields: 'service,@order.id' });
    assert.equal(all.total, 12);
    assert.deepEqual(all.facets.service, [{ value: 'checkout', count: 8 },
      { value: 'frontend', count: 4 }]);
    assert.equal(all.facets['@order.id'].reduce((a, v) => a + v.count, 0), 12);
    const bad = await getJson(`${url}/api/logs/facets?q=${encodeURIComponent('level:loud')}`);
    assert.equal(bad.status, 400);
  });

  it('GET /api/metrics/exemplars points at the ingested spans, newest first', async () => {
    const query = 'traces_spanmetrics_latency_bucket{service="checkout"}';
    const e = await get('/api/metrics/exemplars', { query });
    assert.ok(e.exemplars.length >= 1);
    const serverSpans = new Set(traces.map((t) => t.server));
    for (const x of e.exemplars) {
      assert.equal(x.labels.__name__, 'traces_spanmetrics_latency_bucket');
      assert.equal(x.labels.service, 'checkout');
      assert.ok(serverSpans.has(x.span_id), x.span_id);
      assert.match(x.trace_id, /^[0-9a-f]{32}$/);
    }
    for (let i = 1; i < e.exemplars.length; i++) {
      assert.ok(e.exemplars[i - 1].time >= e.exemplars[i].time);
    }
    const slow = e.exemplars.find((x) => x.labels.le === '1.024');
    assert.ok(slow && slow.trace_id === traces[19].traceId);
    close(slow.value, 0.7, 1e-9, 'exemplar value');
    const one = await get('/api/metrics/exemplars', { query, limit: '1' });
    assert.equal(one.exemplars.length, 1);
  });

  it('GET /api/metrics/query_range with fn=histogram_quantile', async () => {
    const r = await get('/api/metrics/query_range', {
      query: 'traces_spanmetrics_latency_bucket{service="checkout"}',
      fn: 'histogram_quantile', q: '0.5', by: 'service', window: '10m', step: '15s',
    });
    assert.equal(r.series.length, 1);
    assert.deepEqual(r.series[0].labels, { service: 'checkout' });
    const last = r.series[0].points.at(-1);
    close(last[1], 0.026, 1e-9, 'median seconds');
    const bad = await getJson(`${url}/api/metrics/query_range?query=x_bucket&fn=histogram_quantile&q=2`);
    assert.equal(bad.status, 400);
  });
});
