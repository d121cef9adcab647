// Malformed, hostile and oversized OTLP input against the real periscope binary: each gets the
// OTLP/HTTP (or gRPC) status the API contract names, and afterwards the server is still healthy
// and still stores a valid export.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, postJson, postProto, rawRequest } from '../clients/lib/http.mjs';
import { decodeExportResponse, newSpanId, newTraceId, hex } from '../clients/lib/otlp_proto.mjs';
import { assertStored, jsonBody, protoBody, simpleSpan } from '../clients/lib/spans.mjs';
import { grpcExportRaw, grpcStatus } from '../clients/lib/grpc.mjs';
import { withServerLog } from '../clients/lib/expect.mjs';

const MiB = 1 << 20;
let server;

// /healthz answers 200 and a valid protobuf export (on both HTTP ports) and a gRPC export are
// stored, each span exactly once.
async function assertHealthy() {
  const h = await getJson(`${server.httpUrl}/healthz`);
  assert.equal(h.status, 200, '/healthz after bad input');
  for (const base of [server.otlpHttpUrl, server.httpUrl]) {
    const spans = [simpleSpan({ name: 'after-bad-input' })];
    const r = await postProto(base, protoBody(spans));
    assert.equal(r.status, 200, `valid export to ${base} after bad input`);
    await assertStored(server.httpUrl, spans);
  }
  const spans = [simpleSpan({ name: 'after-bad-input-grpc' })];
  const g = await grpcExportRaw(server.otlpGrpcAddr, protoBody(spans));
  assert.equal(g.code, grpcStatus.OK, `valid gRPC export after bad input: ${g.details}`);
  await assertStored(server.httpUrl, spans);
}

const test = (name, fn) => it(name, () => withServerLog(server, async () => {
  await fn();
  await assertHealthy();
}));

function gzipZeros(totalBytes) {
  const gz = zlib.createGzip({ level: 1 });
  const out = [];
  gz.on('data', (c) => out.push(c));
  const done = new Promise((resolve, reject) => { gz.on('end', resolve); gz.on('error', reject); });
  const zero = Buffer.alloc(MiB);
  return (async () => {
    for (let n = 0; n < totalBytes; n += MiB) {
      if (!gz.write(zero)) await new Promise((r) => gz.once('drain', r));
    }
    gz.end();
    await done;
    return Buffer.concat(out);
  })();
}

