// Trace context across SDKs: a Node.js process using the OpenTelemetry JS SDK calls the C++
// example shop's HTTP frontend with a W3C `traceparent` header; the frontend (Periscope's C++
// SDK) continues the trace and carries it on through Periscope RPC to three more processes. Both
// SDKs export to the real periscope binary, and /api/traces/{id} must show one trace with correct
// parent links. The shop binary is $PERISCOPE_SHOP, else examples/shop/shop in the build tree of
// $PERISCOPE_BIN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { startServer } from '../clients/lib/server.mjs';
import { getJson, waitForTrace } from '../clients/lib/http.mjs';
import { startShop } from '../../examples/shop/launch.mjs';

// The OpenTelemetry JS packages installed in tests/clients/node_modules.
const require = createRequire(new URL('../clients/package.json', import.meta.url));
const { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapSetter, trace } = require('@opentelemetry/api');
const { ExportResultCode, W3CTraceContextPropagator } = require('@opentelemetry/core');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');

const JS_SERVICE = 'js-shopper';
const CPP_SPANS_PER_ORDER = 7;

// A JS tracer exporting every span as soon as it ends (OTLP/HTTP protobuf), recording results.
function makeJsTracer(server) {
  const exporter = new OTLPTraceExporter({ url: `${server.otlpHttpUrl}/v1/traces`, timeoutMillis: 10000 });
  const results = [];
  const recording = {
    export(spans, done) { exporter.export(spans, (r) => { results.push(r); done(r); }); },
    shutdown() { return exporter.shutdown(); },
    forceFlush() { return exporter.forceFlush(); },
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': JS_SERVICE, 'deployment.environment.name': 'interop' }),
    spanProcessors: [new SimpleSpanProcessor(recording)],
  });
  return { provider, tracer: provider.getTracer('interop-test', '1.0.0'), results };
}

// The JS side of one order: a root span, a CLIENT span around the HTTP call that injects it.
async function jsOrder(tracer, shop, query) {
  const propagator = new W3CTraceContextPropagator();
  const root = tracer.startSpan('js checkout flow', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
  const client = tracer.startSpan('GET /checkout', {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': 'GET', 'url.full': `${shop.frontendUrl}/checkout?${query}` },
  }, trace.setSpan(ROOT_CONTEXT, root));
  const headers = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, client), headers, defaultTextMapSetter);
  const res = await fetch(`${shop.frontendUrl}/checkout?${query}`, { headers, signal: AbortSignal.timeout(10000) });
  const body = await res.json();
  client.setAttribute('http.response.status_code', res.status);
  if (res.status >= 400) client.setStatus({ code: SpanStatusCode.ERROR, message: body.error });
  client.end();
  root.end();
  return { res, body, root, client, headers };
}

describe('OpenTelemetry JS -> C++ shop: one trace across SDKs', () => {
  let server;
  let shop;
  let js;
  before(async () => {
    server = await startServer({ args: ['--flush-interval', '1s'] });
    shop = await startShop({ otlpHttpUrl: server.otlpHttpUrl });
    js = makeJsTracer(server);
  });
  after(async () => {
    if (js) await js.provider.shutdown();
    if (shop) await shop.stop();
    if (server) { await server.stop(); await server.cleanup(); }
  });

  for (const card of ['visa', 'decline']) {
    it(`the C++ frontend continues the JS span's trace (card=${card})`, async () => {
      const { res, body, root, client, headers } = await jsOrder(js.tracer, shop, `item=book&qty=1&card=${card}`);
      assert.match(headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(res.status, card === 'visa' ? 200 : 502);
      const traceId = client.spanContext().traceId;
      assert.equal(body.trace_id, traceId, 'the C++ side joined the JS trace');

      await js.provider.forceFlush();
      assert.ok(js.results.every((r) => r.code === ExportResultCode.SUCCESS), 'JS exports succeeded');
      const got = await waitForTrace(server.httpUrl, traceId, CPP_SPANS_PER_ORDER + 2, { timeoutMs: 15000 });
      const spans = got.body.spans;
      assert.equal(spans.length, CPP_SPANS_PER_ORDER + 2,
        JSON.stringify(spans.map((s) => `${s.service}:${s.kind}:${s.name}`)));
      const byId = new Map(spans.map((s) => [s.span_id, s]));

      const jsRoot = byId.get(root.spanContext().spanId);
      const jsClient = byId.get(client.spanContext().spanId);
      assert.ok(jsRoot && jsClient, 'both JS spans are stored');
      assert.equal(jsRoot.service, JS_SERVICE);
      assert.equal(jsRoot.parent_span_id, '', 'the JS root is the trace root');
      assert.equal(jsClient.parent_span_id, jsRoot.span_id);
      assert.equal(jsClient.kind, 'client');
      assert.equal(jsClient.scope.name, 'interop-test');

      const frontend = spans.find((s) => s.service === 'frontend' && s.kind === 'server');
      assert.ok(frontend, 'the C++ frontend SERVER span is stored');
      assert.equal(frontend.span_id, body.span_id);
      assert.equal(frontend.parent_span_id, jsClient.span_id, 'C++ SERVER span is a child of the JS CLIENT span');
      assert.equal(frontend.scope.name, 'shop.frontend');
      assert.equal(spans.filter((s) => s.parent_span_id === '').length, 1, 'one root');
      for (const s of spans) {
        assert.equal(s.trace_id, traceId);
        if (s !== jsRoot) assert.ok(byId.has(s.parent_span_id), `${s.service} ${s.name} has its parent in the trace`);
      }
      assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(),
        ['checkout', 'frontend', 'inventory', JS_SERVICE, 'payment']);
      if (card === 'decline') {
        assert.equal(jsClient.status.code, 'error');
        assert.equal(frontend.status.code, 'error');
        const payment = spans.find((s) => s.service === 'payment');
        assert.equal(payment.status.code, 'error');
        assert.equal(byId.get(payment.parent_span_id).status.code, 'error');
      }
    });
  }

  it('an unsampled traceparent (flags 00) is honoured: the C++ side records nothing', async () => {
    const unsampledId = randomBytes(16).toString('hex');
    const headers = { traceparent: `00-${unsampledId}-${randomBytes(8).toString('hex')}-00` };
    const res = await fetch(`${shop.frontendUrl}/checkout?item=book`, { headers, signal: AbortSignal.timeout(10000) });
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.trace_id, unsampledId, 'the trace id still propagates');
    // A sampled order sent afterwards through the same processes: once its spans are stored, the
    // unsampled one's would be too, had they been recorded.
    const sampled = await jsOrder(js.tracer, shop, 'item=book');
    await js.provider.forceFlush();
    await waitForTrace(server.httpUrl, sampled.body.trace_id, CPP_SPANS_PER_ORDER + 2, { timeoutMs: 15000 });
    const missing = await getJson(`${server.httpUrl}/api/traces/${unsampledId}`);
    assert.equal(missing.status, 404);
  });

  it('a malformed traceparent starts a new trace in the C++ frontend', async () => {
    const headers = { traceparent: '00-zzzz-not-a-trace-01' };
    const res = await fetch(`${shop.frontendUrl}/checkout?item=book`, { headers, signal: AbortSignal.timeout(10000) });
    const body = await res.json();
    assert.equal(res.status, 200);
    const got = await waitForTrace(server.httpUrl, body.trace_id, CPP_SPANS_PER_ORDER, { timeoutMs: 15000 });
    const root = got.body.spans.find((s) => s.parent_span_id === '');
    assert.equal(root.service, 'frontend');
    assert.equal(root.span_id, body.span_id);
  });
});
