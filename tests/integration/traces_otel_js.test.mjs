// Real OpenTelemetry JS SDK + every OTLP exporter (gRPC, HTTP protobuf, HTTP JSON; with and
// without gzip; on the OTLP port and on the UI port) against the real periscope binary; the
// trace is then read back through Periscope's own API and the Jaeger query API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../clients/lib/server.mjs';
import { getOk, getJson, postJson, postProto, waitForTrace } from '../clients/lib/http.mjs';
import { V, hex, newSpanId } from '../clients/lib/otlp_proto.mjs';
import { jsonBody, protoBody, simpleSpan } from '../clients/lib/spans.mjs';
import {
  VARIANTS, ROOT_ATTRIBUTES, ExportResultCode, emitScenario, expectedApiSpan, nsFromHr,
} from '../clients/lib/otel_scenario.mjs';
import {
  assertApiSpan, assertJaegerTags, assertNear, withServerLog,
} from '../clients/lib/expect.mjs';

const ROOT_NAME = 'GET /api/item/{id}';
const CHILD_NAME = 'SELECT items';
const GRANDCHILD_NAME = 'decode row';
const OTHER_NAME = 'process order';

let server;
const runs = new Map();  // variant name -> emitScenario result
const baseNs = BigInt(Date.now() - 60000) * 1000000n + 123456n;

function spansOf(run, traceId) {
  return run.spans.filter((s) => s.spanContext().traceId === traceId)
    .sort((a, b) => Number(nsFromHr(a.startTime) - nsFromHr(b.startTime)));
}

async function checkTraceById(run) {
  for (const traceId of [run.rootId, run.otherId]) {
    const want = spansOf(run, traceId).map(expectedApiSpan);
    const got = await waitForTrace(server.httpUrl, traceId, want.length);
    assert.equal(got.status, 200, `GET /api/traces/${traceId}: ${got.text?.slice(0, 300)}`);
    assert.equal(got.body.trace_id, traceId);
    const ids = got.body.spans.map((s) => s.span_id);
    assert.deepEqual(ids, want.map((s) => s.span_id),
      'span ids, in start-time order, each exactly once');
    got.body.spans.forEach((span, i) => assertApiSpan(span, want[i]));
  }
}

const traceIds = (body) => (body.traces ?? []).map((t) => t.trace_id);

