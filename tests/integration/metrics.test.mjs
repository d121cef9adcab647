// Metrics end to end against the real periscope binary: the OpenTelemetry JS metrics SDK
// (counter, up-down counter, histogram, observable gauge) through every OTLP metrics exporter,
// read back through /api/metrics* and the Prometheus-compatible API; a real Prometheus
// remote-writing its own metrics, compared with Prometheus's own answers; and acknowledged
// samples surviving SIGKILL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, getOk, pollUntil } from '../clients/lib/http.mjs';
import { withServerLog } from '../clients/lib/expect.mjs';
import {
  ExportResultCode, METRIC_VARIANTS, gaugeJsonBody, meterFor, postMetricsJson, startPrometheus,
} from '../clients/lib/otel_metrics.mjs';

// Consecutive distinct values of a point list ([t, v] pairs).
const iso = (ms) => new Date(ms).toISOString();
const runs = (points) => points.map((p) => Number(p[1]))
  .filter((v, i, a) => i === 0 || v !== a[i - 1]);

async function queryRange(server, params) {
  return getOk(`${server.httpUrl}/api/metrics/query_range?${new URLSearchParams(params)}`);
}

describe('metrics from OpenTelemetry JS exporters', () => {
  let server;
  before(async () => { server = await startServer({ args: ['--flush-interval', '1s'] }); });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  for (const variant of METRIC_VARIANTS) {
    describe(`exporter ${variant.name}${variant.delta ? ' (delta)' : ''}`, () => {
      const service = `msvc-${variant.name}`;
      const sel = (name, extra = '') => `${name}{service="${service}"${extra}}`;
      let m;
      let t0;
      let t1;
      const win = () => ({ start: iso(t0 - 5000), end: iso(Date.now() + 1000), step: '1s' });

      before(async () => {
        t0 = Date.now();
        m = meterFor(variant, server, {
          'service.name': service, 'service.version': '1.2.3',
          'deployment.environment.name': 'prod', 'host.name': 'node-1',
        });
        const counter = m.meter.createCounter('it.requests', { unit: '1' });
        const updown = m.meter.createUpDownCounter('it.queue.depth');
        const hist = m.meter.createHistogram('it.latency',
          { unit: 'ms', advice: { explicitBucketBoundaries: [10, 100, 1000] } });
        const gauge = m.meter.createObservableGauge('it.cpu.temp');
        gauge.addCallback((r) => {
          r.observe(42.5, { core: '0' });
          r.observe(17, { core: '1' });
        });
        counter.add(5, { route: '/a' });
        counter.add(2, { route: '/b' });
        updown.add(10);
        updown.add(-4);
        for (const v of [5, 50, 50, 500, 5000]) hist.record(v, { route: '/a' });
        await m.collect();
        await sleep(1100);
        counter.add(3, { route: '/a' });
        updown.add(-3);
        hist.record(7, { route: '/a' });
        hist.record(8, { route: '/a' });
        await m.collect();
        t1 = Date.now();
        await m.shutdown();
        await sleep(200);
      });

      it('every export succeeds', () => {
        assert.ok(m.results.length >= 2);
        for (const r of m.results) {
          assert.equal(r.code, ExportResultCode.SUCCESS, `export failed: ${r.error?.message}`);
        }
      });

      it('counter and up-down counter values over time', () => withServerLog(server, async () => {
        const c = await queryRange(server, { query: sel('it_requests', ',route="/a"'), ...win() });
        assert.equal(c.series.length, 1, JSON.stringify(c));
        const labels = c.series[0].labels;
        assert.deepEqual(labels, { __name__: 'it_requests', service, env: 'prod', version: '1.2.3',
          host: 'node-1', route: '/a' });
        assert.deepEqual(runs(c.series[0].points), variant.delta ? [5, 3] : [5, 8],
          'it_requests{route="/a"} values');
        const u = await queryRange(server, { query: sel('it_queue_depth'), ...win() });
        assert.equal(u.series.length, 1);
        // Up-down counters stay cumulative under the delta preference.
        assert.deepEqual(runs(u.series[0].points), [6, 3], 'it_queue_depth values');
        // The sum over routes, at the end (grouped by service).
        const s = await queryRange(server, { query: sel('it_requests'), agg: 'sum', by: 'service',
          ...win() });
        assert.equal(s.series.length, 1);
        assert.deepEqual(s.series[0].labels, { service });
        // Delta: the newest delta of each route (3 and 2); cumulative: 8 + 2.
        assert.equal(Number(s.series[0].points.at(-1)[1]), variant.delta ? 5 : 10);
      }));

      it('rate/increase of the counter', () => withServerLog(server, async () => {
        const r = await queryRange(server, { query: sel('it_requests', ',route="/a"'),
          fn: 'increase', window: '1h', start: iso(t1 + 500), end: iso(t1 + 500), step: '1s' });
        assert.equal(r.series.length, 1, JSON.stringify(r));
        const inc = Number(r.series[0].points[0][1]);
        // Delta: the sum of the deltas; cumulative: first sample is a start (reset) -> 8.
        assert.ok(inc >= 3 && inc <= 8 + 1e-9, `increase ${inc}`);
        if (variant.delta) assert.equal(inc, 8);
      }));

      it('histogram buckets, _sum and _count', () => withServerLog(server, async () => {
        const b = await queryRange(server, { query: sel('it_latency_bucket', ',route="/a"'),
          ...win() });
        const byLe = Object.fromEntries(b.series.map((s) => [s.labels.le, runs(s.points)]));
        if (variant.delta) {
          assert.deepEqual(byLe, { 10: [1, 2], 100: [3, 2], 1000: [4, 2], '+Inf': [5, 2] });
        } else {
          assert.deepEqual(byLe, { 10: [1, 3], 100: [3, 5], 1000: [4, 6], '+Inf': [5, 7] });
        }
        const sum = await queryRange(server, { query: sel('it_latency_sum'), ...win() });
        const count = await queryRange(server, { query: sel('it_latency_count'), ...win() });
        assert.deepEqual(runs(sum.series[0].points), variant.delta ? [5605, 15] : [5605, 5620]);
        assert.deepEqual(runs(count.series[0].points), variant.delta ? [5, 2] : [5, 7]);
      }));

      it('start/end as Unix seconds, milliseconds and nanoseconds (integers) select the same range',
        () => withServerLog(server, async () => {
          const startMs = t0 - 5000;
          const endMs = Date.now() + 1000;
          const want = await queryRange(server, { query: sel('it_queue_depth'), ...win() });
          for (const [unit, f] of [['ns', (ms) => `${ms}000000`], ['ms', (ms) => String(ms)],
            ['s', (ms) => String(Math.floor(ms / 1000))]]) {
            const got = await queryRange(server, { query: sel('it_queue_depth'),
              start: f(startMs), end: f(endMs), step: '1s' });
            assert.ok(Math.abs(got.start - startMs) < 1000 && Math.abs(got.end - endMs) < 1000,
              `integer ${unit}: start/end parsed as ${got.start}/${got.end}, want ~${startMs}/${endMs}`);
            assert.deepEqual(runs(got.series[0]?.points ?? []), runs(want.series[0].points),
              `integer ${unit} values`);
          }
        }));

      it('observable gauge per attribute set', () => withServerLog(server, async () => {
        const g = await queryRange(server, { query: sel('it_cpu_temp'), ...win() });
        const byCore = Object.fromEntries(g.series.map((s) => [s.labels.core, runs(s.points)]));
        assert.deepEqual(byCore, { 0: [42.5], 1: [17] });
      }));

      it('discovery: /api/metrics, labels, series; Prometheus API agrees', () =>
        withServerLog(server, async () => {
          const names = await getOk(`${server.httpUrl}/api/metrics?match=${encodeURIComponent(`{service="${service}"}`)}`);
          assert.deepEqual([...names.metrics].sort(), ['it_cpu_temp', 'it_latency_bucket',
            'it_latency_count', 'it_latency_sum', 'it_queue_depth', 'it_requests'].concat(
            names.metrics.filter((n) => /^it_latency_(min|max)$/.test(n))).sort());
          const labels = await getOk(`${server.httpUrl}/api/metrics/labels?match=${encodeURIComponent(sel('it_requests'))}`);
          assert.deepEqual([...labels.labels].sort(),
            ['__name__', 'env', 'host', 'route', 'service', 'version']);
          const routes = await getOk(`${server.httpUrl}/api/metrics/labels?name=route&match=${encodeURIComponent(sel('it_requests'))}`);
          assert.deepEqual([...routes.values].sort(), ['/a', '/b']);
          const series = await getOk(`${server.httpUrl}/api/metrics/series?match=${encodeURIComponent(sel('it_requests'))}`);
          assert.equal(series.series.length, 2);
          for (const s of series.series) {
            assert.equal(s.kind, variant.delta ? 'delta_counter' : 'counter', JSON.stringify(s));
          }
          const p = await getOk(`${server.httpUrl}/prometheus/api/v1/query_range?${new URLSearchParams({
            query: `sum by (route) (${sel('it_requests')})`, start: (t0 / 1000 - 5).toFixed(3),
            end: (Date.now() / 1000 + 1).toFixed(3), step: '1' })}`);
          assert.equal(p.status, 'success');
          assert.equal(p.data.resultType, 'matrix');
          const last = Object.fromEntries(p.data.result.map((r) => [r.metric.route, r.values.at(-1)[1]]));
          assert.deepEqual(last, variant.delta ? { '/a': '3', '/b': '2' } : { '/a': '8', '/b': '2' });
          const pl = await getOk(`${server.httpUrl}/prometheus/api/v1/label/route/values?${new URLSearchParams({ 'match[]': sel('it_requests') })}`);
          assert.deepEqual(pl, { status: 'success', data: ['/a', '/b'] });
          const ps = await getOk(`${server.httpUrl}/prometheus/api/v1/series?${new URLSearchParams({ 'match[]': sel('it_queue_depth') })}`);
          assert.deepEqual(ps.data, [{ __name__: 'it_queue_depth', service, env: 'prod',
            version: '1.2.3', host: 'node-1' }]);
          const bad = await getJson(`${server.httpUrl}/prometheus/api/v1/query_range?query=${encodeURIComponent('it_requests{')}`);
          assert.equal(bad.status, 400);
          assert.equal(bad.body?.status, 'error');
        }));
    });
  }
});

