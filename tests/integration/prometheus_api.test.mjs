// The Prometheus-compatible query API (/prometheus/api/v1) against a real Prometheus from Debian:
// Prometheus scrapes itself every second and remote-writes the samples to periscope, then the
// same PromQL is asked of both, periscope by POST with a form body as Grafana sends it, and the
// answers must match (same series, same values).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, getOk, pollUntil } from '../clients/lib/http.mjs';
import { withServerLog } from '../clients/lib/expect.mjs';
import { startPrometheus } from '../clients/lib/otel_metrics.mjs';

async function postForm(url, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body, text };
}

const key = (metric) => JSON.stringify(Object.entries(metric).sort());

// Asserts two Prometheus `data` objects hold the same series and values (relative 1e-9).
function assertSameResult(mine, theirs, what) {
  assert.equal(mine.resultType, theirs.resultType, what);
  if (theirs.resultType === 'scalar') {
    assert.deepEqual(mine.result, theirs.result, what);
    return;
  }
  const points = (s) => (theirs.resultType === 'vector' ? [s.value] : s.values);
  const index = new Map(mine.result.map((s) => [key(s.metric), points(s)]));
  assert.deepEqual([...index.keys()].sort(), theirs.result.map((s) => key(s.metric)).sort(), what);
  for (const s of theirs.result) {
    const got = index.get(key(s.metric));
    const want = points(s);
    assert.equal(got.length, want.length, `${what} ${key(s.metric)}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    want.forEach(([t, v], i) => {
      assert.equal(got[i][0], t, `${what}: timestamps`);
      const a = Number(got[i][1]);
      const b = Number(v);
      const close = (Number.isNaN(a) && Number.isNaN(b)) || a === b ||
        Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
      assert.ok(close, `${what} ${key(s.metric)} at ${t}: periscope ${got[i][1]}, prometheus ${v}`);
    });
  }
}

describe('Prometheus API answers like Prometheus', () => {
  let server;
  let prom;
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
    prom = await startPrometheus(`${server.httpUrl}/api/v1/write`, { metadataInterval: '1s' });
  });
  after(async () => {
    if (prom) await prom.stop();
    if (server) { await server.stop(); await server.cleanup(); }
  });

  it('buildinfo, metadata, and Grafana\'s 1+1 health check', () =>
    withServerLog(server, async () => {
      const info = await getOk(`${server.httpUrl}/api/v1/status/buildinfo`);
      assert.equal(info.status, 'success');
      assert.match(info.data.version, /^\d+\.\d+\.\d+$/);
      const check = await postForm(`${server.httpUrl}/prometheus/api/v1/query`, { query: '1+1', time: '1700000000.5' });
      assert.equal(check.status, 200, check.text);
      assert.deepEqual(check.body.data, { resultType: 'scalar', result: [1700000000.5, '2'] });
      // Prometheus sends metadata in requests of its own, here every second.
      const seen = await pollUntil(async () => {
        const m = await getOk(`${server.httpUrl}/prometheus/api/v1/metadata`);
        return m.data.prometheus_tsdb_head_series?.[0]?.type === 'gauge' ? m.data : null;
      }, { timeoutMs: 20000, intervalMs: 250 });
      assert.ok(seen, `no metadata after 20 s; prometheus log:\n${prom.log()}`);
      assert.equal(seen.prometheus_http_request_duration_seconds[0].type, 'histogram');
      assert.equal(seen.prometheus_http_requests_total[0].type, 'counter');
      const theirs = await getOk(`${prom.url}/api/v1/metadata`);
      for (const [family, [{ type }]] of Object.entries(theirs.data)) {
        if (seen[family] && type !== 'unknown') assert.equal(seen[family][0].type, type, family);
      }
    }));

  it('instant and range queries of the subset equal Prometheus\'s answers', () =>
    withServerLog(server, async () => {
      // 12 s of scrapes so that 10 s windows are full.
      const ready = await pollUntil(async () => {
        const r = await getJson(`${prom.url}/api/v1/query?${new URLSearchParams({ query: 'count_over_time(up[15s])' })}`);
        return Number(r.body?.data?.result?.[0]?.value?.[1] ?? 0) >= 12;
      }, { timeoutMs: 30000, intervalMs: 500 });
      assert.ok(ready, `Prometheus has not scraped 12 times; log:\n${prom.log()}`);
      const queries = [
        'up',
        'prometheus_tsdb_head_series',
        'rate(prometheus_http_requests_total{handler="/metrics"}[10s])',
        'sum by (code) (increase(prometheus_http_requests_total[10s]))',
        'sum(rate(prometheus_http_requests_total[10s])) by (handler)',
        'count(up)',
        'max by (job) (process_resident_memory_bytes)',
        'histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket{handler="/metrics"}[10s])))',
        '2 * (3 + 4)',
      ];
      // Two seconds back, so that both have every sample up to `at` (remote write batches
      // within 500 ms); the odd milliseconds keep `at` off the scrape times.
      const at = ((Date.now() - 2000) / 1000).toFixed(3);
      for (const query of queries) {
        const theirs = await getOk(`${prom.url}/api/v1/query?${new URLSearchParams({ query, time: at })}`);
        assert.ok(theirs.data.resultType === 'scalar' || theirs.data.result.length > 0, `${query}: Prometheus has no answer`);
        let mine;
        await pollUntil(async () => {
          const r = await postForm(`${server.httpUrl}/prometheus/api/v1/query`, { query, time: at });
          assert.equal(r.status, 200, `${query}: ${r.text}`);
          mine = r.body.data;
          return mine.result.length === theirs.data.result.length;
        }, { timeoutMs: 5000, intervalMs: 250 });
        assertSameResult(mine, theirs.data, `instant ${query}`);
        const range = { query, start: (Number(at) - 6).toFixed(3), end: at, step: '2' };
        const theirRange = await getOk(`${prom.url}/api/v1/query_range?${new URLSearchParams(range)}`);
        const myRange = await getOk(`${server.httpUrl}/api/v1/query_range?${new URLSearchParams(range)}`);
        assertSameResult(myRange.data, theirRange.data, `range ${query}`);
      }
    }));

  it('exemplar, label and series endpoints; bad queries are 400 bad_data', () =>
    withServerLog(server, async () => {
      const names = await postForm(`${server.httpUrl}/prometheus/api/v1/label/__name__/values`, {});
      assert.ok(names.body.data.includes('prometheus_http_requests_total'));
      const series = await postForm(`${server.httpUrl}/prometheus/api/v1/series`, { 'match[]': 'up' });
      assert.deepEqual(series.body.data.map((s) => s.job), ['prometheus']);
      const ex = await getOk(`${server.httpUrl}/prometheus/api/v1/query_exemplars?${new URLSearchParams({ query: 'up' })}`);
      assert.deepEqual(ex.data, [], 'a scrape without exemplars has none');
      for (const query of ['topk(2, up)', 'up{', 'rate(up)', 'up > 1']) {
        const r = await postForm(`${server.httpUrl}/prometheus/api/v1/query`, { query });
        assert.equal(r.status, 400, `${query}: ${r.text}`);
        assert.equal(r.body.errorType, 'bad_data');
        assert.ok(r.body.error.length > 10, r.body.error);
      }
      const wrongType = await fetch(`${server.httpUrl}/prometheus/api/v1/query`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"up"}',
      });
      assert.equal(wrongType.status, 400);
      await wrongType.arrayBuffer();
    }));
});
