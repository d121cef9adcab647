// Crash safety of the real periscope binary: spans are posted concurrently over OTLP/HTTP
// protobuf, the server is SIGKILLed mid-stream, and after each restart every acknowledged span
// must come back exactly once (none lost, none duplicated, none altered); replay is idempotent
// across repeated crashes, including crashes after a flush to parts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../clients/lib/server.mjs';
import { getOk, postProto, waitForTrace } from '../clients/lib/http.mjs';
import { encodeExportRequest, hex, newSpanId, newTraceId, nowNs } from '../clients/lib/otlp_proto.mjs';
import { withServerLog } from '../clients/lib/expect.mjs';

const SERVICE = 'crash-svc';
const TRACE_COUNT = 40;
const WORKERS = 6;
const SPANS_PER_REQUEST = 20;

const pool = Array.from({ length: TRACE_COUNT }, () => newTraceId());
const sent = new Map();  // span id hex -> {trace, name, startNs, worker, seq}
const acked = new Set();  // span ids whose request got 200
let server;
let stored = new Map();  // trace hex -> Set(span id hex) seen after the last restart

function buildRequest(worker, seq) {
  const spans = [];
  const base = nowNs() - 5000000000n;
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const traceId = pool[(worker * 7 + seq * 3 + i) % TRACE_COUNT];
    const spanId = newSpanId();
    const id = hex(spanId);
    const startNs = base + BigInt(seq * 1000 + i);
    const span = {
      traceId, spanId, name: `s-${id}`, kind: 1 + (i % 5), startNs, endNs: startNs + 1000000n,
      attributes: { worker, seq, i, payload: id.repeat(4) },
    };
    sent.set(id, { trace: hex(traceId), name: span.name, startNs, worker, seq, i });
    spans.push(span);
  }
  const body = encodeExportRequest([{
    resource: { 'service.name': SERVICE, 'host.name': `w${worker}` },
    scopes: [{ name: 'crash-test', version: '1', spans }],
  }]);
  return { body, ids: spans.map((s) => hex(s.spanId)) };
}

// Runs WORKERS concurrent senders for `durationMs`, SIGKILLing the server after `killAfterMs`
// when given (senders then stop at their first failure).
// Returns request counts {ok, failed, rejected}.
async function sendLoad({ durationMs, killAfterMs = null, seqBase }) {
  const stats = { ok: 0, failed: 0, rejected: 0 };
  const stopAt = Date.now() + durationMs;
  let killed = false;
  const worker = async (w) => {
    for (let seq = seqBase; Date.now() < stopAt; seq++) {
      const { body, ids } = buildRequest(w, seq);
      try {
        const r = await postProto(server.otlpHttpUrl, body);
        if (r.status === 200) {
          stats.ok++;
          for (const id of ids) acked.add(id);
        } else {
          stats.rejected++;
        }
      } catch {
        stats.failed++;
        if (killed) return;  // the server is gone: stop this sender
        await sleep(10);
      }
    }
  };
  const killer = (async () => {
    if (killAfterMs === null) return;
    await sleep(killAfterMs);
    await server.kill();
    killed = true;
  })();
  await Promise.all([...Array.from({ length: WORKERS }, (_, w) => worker(w)), killer]);
  return stats;
}