describe('real Prometheus remote-writing to periscope', () => {
  let server;
  let prom;
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
    prom = await startPrometheus(`${server.httpUrl}/api/v1/write`);
  });
  after(async () => {
    if (prom) await prom.stop();
    if (server) { await server.stop(); await server.cleanup(); }
  });

  it('prometheus_build_info and up arrive with Prometheus\'s labels', () =>
    withServerLog(server, async () => {
      const seen = await pollUntil(async () => {
        const r = await getJson(`${server.httpUrl}/api/metrics?match=${encodeURIComponent('{job="prometheus"}')}`);
        const names = r.body?.metrics ?? [];
        return names.includes('prometheus_build_info') && names.includes('up') ? names : null;
      }, { timeoutMs: 20000, intervalMs: 250 });
      assert.ok(seen, `no prometheus_build_info/up after 20 s; prometheus log:\n${prom.log()}`);
      const mine = await getOk(`${server.httpUrl}/prometheus/api/v1/series?${new URLSearchParams({ 'match[]': 'prometheus_build_info' })}`);
      const theirs = await getOk(`${prom.url}/api/v1/series?${new URLSearchParams({ 'match[]': 'prometheus_build_info' })}`);
      assert.deepEqual(mine.data, theirs.data);
      const up = await getOk(`${server.httpUrl}/prometheus/api/v1/query_range?${new URLSearchParams({
        query: 'up', start: (Date.now() / 1000 - 30).toFixed(3), end: (Date.now() / 1000).toFixed(3),
        step: '1' })}`);
      assert.equal(up.data.result.length, 1);
      assert.equal(up.data.result[0].metric.job, 'prometheus');
      assert.ok(up.data.result[0].values.every((v) => v[1] === '1'));
    }));

  it('raw samples equal Prometheus\'s own samples of the same series', () =>
    withServerLog(server, async () => {
      const series = ['prometheus_http_requests_total{handler="/metrics"}',
        'prometheus_tsdb_head_series', 'process_resident_memory_bytes'];
      let compared = 0;
      for (const sel of series) {
        // Prometheus scrapes every second; wait (bounded) for 3 samples older than the
        // remote-write batch deadline.
        let want = [];
        await pollUntil(async () => {
          const at = (Date.now() / 1000 - 2).toFixed(3);
          const r = await getOk(`${prom.url}/api/v1/query?${new URLSearchParams({ query: `${sel}[10s]`, time: at })}`);
          want = r.data.result.length === 1 ? r.data.result[0].values : [];
          return want.length >= 3;
        }, { timeoutMs: 20000, intervalMs: 500 });
        assert.ok(want.length >= 3, `${sel}: only ${want.length} samples in Prometheus`);
        for (const [ts, value] of want) {
          const ms = Math.round(ts * 1000);
          let got;
          await pollUntil(async () => {
            const q = await getJson(`${server.httpUrl}/api/metrics/query_range?${new URLSearchParams({
              query: sel, start: iso(ms), end: iso(ms), step: '1s', window: '1ms' })}`);
            got = q.body?.series?.[0]?.points?.[0];
            return got && got[0] === ms;
          }, { timeoutMs: 5000, intervalMs: 200 });
          assert.deepEqual(got, [ms, Number(value)], `${sel} at ${ms}`);
          compared++;
        }
      }
      console.log(`# prometheus: ${compared} samples compared`);
    }));
});

