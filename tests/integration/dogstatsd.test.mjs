// DogStatsD end to end against the real periscope binary: the hot-shots client (npm) sends every
// metric type with tags, sample rates, a timestamp, events and service checks over UDP; the
// aggregated values are read back through /api/metrics/query_range and the Prometheus API after
// the (1 s) DogStatsD flush; malformed lines are counted, never fatal; the pending interval is
// flushed durably on a clean stop.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, getOk, pollUntil } from '../clients/lib/http.mjs';
import { withServerLog } from '../clients/lib/expect.mjs';

// hot-shots lives in tests/clients/node_modules, beside the other client libraries.
const StatsD = createRequire(new URL('../clients/package.json', import.meta.url))('hot-shots');

const SERVER_ARGS = ['--flush-interval', '1s', '--dogstatsd-flush-interval', '1s'];
const TAGS = { service: 'dsd-it', env: 'test', version: '2.0', host: 'h1' };
const iso = (ms) => new Date(ms).toISOString();

function clientFor(server, errors) {
  assert.ok(server.ports.dogstatsd > 0, `ports.json has no dogstatsd port: ${JSON.stringify(server.ports)}`);
  return new StatsD({ host: '127.0.0.1', port: server.ports.dogstatsd, protocol: 'udp',
    globalTags: TAGS, errorHandler: (e) => errors.push(e),
    // Buffered: the lines sent in one tick leave as one multi-line datagram, so they land in one
    // flush interval.
    maxBufferSize: 8000, bufferFlushInterval: 50 });
}

// Sends with a per-call sample rate < 1 while Math.random says "sampled in", so the datagram
// carries `|@rate` deterministically.
function sampledIn(fn) {
  const random = Math.random;
  Math.random = () => 0;
  try { fn(); } finally { Math.random = random; }
}

async function sendRaw(port, text) {
  const sock = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => sock.send(Buffer.from(text), port, '127.0.0.1',
    (err) => (err ? reject(err) : resolve())));
  sock.close();
}

async function series(server, query, t0) {
  const r = await getOk(`${server.httpUrl}/api/metrics/query_range?${new URLSearchParams({
    query, start: iso(t0 - 5000), end: iso(Date.now() + 2000), step: '1s' })}`);
  return r.series;
}

// The newest value of the single series matching `query`, or null while it is absent.
async function latest(server, query, t0) {
  const s = await series(server, query, t0);
  if (s.length !== 1 || s[0].points.length === 0) return null;
  return Number(s[0].points.at(-1)[1]);
}

async function selfMetric(server, name) {
  const r = await getJson(`${server.httpUrl}/metrics`);
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(r.text);
  return m ? Number(m[1]) : 0;
}