describe('traces from OpenTelemetry JS exporters', () => {
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
  });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  for (const variant of VARIANTS) {
    describe(`exporter ${variant.name} (${variant.protocol} -> ${variant.target}${variant.gzip ? ', gzip' : ''})`, () => {
      const service = `shop-${variant.name}`;
      let run;
      before(async () => {
        run = await emitScenario(variant, server, { service, baseNs });
        runs.set(variant.name, run);
      });

      it('every export succeeds and carries all 4 spans', () => withServerLog(server, () => {
        assert.ok(run.results.length >= 1);
        for (const r of run.results) {
          assert.equal(r.code, ExportResultCode.SUCCESS, `export failed: ${r.error?.message}`);
        }
        assert.equal(run.spans.length, 4);
      }));

      it('GET /api/traces/{id} returns every span, field by field, exactly once', () =>
        withServerLog(server, () => checkTraceById(run)));

      it('GET /api/traces/{unknown} is 404', () => withServerLog(server, async () => {
        const r = await getJson(`${server.httpUrl}/api/traces/${'0123456789abcdef'.repeat(2)}`);
        assert.equal(r.status, 404);
        assert.equal(typeof r.body?.error, 'string');
      }));

      it('GET /api/traces finds the trace by service, attributes, status, kind', () =>
        withServerLog(server, async () => {
          const q = (params) => getOk(`${server.httpUrl}/api/traces?${new URLSearchParams(params)}`);
          const found = await q({ service });
          const summary = found.traces.find((t) => t.trace_id === run.rootId);
          assert.ok(summary, `trace ${run.rootId} not in ${JSON.stringify(found)}`);
          const root = spansOf(run, run.rootId)[0];
          assert.equal(summary.root_service, service);
          assert.equal(summary.root_name, ROOT_NAME);
          assert.equal(summary.start_time_unix_nano, String(nsFromHr(root.startTime)));
          assert.equal(summary.duration_ns, 120000123);
          assert.equal(summary.span_count, 3);
          assert.equal(summary.error_count, 1);
          assert.deepEqual(summary.services, [service]);
          // The consumer trace is found too, and the two are distinct.
          assert.ok(traceIds(found).includes(run.otherId));
          assert.equal(new Set(traceIds(found)).size, traceIds(found).length, 'duplicate traces');

          const hits = [
            { service, attr: 'http.route=/api/item/{id}' },
            { service, attr: 'int.neg=-7' },
            { service, attr: 'bool.true=true' },
            { service, attr: 'team=payments' },  // resource attribute
            { service, env: 'staging' },
            { service, attr: 'env=staging' },  // unified tag
            { service, status: 'error' },
            { service, kind: 'client', name: CHILD_NAME },
            { service, operation: GRANDCHILD_NAME, kind: 'internal' },
            { service, min_duration: '100ms' },
            { service, max_duration: '15ms', name: GRANDCHILD_NAME },
          ];
          for (const params of hits) {
            assert.ok(traceIds(await q(params)).includes(run.rootId),
              `search ${JSON.stringify(params)} should find ${run.rootId}`);
          }
          const misses = [
            { service, attr: 'http.route=/nope' },
            { service, attr: 'int.neg=7' },
            { service, env: 'prod' },
            { service, kind: 'server', name: CHILD_NAME },  // both on one span
            { service, status: 'error', name: CHILD_NAME },
            { service, min_duration: '1s' },
            { service: `${service}-absent` },
            { service, attr: ['http.route=/api/item/{id}', 'db.system.name=postgresql'] },
          ];
          for (const params of misses) {
            const p = new URLSearchParams();
            for (const [k, v] of Object.entries(params)) {
              for (const x of [v].flat()) p.append(k, x);
            }
            const body = await getOk(`${server.httpUrl}/api/traces?${p}`);
            assert.ok(!traceIds(body).includes(run.rootId),
              `search ${JSON.stringify(params)} should not find ${run.rootId}`);
          }
        }));

      it('GET /api/services and /api/services/{s}/operations list it', () =>
        withServerLog(server, async () => {
          const services = await getOk(`${server.httpUrl}/api/services`);
          assert.ok(services.services.includes(service), JSON.stringify(services));
          const ops = await getOk(
            `${server.httpUrl}/api/services/${encodeURIComponent(service)}/operations`);
          const got = ops.operations.map((o) => `${o.span_kind}:${o.name}`).sort();
          assert.deepEqual(got, [`client:${CHILD_NAME}`, `consumer:${OTHER_NAME}`,
            `internal:${GRANDCHILD_NAME}`, `server:${ROOT_NAME}`].sort());
        }));

      it('Jaeger GET /jaeger/api/traces/{id} has ids, references, tags, logs, process', () =>
        withServerLog(server, async () => {
          const body = await getOk(`${server.httpUrl}/jaeger/api/traces/${run.rootId}`);
          assert.equal(body.data.length, 1);
          const jt = body.data[0];
          assert.equal(jt.traceID, run.rootId);
          const sdkSpans = spansOf(run, run.rootId);
          assert.equal(jt.spans.length, sdkSpans.length, 'span count');
          for (const sdk of sdkSpans) {
            const id = sdk.spanContext().spanId;
            const matching = jt.spans.filter((s) => s.spanID === id);
            assert.equal(matching.length, 1, `span ${id} appears ${matching.length} times`);
            const js = matching[0];
            const where = `jaeger span ${sdk.name}`;
            assert.equal(js.traceID, run.rootId, `${where}: traceID`);
            assert.equal(js.operationName, sdk.name, `${where}: operationName`);
            const start = nsFromHr(sdk.startTime);
            const end = nsFromHr(sdk.endTime);
            assert.equal(js.startTime, Number(start / 1000n), `${where}: startTime (us)`);
            assertNear(js.duration, Number((end - start) / 1000n), 1, `${where}: duration (us)`);
            const childOf = (js.references ?? []).filter((r) => r.refType === 'CHILD_OF');
            if (sdk.parentSpanContext) {
              assert.deepEqual(childOf.map((r) => [r.traceID, r.spanID]),
                [[run.rootId, sdk.parentSpanContext.spanId]], `${where}: CHILD_OF`);
              assert.equal(js.references[0].refType, 'CHILD_OF', `${where}: parent ref first`);
            } else {
              assert.equal(childOf.length, 0, `${where}: root has no CHILD_OF`);
            }
            assertJaegerTags(js.tags, sdk.attributes, where);
            // OTel -> Jaeger mapping: span.kind tag, except none for INTERNAL.
            const kindTags = js.tags.filter((t) => t.key === 'span.kind').map((t) => t.value);
            assert.deepEqual(kindTags, [[], ['server'], ['client']][sdk.kind], `${where}: span.kind`);
            assert.equal(js.logs?.length ?? 0, sdk.events.length, `${where}: log count`);
            sdk.events.forEach((ev, i) => {
              const log = js.logs[i];
              assert.equal(log.timestamp, Number(nsFromHr(ev.time) / 1000n), `${where}: log ${i} ts`);
              const nameField = log.fields.find((f) => f.key === 'event');
              assert.equal(nameField?.value, ev.name, `${where}: log ${i} event name`);
              assertJaegerTags(log.fields, ev.attributes ?? {}, `${where} log ${i}`);
            });
            const proc = jt.processes[js.processID];
            assert.ok(proc, `${where}: process ${js.processID} missing`);
            assert.equal(proc.serviceName, service);
            assertJaegerTags(proc.tags, {
              'service.version': '1.2.3', 'deployment.environment.name': 'staging',
              'host.name': 'web-7', 'team': 'payments', 'replica.count': 3,
            }, `${where} process`);
          }
          const root = jt.spans.find((s) => s.operationName === ROOT_NAME);
          const link = (root.references ?? []).filter((r) => r.refType === 'FOLLOWS_FROM');
          const other = spansOf(run, run.otherId)[0];
          assert.deepEqual(link.map((r) => [r.traceID, r.spanID]),
            [[run.otherId, other.spanContext().spanId]], 'root FOLLOWS_FROM link');
          const errorTag = root.tags.find((t) => t.key === 'error');
          assert.deepEqual([errorTag?.type, errorTag?.value], ['bool', true], 'error tag');
          assert.ok(root.tags.some((t) => t.value === 'boom: item 42 is malformed'),
            'status message among the root tags');
          const child = jt.spans.find((s) => s.operationName === CHILD_NAME);
          assert.ok(!child.tags.some((t) => t.key === 'error' && t.value === true),
            'OK span is not an error');
        }));

      it('Jaeger services, operations and search find it', () => withServerLog(server, async () => {
        const j = `${server.httpUrl}/jaeger/api`;
        const services = await getOk(`${j}/services`);
        assert.ok(services.data.includes(service), JSON.stringify(services));
        const ops = await getOk(`${j}/services/${encodeURIComponent(service)}/operations`);
        assert.deepEqual([...ops.data].sort(),
          [CHILD_NAME, GRANDCHILD_NAME, OTHER_NAME, ROOT_NAME].sort());
        const serverOps = await getOk(`${j}/operations?service=${encodeURIComponent(service)}&spanKind=server`);
        assert.deepEqual(serverOps.data.map((o) => [o.name, o.spanKind]), [[ROOT_NAME, 'server']]);

        const startUs = Number(baseNs / 1000n) - 60000000;
        const endUs = Date.now() * 1000 + 60000000;
        const search = async (extra) => {
          const p = new URLSearchParams({ service, start: String(startUs), end: String(endUs),
            limit: '20', ...extra });
          const body = await getOk(`${j}/traces?${p}`);
          return body.data;
        };
        const all = await search({});
        const mine = all.filter((t) => t.traceID === run.rootId);
        assert.equal(mine.length, 1, 'trace found once');
        assert.equal(mine[0].spans.length, 3);
        assert.ok(all.some((t) => t.traceID === run.otherId));
        const has = (data) => data.some((t) => t.traceID === run.rootId);
        assert.ok(has(await search({ operation: CHILD_NAME })), 'by operation');
        assert.ok(has(await search({ tags: JSON.stringify({ 'http.route': '/api/item/{id}' }) })),
          'by tag');
        assert.ok(has(await search({ tags: JSON.stringify({ 'http.response.status_code': '500' }) })),
          'by int tag');
        assert.ok(has(await search({ minDuration: '100ms' })), 'by min duration');
        assert.ok(!has(await search({ tags: JSON.stringify({ 'http.route': '/nope' }) })),
          'wrong tag');
        assert.ok(!has(await search({ minDuration: '1s' })), 'too long');
        assert.ok(!has(await search({ operation: 'no such op' })), 'wrong operation');
        assert.ok(!has(await search({ start: String(endUs), end: String(endUs + 1000000) })),
          'outside the time range');
      }));
    });
  }

  describe('attribute types the JS SDK cannot produce (hand-built OTLP)', () => {
    const expected = {
      'kv': { 'a': 1, 'b': 'two', 'nested': { 'c': true, 'd': [1.5, 'x'] } },
      'bytes': Buffer.from([0, 1, 2, 250, 255]).toString('base64'),
      'mixed': [1, 'two', true, 2.5, [3]],
      'empty.arr': [],
      'empty.kv': {},
      'int.min.safe': -(2 ** 53 - 1),
      'double.whole': 3,
    };
    it('protobuf: kvlist, bytes, heterogeneous and empty arrays keep their shape', () =>
      withServerLog(server, async () => {
        const span = simpleSpan({
          name: 'raw-types',
          attributes: {
            'kv': V.kvlist({ a: 1, b: 'two', nested: V.kvlist({ c: true, d: [1.5, 'x'] }) }),
            'bytes': V.bytes([0, 1, 2, 250, 255]),
            'mixed': [1, 'two', true, 2.5, [3]],
            'empty.arr': [],
            'empty.kv': V.kvlist({}),
            'int.min.safe': V.int(-(2 ** 53 - 1)),
            'double.whole': V.double(3),
          },
          extra: { events: [{ timeNs: 1n, name: 'e', attributes: { 'ev.kv': V.kvlist({ x: 1 }) } }] },
        });
        span.events[0].timeNs = span.startNs + 5n;
        const r = await postProto(server.otlpHttpUrl, protoBody([span], 'raw-types-svc'));
        assert.equal(r.status, 200);
        const got = await waitForTrace(server.httpUrl, hex(span.traceId), 1);
        assert.equal(got.status, 200);
        const s = got.body.spans[0];
        assert.deepEqual(s.attributes, expected);
        assert.deepEqual(s.events[0].attributes, { 'ev.kv': { x: 1 } });
      }));
    it('JSON: the same values in OTLP/JSON encoding read back the same', () =>
      withServerLog(server, async () => {
        const span = simpleSpan({ name: 'raw-types-json' });
        const body = jsonBody([span], 'raw-types-svc');
        body.resourceSpans[0].scopeSpans[0].spans[0].attributes = [
          { key: 'kv', value: { kvlistValue: { values: [
            { key: 'a', value: { intValue: '1' } },
            { key: 'b', value: { stringValue: 'two' } },
            { key: 'nested', value: { kvlistValue: { values: [
              { key: 'c', value: { boolValue: true } },
              { key: 'd', value: { arrayValue: { values: [{ doubleValue: 1.5 }, { stringValue: 'x' }] } } },
            ] } } }] } } },
          { key: 'bytes', value: { bytesValue: expected.bytes } },
          { key: 'mixed', value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'two' },
            { boolValue: true }, { doubleValue: 2.5 }, { arrayValue: { values: [{ intValue: '3' }] } }] } } },
          { key: 'empty.arr', value: { arrayValue: {} } },
          { key: 'empty.kv', value: { kvlistValue: {} } },
          { key: 'int.min.safe', value: { intValue: String(-(2 ** 53 - 1)) } },
          { key: 'double.whole', value: { doubleValue: 3 } },
        ];
        const r = await postJson(server.otlpHttpUrl, body);
        assert.equal(r.status, 200, r.body.toString());
        const got = await waitForTrace(server.httpUrl, hex(span.traceId), 1);
        assert.equal(got.status, 200);
        assert.deepEqual(got.body.spans[0].attributes, expected);
      }));
    it('a span under a parent id that is not stored still reads back with its parent id', () =>
      withServerLog(server, async () => {
        const parent = newSpanId();
        const span = simpleSpan({ name: 'orphan', extra: { parentSpanId: parent } });
        const r = await postProto(server.httpUrl, protoBody([span], 'raw-types-svc'));
        assert.equal(r.status, 200);
        const got = await waitForTrace(server.httpUrl, hex(span.traceId), 1);
        assert.equal(got.body.spans[0].parent_span_id, hex(parent));
      }));
  });

  describe('after a clean restart on the same data directory', () => {
    before(async () => {
      const stopped = await server.stop();
      assert.equal(stopped.clean, true, `SIGTERM exit: ${JSON.stringify(stopped)}`);
      await server.start();
    });
    it('every trace of every exporter reads back identically, each span once', () =>
      withServerLog(server, async () => {
        assert.equal(runs.size, VARIANTS.length);
        for (const run of runs.values()) await checkTraceById(run);
        const services = await getOk(`${server.httpUrl}/api/services`);
        for (const run of runs.values()) assert.ok(services.services.includes(run.service));
      }));
    it('the attribute types survived too (typed JSON values)', () =>
      withServerLog(server, async () => {
        const run = runs.get('json-gzip');
        const body = await getOk(`${server.httpUrl}/api/traces/${run.rootId}`);
        const root = body.spans.find((s) => s.name === ROOT_NAME);
        assert.deepEqual(root.attributes, ROOT_ATTRIBUTES);
      }));
  });
});
