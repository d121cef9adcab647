// Logs end to end against the real periscope binary: the OpenTelemetry JS logs SDK through every
// OTLP logs exporter (gRPC, HTTP protobuf, HTTP JSON), read back field by field and searched
// through /api/logs; every Loghub sample ingested and searched, with results checked against a
// plain scan of the file; and acknowledged logs surviving SIGKILL exactly once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, getOk, pollUntil } from '../clients/lib/http.mjs';
import { withServerLog } from '../clients/lib/expect.mjs';
import {
  ExportResultCode, LOG_VARIANTS, SeverityNumber, allLogs, emitLogs, logsJsonBody,
  newSpanContext, postLogsJson,
} from '../clients/lib/otel_logs.mjs';

const LOGHUB_DIR = new URL('../../../shared/data/loghub/', import.meta.url).pathname;
const HEARTBEATS = 25;

const nowNs = () => BigInt(Date.now()) * 1000000n;
const rfc3339 = (ns) => {
  const ms = ns / 1000000n;
  const iso = new Date(Number(ms)).toISOString();  // ...T..:..:..mmmZ
  return `${iso.slice(0, 19)}.${String(ns % 1000000000n).padStart(9, '0')}Z`;
};
const bodies = (rows) => rows.map((r) => r.body);
const sorted = (a) => [...a].sort();

// The records one variant emits, newest last; `base` is a BigInt nanosecond time.
function scenarioRecords(base, spanA, spanA2) {
  const recs = [
    { body: 'user alice logged in from 10.0.0.1', severityNumber: SeverityNumber.INFO,
      severityText: 'INFO', attributes: { 'http.status_code': 200, user: 'alice', ratio: 0.5,
        ok: true, 'arr.str': ['x', 'y'], 'arr.int': [1, -2] }, spanContext: spanA },
    { body: 'disk usage high on /var', severityNumber: SeverityNumber.WARN, severityText: 'WARN',
      attributes: { pct: 91, 'big.int': 2 ** 40 + 3 } },
    { body: 'payment failed: card declined', severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR', attributes: { 'http.status_code': 500, 'order.id': 'ord-42',
        'neg.double': -0.25 }, spanContext: spanA2, eventName: 'payment.failed' },
    { body: 'cache miss for key user:alice', severityNumber: SeverityNumber.DEBUG,
      severityText: 'debug', attributes: {} },
    { body: 'out of memory: killed', severityNumber: SeverityNumber.FATAL, severityText: 'FATAL',
      attributes: { 'str.unicode': 'héllo wörld ✓ 日本' } },
  ];
  for (let i = 0; i < HEARTBEATS; i++) {
    recs.push({ body: `heartbeat ok seq ${i}`, severityNumber: SeverityNumber.INFO,
      severityText: 'INFO', attributes: { seq: i } });
  }
  return recs.map((r, i) => ({ ...r, timeNs: base + BigInt(i) * 1000000n + 7n }));
}

const LEVEL = { 5: 'debug', 9: 'info', 13: 'warn', 17: 'error', 21: 'fatal' };