// Reads every trace of the pool and checks: no duplicate span, every acknowledged span present,
// every span one that was sent and unaltered; the sets equal to `mustEqual` / holding
// `mustContain` (trace hex -> Set of span ids) when given.
async function checkStore({ mustEqual = null, mustContain = null } = {}) {
  const perTrace = new Map();
  for (const id of acked) {
    const trace = sent.get(id).trace;
    perTrace.set(trace, (perTrace.get(trace) ?? 0) + 1);
  }
  const seen = new Map();
  let extra = 0;
  for (const traceId of pool.map(hex)) {
    const want = perTrace.get(traceId) ?? 0;
    const r = await waitForTrace(server.httpUrl, traceId, Math.max(want, 1), { timeoutMs: want ? 15000 : 300 });
    if (want === 0 && r.status === 404) { seen.set(traceId, new Set()); continue; }
    assert.equal(r.status, 200, `trace ${traceId}: ${r.status}`);
    const ids = r.body.spans.map((s) => s.span_id);
    const set = new Set(ids);
    assert.equal(set.size, ids.length,
      `trace ${traceId}: ${ids.length - set.size} duplicate span(s) after replay`);
    for (const s of r.body.spans) {
      const orig = sent.get(s.span_id);
      assert.ok(orig, `trace ${traceId}: span ${s.span_id} was never sent`);
      assert.equal(orig.trace, traceId);
      assert.equal(s.name, orig.name, `span ${s.span_id} name`);
      assert.equal(s.start_time_unix_nano, String(orig.startNs), `span ${s.span_id} start`);
      assert.equal(s.duration_ns, 1000000, `span ${s.span_id} duration`);
      assert.deepEqual([s.attributes.worker, s.attributes.seq, s.attributes.i],
        [orig.worker, orig.seq, orig.i], `span ${s.span_id} attributes`);
      assert.equal(s.service, SERVICE);
      if (!acked.has(s.span_id)) extra++;
    }
    const missing = [...acked].filter((id) => sent.get(id).trace === traceId && !set.has(id));
    assert.equal(missing.length, 0,
      `trace ${traceId}: ${missing.length} acknowledged span(s) lost, e.g. ${missing.slice(0, 3)}`);
    seen.set(traceId, set);
  }
  if (mustEqual) {
    for (const [traceId, set] of seen) {
      const before = mustEqual.get(traceId) ?? new Set();
      assert.deepEqual([...set].sort(), [...before].sort(),
        `trace ${traceId}: stored spans changed across a restart`);
    }
  }
  if (mustContain) {
    for (const [traceId, before] of mustContain) {
      const lost = [...before].filter((id) => !seen.get(traceId)?.has(id));
      assert.equal(lost.length, 0, `trace ${traceId}: ${lost.length} previously stored span(s) lost`);
    }
  }
  // The search index agrees: each trace once, with its span count.
  const found = await getOk(`${server.httpUrl}/api/traces?service=${SERVICE}&limit=1000`);
  const ids = found.traces.map((t) => t.trace_id);
  assert.equal(new Set(ids).size, ids.length, 'a trace listed twice by search');
  for (const [traceId, set] of seen) {
    if (set.size === 0) continue;
    const t = found.traces.find((x) => x.trace_id === traceId);
    assert.ok(t, `search misses trace ${traceId}`);
    assert.equal(t.span_count, set.size, `search span_count of ${traceId}`);
  }
  return { seen, extra };
}

describe('crash safety (SIGKILL mid-stream, replay)', () => {
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
  });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  it('acknowledged spans survive a SIGKILL during concurrent ingest', () =>
    withServerLog(server, async () => {
      // Running > 1 flush interval before the kill leaves some spans in parts, some only in the WAL.
      const stats = await sendLoad({ durationMs: 8000, killAfterMs: 2500, seqBase: 0 });
      assert.ok(server.exit?.signal === 'SIGKILL', `server exit ${JSON.stringify(server.exit)}`);
      assert.ok(stats.ok >= 20, `only ${stats.ok} requests acknowledged before the kill`);
      assert.equal(stats.rejected, 0, 'valid requests were rejected');
      await server.start();
      const { seen, extra } = await checkStore();
      stored = seen;
      const total = [...seen.values()].reduce((n, s) => n + s.size, 0);
      console.log(`# crash 1: ${stats.ok} requests acked (${acked.size} spans), ` +
        `${stats.failed} failed at the kill; ${total} spans stored (${extra} unacknowledged)`);
    }));

  it('a second crash with no new writes replays idempotently', () =>
    withServerLog(server, async () => {
      await server.kill();
      await server.start();
      ({ seen: stored } = await checkStore({ mustEqual: stored }));
    }));

  it('new writes after recovery, a flush, then a crash: still exactly once', () =>
    withServerLog(server, async () => {
      const before = acked.size;
      const stats = await sendLoad({ durationMs: 1500, seqBase: 100000 });
      assert.equal(stats.failed + stats.rejected, 0, 'requests failed without a crash');
      assert.ok(acked.size > before);
      await sleep(2500);  // past the flush interval: the new spans reach parts
      await server.kill();
      await server.start();
      ({ seen: stored } = await checkStore({ mustContain: stored }));
    }));

  it('a clean SIGTERM restart keeps the same spans', () => withServerLog(server, async () => {
    const stopped = await server.stop();
    assert.equal(stopped.clean, true, `SIGTERM exit ${JSON.stringify(stopped)}`);
    await server.start();
    ({ seen: stored } = await checkStore({ mustEqual: stored }));
  }));
});