describe('acknowledged samples survive SIGKILL', () => {
  let server;
  const acked = new Map();  // worker -> Set(i)
  const base = Date.now() - 6 * 3600 * 1000;  // points 1 s apart: worker w, index i at base + i s
  before(async () => { server = await startServer({ args: ['--flush-interval', '1s'] }); });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  async function load({ durationMs, killAfterMs = null, startIndex }) {
    const stats = { ok: 0, failed: 0, rejected: 0 };
    const stopAt = Date.now() + durationMs;
    let killed = false;
    const worker = async (w) => {
      if (!acked.has(w)) acked.set(w, new Set());
      for (let i = startIndex; Date.now() < stopAt && i < startIndex + 4000; i += 10) {
        const points = Array.from({ length: 10 }, (_, k) => ({
          timeMs: base + (i + k) * 1000, value: (i + k) * 1.5 + w, attributes: { w: String(w) },
        }));
        try {
          const r = await postMetricsJson(server.otlpHttpUrl,
            gaugeJsonBody({ resource: { 'service.name': 'crash-metrics' }, name: 'crash_gauge', points }));
          if (r.status === 200) {
            stats.ok++;
            for (let k = 0; k < 10; k++) acked.get(w).add(i + k);
          } else {
            stats.rejected++;
          }
        } catch {
          stats.failed++;
          if (killed) return;
          await sleep(10);
        }
        await sleep(2);
      }
    };
    const killer = (async () => {
      if (killAfterMs === null) return;
      await sleep(killAfterMs);
      await server.kill();
      killed = true;
    })();
    await Promise.all([0, 1, 2].map(worker).concat([killer]));
    return stats;
  }

  async function check() {
    let checked = 0;
    for (const [w, set] of acked) {
      const idx = [...set].sort((a, b) => a - b);
      if (!idx.length) continue;
      for (let lo = idx[0]; lo <= idx.at(-1); lo += 5000) {
        const hi = Math.min(idx.at(-1), lo + 4999);
        const r = await getOk(`${server.httpUrl}/api/metrics/query_range?${new URLSearchParams({
          query: `crash_gauge{w="${w}"}`, start: iso(base + lo * 1000),
          end: iso(base + hi * 1000), step: '1s', window: '1ms' })}`);
        assert.equal(r.series.length, 1, `worker ${w}: ${r.series.length} series`);
        const byT = new Map(r.series[0].points.map(([t, v]) => [t, v]));
        for (const i of idx) {
          if (i < lo || i > hi) continue;
          assert.equal(byT.get(base + i * 1000), i * 1.5 + w, `worker ${w} sample ${i}`);
          checked++;
        }
      }
    }
    return checked;
  }

  it('after a SIGKILL mid-stream and after a flush', () => withServerLog(server, async () => {
    const s1 = await load({ durationMs: 4000, killAfterMs: 1500, startIndex: 0 });
    assert.equal(server.exit?.signal, 'SIGKILL');
    assert.ok(s1.ok >= 10, `only ${s1.ok} acknowledged`);
    assert.equal(s1.rejected, 0);
    await server.start();
    const n1 = await check();
    const s2 = await load({ durationMs: 800, startIndex: 5000 });
    assert.equal(s2.failed + s2.rejected, 0);
    await sleep(2000);
    await server.kill();
    await server.start();
    const n2 = await check();
    console.log(`# metrics crash: ${s1.ok} requests acked before the kill, ${n1} samples checked;` +
      ` then ${n2}`);
  }));
});