describe('logs from OpenTelemetry JS exporters', () => {
  let server;
  before(async () => { server = await startServer({ args: ['--flush-interval', '1s'] }); });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  LOG_VARIANTS.forEach((variant, vi) => {
    describe(`exporter ${variant.name}`, () => {
      const service = `logsvc-${variant.name}`;
      const base = nowNs() - 600000000000n + BigInt(vi) * 1000000000n;
      const spanA = newSpanContext();
      const spanA2 = { ...newSpanContext(), traceId: spanA.traceId };
      const records = scenarioRecords(base, spanA, spanA2);
      const resource = {
        'service.name': service, 'service.version': '2.1.0',
        'deployment.environment.name': 'staging', 'host.name': 'h1', team: 'payments',
      };
      const window = { start: String(base - 1000000000n), end: String(base + 60000000000n) };
      const search = (q, extra = {}) => allLogs(server.httpUrl,
        { q: q ? `service:${service} (${q})` : `service:${service}`, ...window, ...extra });
      let run;

      before(async () => {
        run = await emitLogs(variant, server, { resource, scope: { name: 'it-logs', version: '3' },
          records });
        // Bounded wait until every record is visible.
        await pollUntil(async () => (await search('')).length >= records.length,
          { timeoutMs: 10000 });
      });

      it('every export succeeds and carries every record', () => withServerLog(server, () => {
        for (const r of run.results) {
          assert.equal(r.code, ExportResultCode.SUCCESS, `export failed: ${r.error?.message}`);
        }
        assert.equal(run.records.length, records.length);
      }));

      it('GET /api/logs returns every record field by field, newest first, once', () =>
        withServerLog(server, async () => {
          const rows = await search('');
          assert.equal(rows.length, records.length, JSON.stringify(bodies(rows)));
          const want = [...records].reverse();
          assert.deepEqual(bodies(rows), bodies(want), 'bodies newest first');
          rows.forEach((row, i) => {
            const r = want[i];
            const where = `record "${r.body}"`;
            assert.equal(row.time, rfc3339(r.timeNs), `${where}: time`);
            assert.equal(row.observed_time, rfc3339(r.timeNs + 1000n), `${where}: observed_time`);
            assert.equal(row.severity, r.severityText, `${where}: severity`);
            assert.equal(row.severity_number, r.severityNumber, `${where}: severity_number`);
            assert.equal(row.level, LEVEL[r.severityNumber], `${where}: level`);
            assert.equal(row.service, service, `${where}: service`);
            assert.equal(row.env, 'staging', `${where}: env`);
            assert.equal(row.version, '2.1.0', `${where}: version`);
            assert.equal(row.host, 'h1', `${where}: host`);
            assert.equal(row.trace_id, r.spanContext?.traceId ?? null, `${where}: trace_id`);
            assert.equal(row.span_id, r.spanContext?.spanId ?? null, `${where}: span_id`);
            assert.deepEqual(row.attributes, r.attributes, `${where}: attributes`);
            assert.equal(row.resource?.team, 'payments', `${where}: resource`);
            if (r.eventName) assert.equal(row.event_name, r.eventName, `${where}: event_name`);
          });
        }));

      it('searches: words, phrases, prefixes, fields, ranges, negation, OR', () =>
        withServerLog(server, async () => {
          const cases = [
            ['alice', [0, 3]],
            ['ALICE', [0, 3]],
            ['"card declined"', [2]],
            ['"Card DECLINED"', [2]],
            ['"declined card"', []],
            ['heart*', Array.from({ length: HEARTBEATS }, (_, i) => 5 + i)],
            ['level:error', [2]],
            ['level:fatal', [4]],
            ['status:warn', [1]],
            ['level:17', [2]],
            ['@http.status_code:500', [2]],
            ['@http.status_code:>=200', [0, 2]],
            ['@http.status_code:<500', [0]],
            ['@pct:>90', [1]],
            ['@pct:>91', []],
            ['@order.id:ord-42', [2]],
            ['@order.id:ord*', [2]],
            ['@team:payments -heartbeat', [0, 1, 2, 3, 4]],
            ['NOT heartbeat level:info', [0]],
            ['alice OR disk', [0, 1, 3]],
            ['(alice OR disk) -level:debug', [0, 1]],
            ['env:staging version:2.1.0 host:h1 memory', [4]],
            ['env:prod', []],
            [`trace_id:${spanA.traceId}`, [0, 2]],
            ['seq 7', [12]],
            ['nosuchword', []],
          ];
          for (const [q, want] of cases) {
            const rows = await search(q);
            assert.deepEqual(sorted(bodies(rows)), sorted(want.map((i) => records[i].body)),
              `search ${JSON.stringify(q)}`);
          }
          const bad = await getJson(`${server.httpUrl}/api/logs?q=${encodeURIComponent('"open')}`);
          assert.equal(bad.status, 400, 'unterminated quote is a 400');
          assert.equal(typeof bad.body?.error, 'string');
          const badLevel = await getJson(`${server.httpUrl}/api/logs?q=level:loud`);
          assert.equal(badLevel.status, 400);
        }));

      it('cursor pagination walks every match newest first, each once', () =>
        withServerLog(server, async () => {
          const seen = [];
          let cursor = null;
          let pages = 0;
          for (; pages < 10; pages++) {
            const p = new URLSearchParams({ q: `service:${service} heartbeat`, ...window,
              limit: '7' });
            if (cursor) p.set('cursor', cursor);
            const body = await getOk(`${server.httpUrl}/api/logs?${p}`);
            assert.ok(body.logs.length <= 7);
            seen.push(...bodies(body.logs));
            if (!body.next) break;
            assert.equal(typeof body.next, 'string');
            cursor = body.next;
          }
          const want = Array.from({ length: HEARTBEATS }, (_, i) => `heartbeat ok seq ${HEARTBEATS - 1 - i}`);
          assert.deepEqual(seen, want, 'pages concatenated');
          assert.ok(pages >= 3 && pages <= 4, `${pages + 1} pages`);
        }));

      it('time window bounds the search (RFC 3339 and nanoseconds)', () =>
        withServerLog(server, async () => {
          const start = rfc3339(records[5].timeNs);
          const end = String(records[8].timeNs);  // exclusive
          const rows = await allLogs(server.httpUrl, { q: `service:${service}`, start, end });
          assert.deepEqual(bodies(rows), [7, 6, 5].map((i) => records[i].body));
        }));

      it('GET /api/logs/histogram counts matches per level per step', () =>
        withServerLog(server, async () => {
          const p = new URLSearchParams({ q: `service:${service}`, start: String(base),
            end: String(base + 4000000000n), step: '1s' });
          const h = await getOk(`${server.httpUrl}/api/logs/histogram?${p}`);
          assert.equal(h.step_ns, 1000000000);
          assert.equal(h.buckets.length, 4);
          assert.equal(h.buckets[0].time, rfc3339(base));
          assert.deepEqual(h.buckets[0].counts,
            { info: HEARTBEATS + 1, warn: 1, error: 1, debug: 1, fatal: 1 });
          for (const b of h.buckets.slice(1)) assert.deepEqual(b.counts, {});
          const errs = await getOk(`${server.httpUrl}/api/logs/histogram?${new URLSearchParams({
            q: `service:${service} level:error OR service:${service} level:fatal`,
            start: String(base), end: String(base + 1000000000n), step: '500ms' })}`);
          assert.equal(errs.buckets.length, 2);
          assert.deepEqual(errs.buckets[0].counts, { error: 1, fatal: 1 });
        }));

      it('GET /api/traces/{id}/logs returns the logs of the trace and of one span', () =>
        withServerLog(server, async () => {
          const all = await getOk(`${server.httpUrl}/api/traces/${spanA.traceId}/logs`);
          assert.deepEqual(bodies(all.logs), [records[2].body, records[0].body]);
          const one = await getOk(
            `${server.httpUrl}/api/traces/${spanA.traceId}/logs?span_id=${spanA.spanId}`);
          assert.deepEqual(bodies(one.logs), [records[0].body]);
          const none = await getOk(`${server.httpUrl}/api/traces/${'ab'.repeat(16)}/logs`);
          assert.deepEqual(none.logs, []);
          const bad = await getJson(`${server.httpUrl}/api/traces/xyz/logs`);
          assert.equal(bad.status, 400);
        }));
    });
  });
});