describe('bad OTLP input', () => {
  before(async () => { server = await startServer(); });
  after(async () => { if (server) { await server.stop(); await server.cleanup(); } });

  test('a valid export is stored and acknowledged with an empty response', async () => {
    const spans = [simpleSpan(), simpleSpan()];
    spans[1].traceId = spans[0].traceId;
    const r = await postProto(server.otlpHttpUrl, protoBody(spans));
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/x-protobuf/);
    assert.equal(decodeExportResponse(r.body).rejectedSpans, 0);
    await assertStored(server.httpUrl, spans);
  });

  test('an empty protobuf body is a valid empty request: 200', async () => {
    const r = await postProto(server.otlpHttpUrl, Buffer.alloc(0));
    assert.equal(r.status, 200);
  });

  test('truncated protobuf -> 400, nothing stored', async () => {
    const spans = [simpleSpan({ name: 'truncated' })];
    const full = protoBody(spans);
    for (const cut of [full.length - 1, full.length - 9, Math.floor(full.length / 2), 3]) {
      const r = await postProto(server.otlpHttpUrl, full.subarray(0, cut));
      assert.equal(r.status, 400, `cut at ${cut}/${full.length}`);
    }
    const r = await getJson(`${server.httpUrl}/api/traces/${hex(spans[0].traceId)}`);
    assert.equal(r.status, 404, 'no span of a rejected body is stored');
  });

  test('protobuf garbage and wrong wire types -> 400', async () => {
    for (const body of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      Buffer.from([0x0a, 0x05, 0x01]),  // length 5, 1 byte present
      Buffer.from([0x0f, 0x00]),  // wire type 7 does not exist
      Buffer.from('not a protobuf at all, just text that is long enough')]) {
      const r = await postProto(server.otlpHttpUrl, body);
      assert.equal(r.status, 400, `body ${body.subarray(0, 12).toString('hex')}`);
    }
  });

  test('invalid JSON -> 400', async () => {
    for (const text of ['{"resourceSpans": [', '{]', 'null x', '{"resourceSpans": "nope"}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId": 5}]}]}]}']) {
      const r = await postJson(server.otlpHttpUrl, text);
      assert.equal(r.status, 400, `body ${text}`);
    }
  });

  test('JSON with bad trace/span ids -> 200 partial success, valid spans kept', async () => {
    const good = simpleSpan({ name: 'good-json' });
    const badTrace = simpleSpan({ name: 'bad-trace-id' });
    badTrace.traceId = '5b8efff7';  // hex, but 4 bytes
    const badSpan = simpleSpan({ name: 'bad-span-id', traceId: good.traceId });
    badSpan.spanId = 'abcd';  // 2 bytes
    const r = await postJson(server.otlpHttpUrl, jsonBody([good, badTrace, badSpan]));
    assert.equal(r.status, 200, r.body.toString());
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.ok(r.json?.partialSuccess, `no partialSuccess in ${r.body}`);
    assert.equal(Number(r.json.partialSuccess.rejectedSpans), 2);
    assert.ok(r.json.partialSuccess.errorMessage, 'errorMessage set');
    await assertStored(server.httpUrl, [good]);
  });

  test('protobuf with wrong-length ids -> 200 partial success (protobuf response)', async () => {
    const good = simpleSpan({ name: 'good-proto' });
    const shortTrace = simpleSpan({ name: 'short-trace-id' });
    shortTrace.traceId = newTraceId().subarray(0, 15);
    const noTrace = simpleSpan({ name: 'no-trace-id' });
    noTrace.traceId = Buffer.alloc(0);
    const longSpan = simpleSpan({ name: 'long-span-id', traceId: good.traceId });
    longSpan.spanId = Buffer.concat([newSpanId(), Buffer.from([1])]);
    const r = await postProto(server.otlpHttpUrl, protoBody([good, shortTrace, noTrace, longSpan]));
    assert.equal(r.status, 200);
    const resp = decodeExportResponse(r.body);
    assert.equal(resp.rejectedSpans, 3);
    assert.ok(resp.errorMessage.length > 0, 'error_message set');
    await assertStored(server.httpUrl, [good]);
  });

  test('JSON with charset parameter is accepted', async () => {
    const spans = [simpleSpan({ name: 'charset' })];
    const r = await postJson(server.otlpHttpUrl, jsonBody(spans),
      { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(r.status, 200, r.body.toString());
    await assertStored(server.httpUrl, spans);
  });

  test('gzip body that is not gzip -> 400', async () => {
    const body = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]),
      Buffer.from('definitely not deflate data'.repeat(4))]);
    const r = await postProto(server.otlpHttpUrl, body, { 'content-encoding': 'gzip' });
    assert.equal(r.status, 400);
  });

  test('gzip body just over 20 MiB inflated -> 413', async () => {
    const body = await gzipZeros(21 * MiB);
    const r = await postProto(server.otlpHttpUrl, body, { 'content-encoding': 'gzip' });
    assert.equal(r.status, 413, `${body.length} B gzip of 21 MiB`);
  });

  test('gzip bomb (a few MB inflating to 512 MiB) -> 413 without inflating it all', async () => {
    const body = await gzipZeros(512 * MiB);
    assert.ok(body.length > MiB && body.length < 8 * MiB, `bomb is ${body.length} B`);
    const before = server.peakRssKiB();
    for (const base of [server.otlpHttpUrl, server.httpUrl]) {
      const r = await postProto(base, body, { 'content-encoding': 'gzip' });
      assert.equal(r.status, 413, `bomb to ${base}`);
    }
    const afterPeak = server.peakRssKiB();
    if (before !== null && afterPeak !== null) {
      assert.ok(afterPeak - before < 200 * 1024,
        `peak RSS grew by ${((afterPeak - before) / 1024).toFixed(0)} MiB on a gzip bomb`);
    }
  });

  // The client is still sending when the server knows the answer: the server must let the 413
  // reach it (read or linger before closing) rather than reset the connection, or exporters see
  // a network error and retry instead of dropping the batch.
  test('raw body over 20 MiB with Content-Length -> 413 that reaches the client', async () => {
    const big = Buffer.alloc(21 * MiB, 0x41);
    for (const base of [server.otlpHttpUrl, server.httpUrl]) {
      for (let i = 0; i < 3; i++) {
        const r = await postProto(base, big);
        assert.equal(r.status, 413, `${base}, attempt ${i}`);
      }
    }
  });

  test('raw chunked body over 20 MiB -> 413', async () => {
    const chunks = Array.from({ length: 21 }, () => Buffer.alloc(MiB, 0x41));
    const r2 = await rawRequest(`${server.httpUrl}/v1/traces`, {
      headers: { 'content-type': 'application/x-protobuf' }, body: chunks,
    });
    assert.equal(r2.status, 413);
  });

  test('unknown content type -> 415', async () => {
    const body = protoBody([simpleSpan()]);
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const r = await rawRequest(`${server.otlpHttpUrl}/v1/traces`, {
        headers: { 'content-type': type }, body,
      });
      assert.equal(r.status, 415, type);
    }
  });

  test('GET and PUT on /v1/traces -> 405', async () => {
    for (const base of [server.otlpHttpUrl, server.httpUrl]) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const r = await rawRequest(`${base}/v1/traces`, { method });
        assert.equal(r.status, 405, `${method} ${base}/v1/traces`);
      }
    }
  });

  test('OPTIONS preflight answers with CORS headers', async () => {
    for (const base of [server.otlpHttpUrl, server.httpUrl]) {
      const r = await rawRequest(`${base}/v1/traces`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://app.example.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      assert.ok(r.status === 200 || r.status === 204, `OPTIONS status ${r.status}`);
      const origin = r.headers['access-control-allow-origin'];
      assert.ok(origin === '*' || origin === 'http://app.example.test', `allow-origin ${origin}`);
      assert.match(String(r.headers['access-control-allow-methods']), /POST/i);
      const allowHeaders = String(r.headers['access-control-allow-headers']);
      assert.ok(allowHeaders === '*' || /content-type/i.test(allowHeaders),
        `allow-headers ${allowHeaders}`);
    }
  });

  test('gRPC message over 4 MiB -> RESOURCE_EXHAUSTED', async () => {
    const spans = [simpleSpan({ name: 'huge', attributes: { blob: 'x'.repeat(5 * MiB) } })];
    const g = await grpcExportRaw(server.otlpGrpcAddr, protoBody(spans));
    assert.equal(g.code, grpcStatus.RESOURCE_EXHAUSTED, `code ${g.code}: ${g.details}`);
    const r = await getJson(`${server.httpUrl}/api/traces/${hex(spans[0].traceId)}`);
    assert.equal(r.status, 404);
  });

  test('gRPC garbage fails the call; gRPC bad ids give partial success', async () => {
    const g = await grpcExportRaw(server.otlpGrpcAddr, Buffer.from([0x0a, 0x7f, 0x01, 0x02]));
    assert.notEqual(g.code, grpcStatus.OK, 'garbage accepted');
    const good = simpleSpan({ name: 'good-grpc' });
    const bad = simpleSpan({ name: 'bad-grpc' });
    bad.traceId = Buffer.from([1, 2, 3]);
    const p = await grpcExportRaw(server.otlpGrpcAddr, protoBody([good, bad]));
    assert.equal(p.code, grpcStatus.OK, p.details);
    assert.equal(p.response.rejectedSpans, 1);
    await assertStored(server.httpUrl, [good]);
  });

  test('many bad requests in parallel leave the server healthy', async () => {
    const bodies = [];
    for (let i = 0; i < 40; i++) {
      const b = protoBody([simpleSpan({ name: `p${i}` })]);
      bodies.push(b.subarray(0, Math.max(1, (i * 7919) % b.length)));
    }
    const results = await Promise.all(bodies.map((b) => postProto(server.otlpHttpUrl, b)));
    // Every prefix ends inside the one top-level field, so none decodes.
    results.forEach((r, i) => assert.equal(r.status, 400, `truncation ${i}: ${bodies[i].length} B`));
  });
});
