// Emits a realistic trace through the real OpenTelemetry JS SDK and a real OTLP exporter, and
// turns the SDK's own ReadableSpans into the answer Periscope's API must give for them.
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { ExportResultCode, TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';

export { ExportResultCode };

// The exporter variants under test: protocol, target listener, compression, span processor.
export const VARIANTS = [
  { name: 'grpc', protocol: 'grpc', target: 'otlp_grpc', gzip: false, processor: 'batch' },
  { name: 'grpc-gzip', protocol: 'grpc', target: 'otlp_grpc', gzip: true, processor: 'simple' },
  { name: 'proto', protocol: 'proto', target: 'otlp_http', gzip: false, processor: 'simple' },
  { name: 'json-gzip', protocol: 'json', target: 'otlp_http', gzip: true, processor: 'batch' },
  { name: 'proto-gzip-ui', protocol: 'proto', target: 'http', gzip: true, processor: 'batch' },
  { name: 'json-ui', protocol: 'json', target: 'http', gzip: false, processor: 'simple' },
];

// Wraps an exporter and records every export result, so a failed export fails the test.
class RecordingExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
    this.spans = [];
  }
  export(spans, done) {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      if (result.code === ExportResultCode.SUCCESS) this.spans.push(...spans);
      done(result);
    });
  }
  forceFlush() { return this.inner.forceFlush?.() ?? Promise.resolve(); }
  shutdown() { return this.inner.shutdown(); }
}

export function makeExporter(variant, server) {
  const compression = variant.gzip ? 'gzip' : 'none';
  if (variant.protocol === 'grpc') {
    return new GrpcExporter({ url: `http://${server.otlpGrpcAddr}`, compression, timeoutMillis: 10000 });
  }
  const base = variant.target === 'http' ? server.httpUrl : server.otlpHttpUrl;
  const opts = { url: `${base}/v1/traces`, compression, timeoutMillis: 10000 };
  return variant.protocol === 'proto' ? new ProtoExporter(opts) : new JsonExporter(opts);
}

const hrFromNs = (ns) => [Number(ns / 1000000000n), Number(ns % 1000000000n)];
export const nsFromHr = (hr) => BigInt(hr[0]) * 1000000000n + BigInt(hr[1]);

// Every attribute value type the OTel JS API allows.
export const ROOT_ATTRIBUTES = {
  'http.route': '/api/item/{id}',
  'http.request.method': 'GET',
  'http.response.status_code': 500,
  'str.unicode': 'héllo wörld ✓ 日本',
  'str.empty': '',
  'int.neg': -7,
  'int.big': 2 ** 40 + 3,
  'double.val': 3.25,
  'double.neg': -0.001,
  'bool.true': true,
  'bool.false': false,
  'arr.str': ['a', 'b', 'c'],
  'arr.int': [1, -2, 3],
  'arr.double': [1.5, 2.25],
  'arr.bool': [true, false, true],
};

// Emits, through `variant`'s exporter, a trace (SERVER root -> CLIENT child -> INTERNAL
// grandchild) plus a second trace it links to. Returns {rootId, otherId, spans, results, service}.
export async function emitScenario(variant, server, { service, baseNs }) {
  const recorder = new RecordingExporter(makeExporter(variant, server));
  const processor = variant.processor === 'batch'
    ? new BatchSpanProcessor(recorder, { scheduledDelayMillis: 60000, maxExportBatchSize: 512 })
    : new SimpleSpanProcessor(recorder);
  const resource = resourceFromAttributes({
    'service.name': service,
    'service.version': '1.2.3',
    'deployment.environment.name': 'staging',
    'host.name': 'web-7',
    'team': 'payments',
    'replica.count': 3,
  });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  const tracer = provider.getTracer('periscope-it', '0.1.0');
  const t = (offsetNs) => hrFromNs(baseNs + BigInt(offsetNs));

  // A consumer span whose parent is remote (another process): trace state and remote flag.
  const remoteParent = {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
  };
  const other = tracer.startSpan('process order', {
    kind: SpanKind.CONSUMER,
    startTime: t(-5000000),
    attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': 2 },
  }, trace.setSpanContext(ROOT_CONTEXT, remoteParent));
  other.end(t(-1000000));

  const root = tracer.startSpan('GET /api/item/{id}', {
    kind: SpanKind.SERVER,
    startTime: t(0),
    attributes: ROOT_ATTRIBUTES,
    links: [{ context: other.spanContext(), attributes: { 'link.reason': 'caused-by', 'link.n': 1 } }],
  }, ROOT_CONTEXT);
  const child = tracer.startSpan('SELECT items', {
    kind: SpanKind.CLIENT,
    startTime: t(10000123),
    attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM items WHERE id = $1' },
  }, trace.setSpan(ROOT_CONTEXT, root));
  const grandchild = tracer.startSpan('decode row', {
    startTime: t(20000456),
    attributes: { 'rows': 1 },
  }, trace.setSpan(ROOT_CONTEXT, child));
  grandchild.addEvent('cache.miss', {
    'cache.key': 'item:42', 'attempt': 2, 'ratio': 0.5, 'stale': false, 'tiers': ['l1', 'l2'],
  }, t(25000789));
  grandchild.addEvent('no-attributes', t(26000000));
  grandchild.end(t(30000999));
  child.setStatus({ code: SpanStatusCode.OK });
  child.end(t(60000001));
  const err = new TypeError('item 42 is malformed');
  root.recordException(err, t(70000000));
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom: item 42 is malformed' });
  root.end(t(120000123));

  await provider.forceFlush();
  await provider.shutdown();
  return {
    service,
    rootId: root.spanContext().traceId,
    otherId: other.spanContext().traceId,
    results: recorder.results,
    spans: recorder.spans,
  };
}

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_NAMES = ['unset', 'ok', 'error'];

// The /api/traces/{id} span Periscope must return for an SDK ReadableSpan.
export function expectedApiSpan(span) {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  const start = nsFromHr(span.startTime);
  const end = nsFromHr(span.endTime);
  const attr = span.resource.attributes;
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    parent_span_id: parent?.spanId ?? '',
    name: span.name,
    kind: KIND_NAMES[span.kind],
    start_time_unix_nano: String(start),
    end_time_unix_nano: String(end),
    duration_ns: Number(end - start),
    status: { code: STATUS_NAMES[span.status.code], message: span.status.message ?? '' },
    service: attr['service.name'],
    env: attr['deployment.environment.name'],
    version: attr['service.version'],
    host: attr['host.name'],
    attributes: { ...span.attributes },
    resource: { ...attr },
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version },
    events: span.events.map((e) => ({
      time_unix_nano: String(nsFromHr(e.time)), name: e.name, attributes: { ...(e.attributes ?? {}) },
    })),
    links: span.links.map((l) => ({
      trace_id: l.context.traceId,
      span_id: l.context.spanId,
      trace_state: l.context.traceState?.serialize() ?? '',
      attributes: { ...(l.attributes ?? {}) },
    })),
    trace_state: ctx.traceState?.serialize() ?? '',
    // OTLP span flags as the SDK sends them: W3C flags | HAS_IS_REMOTE | IS_REMOTE.
    flags: (ctx.traceFlags & 0xff) | 0x100 | (parent?.isRemote ? 0x200 : 0),
  };
}