// ---- Loghub ----------------------------------------------------------------------------------

const LEVEL_RE = /\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|CRITICAL)\b/;
const SEVERITY_NUMBER = {
  TRACE: 1, DEBUG: 5, INFO: 9, NOTICE: 10, WARN: 13, WARNING: 13, ERROR: 17, SEVERE: 17,
  FATAL: 21, CRITICAL: 21,
};

function loghubFiles() {
  return readdirSync(LOGHUB_DIR).filter((f) => f.endsWith('.log')).sort().map((f) => {
    const lines = readFileSync(join(LOGHUB_DIR, f), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return { file: f, system: f.replace(/_2k\.log$/, '').replace(/\.log$/, ''), lines };
  });
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Plain scans: a word matches as a whole [A-Za-z0-9_] run, a phrase anywhere, both ignoring case.
const wordScan = (lines, w) => {
  const re = new RegExp(`(?<![A-Za-z0-9_])${escapeRe(w)}(?![A-Za-z0-9_])`, 'i');
  return lines.filter((l) => re.test(l));
};
const phraseScan = (lines, p) => lines.filter((l) => l.toLowerCase().includes(p.toLowerCase()));

// A few words and phrases of a file: a frequent word, a rare word, and a 3-word phrase.
function probesOf(lines) {
  const counts = new Map();
  for (const l of lines) {
    const tokens = (l.match(/[A-Za-z0-9_]+/g) ?? []).filter((t) => /^[A-Za-z][A-Za-z0-9_]{3,}$/.test(t));
    for (const t of new Set(tokens)) {
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  const byCount = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const frequent = byCount.find(([, n]) => n < lines.length * 0.9)?.[0];
  const rare = byCount.find(([, n]) => n <= 3)?.[0];
  const words = lines[Math.floor(lines.length / 3)].split(/\s+/).filter(Boolean);
  const phrase = words.slice(Math.max(0, words.length - 4), words.length - 1).join(' ');
  return { words: [frequent, rare].filter(Boolean), phrase };
}

describe('Loghub samples ingested as OTLP logs and searched', () => {
  let server;
  const files = loghubFiles();
  const base = nowNs() - 1200000000000n;
  const window = { start: String(base - 1000000000n), end: String(base + 600000000000n) };

  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
    let fileIndex = 0;
    for (const f of files) {
      for (let off = 0; off < f.lines.length; off += 500) {
        const records = f.lines.slice(off, off + 500).map((line, j) => {
          const i = off + j;
          const m = LEVEL_RE.exec(line);
          return {
            timeNs: base + BigInt(fileIndex * 10000 + i) * 1000000n,
            severityNumber: m ? SEVERITY_NUMBER[m[1]] : 0,
            severityText: m ? m[1] : '',
            body: line,
            attributes: { 'log.file.name': f.file, 'log.line': i + 1 },
          };
        });
        const r = await postLogsJson(server.otlpHttpUrl, logsJsonBody({
          resource: { 'service.name': f.system }, records,
        }), { gzip: fileIndex % 2 === 1 });
        assert.equal(r.status, 200, `${f.file} @${off}: ${r.body.toString().slice(0, 300)}`);
        assert.equal(r.json?.partialSuccess?.rejectedLogRecords ?? 0, 0,
          `${f.file}: ${JSON.stringify(r.json)}`);
      }
      fileIndex++;
    }
  });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  it('every line of every file is stored once, in order', () => withServerLog(server, async () => {
    assert.ok(files.length >= 10, `${files.length} Loghub files`);
    for (const f of files) {
      const rows = await allLogs(server.httpUrl, { q: `service:${f.system}`, ...window });
      assert.equal(rows.length, f.lines.length, `${f.file}: line count`);
      assert.deepEqual(bodies(rows).reverse(), f.lines, `${f.file}: bodies in time order`);
    }
  }));

  it('word, phrase and negated searches equal a plain scan of each file', () =>
    withServerLog(server, async () => {
      const summary = [];
      for (const f of files) {
        const { words, phrase } = probesOf(f.lines);
        const probes = [
          ...words.map((w) => ({ q: w, want: wordScan(f.lines, w) })),
          { q: `"${phrase.replace(/["\\]/g, '\\$&')}"`, want: phraseScan(f.lines, phrase) },
          { q: `-${words[0]}`, want: f.lines.filter((l) => !wordScan([l], words[0]).length) },
        ];
        for (const { q, want } of probes) {
          const rows = await allLogs(server.httpUrl, { q: `service:${f.system} ${q}`, ...window });
          assert.equal(rows.length, want.length, `${f.file}: count of ${q}`);
          assert.deepEqual(bodies(rows).reverse(), want, `${f.file}: bodies of ${q}`);
          summary.push(`${f.system}:${q}=${want.length}`);
        }
        assert.ok(want0(probes), `${f.file}: probes found nothing`);
      }
      console.log(`# loghub probes: ${summary.join(' ')}`);
    }));

  it('level filters agree with the levels in the lines', () => withServerLog(server, async () => {
    for (const f of files) {
      const want = f.lines.filter((l) => /^(ERROR|SEVERE)$/.test(LEVEL_RE.exec(l)?.[1] ?? ''));
      const rows = await allLogs(server.httpUrl, { q: `service:${f.system} level:error`, ...window });
      assert.equal(rows.length, want.length, `${f.file}: level:error count`);
    }
  }));
});

function want0(probes) { return probes.some((p) => p.want.length > 0); }

// ---- Crash -----------------------------------------------------------------------------------

describe('acknowledged logs survive SIGKILL exactly once', () => {
  let server;
  const SERVICE = 'crash-logs';
  const acked = new Set();
  const base = nowNs() - 300000000000n;
  const window = { start: String(base - 1000000000n), end: String(base + 200000000000n) };

  before(async () => { server = await startServer({ args: ['--flush-interval', '1s'] }); });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  async function load({ durationMs, killAfterMs = null, seqBase }) {
    const stats = { ok: 0, failed: 0, rejected: 0 };
    const stopAt = Date.now() + durationMs;
    let killed = false;
    const worker = async (w) => {
      for (let seq = seqBase; Date.now() < stopAt; seq++) {
        const records = Array.from({ length: 20 }, (_, i) => ({
          timeNs: base + BigInt(seq * 20 + i) * 1000n + BigInt(w),
          severityNumber: 9, body: `crash w${w} s${seq} i${i} payload ${'x'.repeat(i)}`,
          attributes: { w, seq, i },
        }));
        try {
          const r = await postLogsJson(server.otlpHttpUrl,
            logsJsonBody({ resource: { 'service.name': SERVICE }, records }), { gzip: w % 2 === 0 });
          if (r.status === 200) {
            stats.ok++;
            for (const rec of records) acked.add(rec.body);
          } else {
            stats.rejected++;
          }
        } catch {
          stats.failed++;
          if (killed) return;
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
    await Promise.all([0, 1, 2, 3].map(worker).concat([killer]));
    return stats;
  }

  async function check() {
    const rows = await allLogs(server.httpUrl, { q: `service:${SERVICE}`, ...window },
      { maxPages: 200 });
    const got = bodies(rows);
    const dup = got.length - new Set(got).size;
    assert.equal(dup, 0, `${dup} duplicated log rows after replay`);
    const gotSet = new Set(got);
    const missing = [...acked].filter((b) => !gotSet.has(b));
    assert.equal(missing.length, 0, `${missing.length} acknowledged logs lost, e.g. ${missing[0]}`);
    for (const b of got) assert.match(b, /^crash w\d s\d+ i\d+ payload x*$/, 'mangled body');
    return got.length;
  }

  it('after a SIGKILL mid-stream, then again after a flush', () => withServerLog(server, async () => {
    const s1 = await load({ durationMs: 5000, killAfterMs: 2500, seqBase: 0 });
    assert.equal(server.exit?.signal, 'SIGKILL');
    assert.ok(s1.ok >= 10, `only ${s1.ok} requests acknowledged`);
    assert.equal(s1.rejected, 0);
    await server.start();
    const n1 = await check();
    const s2 = await load({ durationMs: 1000, seqBase: 100000 });
    assert.equal(s2.failed + s2.rejected, 0);
    await sleep(2000);  // past the flush interval
    await server.kill();
    await server.start();
    const n2 = await check();
    console.log(`# logs crash: ${s1.ok} acked before kill (${s1.failed} failed), ` +
      `${n1} stored; ${acked.size} acked in all, ${n2} stored`);
  }));
});