describe('DogStatsD through hot-shots', () => {
  let server;
  let client;
  const errors = [];
  let t0;
  const sel = (name, extra = '') => `${name}{service="dsd-it"${extra}}`;

  before(async () => {
    server = await startServer({ args: SERVER_ARGS });
    client = clientFor(server, errors);
    t0 = Date.now();
    client.increment('it.requests', 1, ['route:/a']);
    client.increment('it.requests', 2, ['route:/a']);
    sampledIn(() => client.increment('it.requests', 1, 0.25, ['route:/a']));  // counts 4
    client.increment('it.requests', 5, ['route:/b']);
    client.decrement('it.inflight', 1);
    client.gauge('it.temp', 10);
    client.gauge('it.temp', 12.5);
    client.gauge('it.backfill', 99, { timestamp: new Date(t0 - 3000) });
    for (let v = 1; v <= 10; v++) client.histogram('it.payload', v);
    for (const v of [100, 200, 300]) client.timing('it.latency', v);
    sampledIn(() => client.distribution('it.dist', 5, 0.5));  // count 2, sum 10
    for (const u of ['alice', 'bob', 'alice']) client.set('it.users', u);
    client.unique('it.users', 'carol', ['shard:2']);
    client.event('deploy', 'version 2.0 rolled out', { alert_type: 'info' });
    client.event('payment outage', 'card processor down', { alert_type: 'error', aggregation_key: 'pay-1' });
    client.check('it.db.up', client.CHECKS.OK, { message: 'fine' });
    client.check('it.queue.ok', client.CHECKS.CRITICAL, { message: 'queue full' });
    await sendRaw(server.ports.dogstatsd,
      'not a metric\nit.raw:1|zz\nit.raw:x|c\nit.raw:3|c|#service:dsd-it');
    await pollUntil(() => latest(server, sel('it_requests', ',route="/b"'), t0)
      .then((v) => (v === 5 ? v : null)), { timeoutMs: 15000, intervalMs: 200 });
  });
  after(async () => {
    if (client) await new Promise((resolve) => client.close(resolve));
    if (server) { await server.stop(); await server.cleanup(); }
  });

  it('hot-shots reported no send errors', () => assert.deepEqual(errors, []));

  it('counters are cumulative with sample rates applied, tags as labels', () =>
    withServerLog(server, async () => {
      const s = await series(server, sel('it_requests', ',route="/a"'), t0);
      assert.equal(s.length, 1, JSON.stringify(s));
      assert.deepEqual(s[0].labels, { __name__: 'it_requests', route: '/a', ...TAGS });
      assert.equal(Number(s[0].points.at(-1)[1]), 1 + 2 + 4);
      assert.equal(await latest(server, sel('it_inflight'), t0), -1);
      assert.equal(await latest(server, sel('it_raw'), t0), 3);
      const meta = await getOk(`${server.httpUrl}/api/metrics/series?match=${encodeURIComponent(sel('it_requests'))}`);
      assert.equal(meta.series.length, 2);
      for (const m of meta.series) assert.equal(m.kind, 'counter', JSON.stringify(m));
    }));

  it('counter keeps counting across flushes', () => withServerLog(server, async () => {
    client.increment('it.requests', 3, ['route:/a']);
    const v = await pollUntil(() => latest(server, sel('it_requests', ',route="/a"'), t0)
      .then((x) => (x === 10 ? x : null)), { timeoutMs: 10000, intervalMs: 200 });
    assert.equal(v, 10);
  }));

  it('gauges keep the last value; a timestamped gauge lands at its timestamp', () =>
    withServerLog(server, async () => {
      assert.equal(await latest(server, sel('it_temp'), t0), 12.5);
      const b = await series(server, sel('it_backfill'), t0);
      assert.equal(b.length, 1);
      const [t, v] = b[0].points[0];
      assert.equal(Number(v), 99);
      const tMs = Number(t);
      assert.ok(Math.abs(tMs - (t0 - 3000)) <= 1000, `backfill at ${t}, sent for ${t0 - 3000}`);
    }));

  it('sets count distinct members per interval and per tag set', () =>
    withServerLog(server, async () => {
      assert.equal(await latest(server, sel('it_users', ',shard=""'), t0), 2);
      assert.equal(await latest(server, sel('it_users', ',shard="2"'), t0), 1);
    }));

  it('histograms, timers and distributions become summary gauges', () =>
    withServerLog(server, async () => {
      const want = {
        it_payload: { count: 10, sum: 55, min: 1, max: 10, avg: 5.5, median: 5, '95percentile': 10 },
        it_latency: { count: 3, sum: 600, min: 100, max: 300, avg: 200, median: 200 },
        it_dist: { count: 2, sum: 10, min: 5, max: 5, avg: 5, '99percentile': 5 },
      };
      for (const [name, stats] of Object.entries(want)) {
        for (const [stat, value] of Object.entries(stats)) {
          assert.equal(await latest(server, sel(`${name}_${stat}`), t0), value, `${name}_${stat}`);
        }
      }
    }));

  it('the Prometheus API sees the same values', () => withServerLog(server, async () => {
    const p = await getOk(`${server.httpUrl}/prometheus/api/v1/query_range?${new URLSearchParams({
      query: `sum by (route) (${sel('it_requests')})`, start: (t0 / 1000 - 5).toFixed(3),
      end: (Date.now() / 1000 + 2).toFixed(3), step: '1' })}`);
    assert.equal(p.status, 'success');
    const last = Object.fromEntries(p.data.result.map((r) => [r.metric.route, r.values.at(-1)[1]]));
    assert.deepEqual(last, { '/a': '10', '/b': '5' });
  }));

  it('events and service checks are stored as logs with unified tags and severity', () =>
    withServerLog(server, async () => {
      const search = async (q) => (await getOk(`${server.httpUrl}/api/logs?${new URLSearchParams({
        q, start: iso(t0 - 60000), end: iso(Date.now() + 60000) })}`)).logs;
      const events = await pollUntil(async () => {
        const rows = await search('@event.kind:datadog.event');
        return rows.length === 2 ? rows : null;
      }, { timeoutMs: 15000, intervalMs: 200 });
      const outage = events.find((r) => r.body.startsWith('payment outage'));
      assert.ok(outage, JSON.stringify(events));
      assert.equal(outage.body, 'payment outage\ncard processor down');
      assert.equal(outage.level, 'error');
      assert.equal(outage.service, 'dsd-it');
      assert.equal(outage.env, 'test');
      assert.equal(outage.version, '2.0');
      assert.equal(outage.attributes['event.aggregation_key'], 'pay-1');
      const checks = await search('@event.kind:datadog.service_check');
      assert.deepEqual(checks.map((r) => [r.attributes['check.name'], r.attributes['check.status'], r.body]).sort(),
        [['it.db.up', 'OK', 'fine'], ['it.queue.ok', 'CRITICAL', 'queue full']]);
      assert.equal(checks.find((r) => r.attributes['check.name'] === 'it.queue.ok').level, 'error');
      // ...and each check is also a status gauge.
      const status = await latest(server, 'service_check_status{check="it.queue.ok"}', t0);
      assert.equal(status, 2);
    }));

  it('events, service checks and malformed lines are counted, never fatal', () =>
    withServerLog(server, async () => {
      assert.ok(await selfMetric(server, 'periscope_dogstatsd_events_total') >= 1);
      assert.ok(await selfMetric(server, 'periscope_dogstatsd_service_checks_total') >= 1);
      assert.ok(await selfMetric(server, 'periscope_dogstatsd_malformed_lines_total') >= 3);
      assert.equal((await getJson(`${server.httpUrl}/healthz`)).status, 200);
    }));
});

describe('DogStatsD pending interval on a clean stop', () => {
  let server;
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  it('is flushed durably and survives a restart', async () => {
    // A long flush interval: only the stop can flush this gauge.
    server = await startServer({ args: ['--dogstatsd-flush-interval', '1h'] });
    const t0 = Date.now();
    await sendRaw(server.ports.dogstatsd, 'it.final:7|g|#service:dsd-stop');
    await new Promise((r) => setTimeout(r, 300));
    const stopped = await server.stop();
    assert.equal(stopped.clean, true, server.stderrTail());
    await server.start();
    await withServerLog(server, async () => {
      assert.equal(await latest(server, 'it_final{service="dsd-stop"}', t0), 7);
    });
  });
});
