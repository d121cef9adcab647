// Emits log records through the real OpenTelemetry JS logs SDK and a real OTLP logs exporter
// (gRPC, HTTP protobuf, HTTP JSON), and builds hand-made OTLP/JSON logs bodies for bulk ingest.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { rawRequest } from './http.mjs';

export { ExportResultCode, SeverityNumber };

// The logs exporter variants under test.
export const LOG_VARIANTS = [
  { name: 'grpc', protocol: 'grpc', target: 'otlp_grpc', gzip: false, processor: 'batch' },
  { name: 'proto-gzip', protocol: 'proto', target: 'otlp_http', gzip: true, processor: 'simple' },
  { name: 'json-ui', protocol: 'json', target: 'http', gzip: false, processor: 'batch' },
];

// Wraps an exporter and records every export result and the records it carried.
class RecordingLogExporter {
  constructor(inner) {
    this.inner = inner;
    this.results = [];
    this.records = [];
  }
  export(records, done) {
    this.inner.export(records, (result) => {
      this.results.push(result);
      if (result.code === ExportResultCode.SUCCESS) this.records.push(...records);
      done(result);
    });
  }
  forceFlush() { return this.inner.forceFlush?.() ?? Promise.resolve(); }
  shutdown() { return this.inner.shutdown(); }
}

export function makeLogExporter(variant, server) {
  const compression = variant.gzip ? 'gzip' : 'none';
  if (variant.protocol === 'grpc') {
    return new GrpcLogExporter({ url: `http://${server.otlpGrpcAddr}`, compression,
      timeoutMillis: 10000 });
  }
  const base = variant.target === 'http' ? server.httpUrl : server.otlpHttpUrl;
  const opts = { url: `${base}/v1/logs`, compression, timeoutMillis: 10000 };
  return variant.protocol === 'proto' ? new ProtoLogExporter(opts) : new JsonLogExporter(opts);
}

export const hrFromNs = (ns) => [Number(ns / 1000000000n), Number(ns % 1000000000n)];

// A sampled span context with fresh random ids; `contextOf` makes it the active span.
export function newSpanContext() {
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: false,
  };
}
export const contextOf = (spanContext) => trace.setSpanContext(ROOT_CONTEXT, spanContext);

// Emits `records` ({timeNs, severityNumber, severityText, body, attributes, spanContext,
// eventName}) through `variant`'s exporter with the given resource attributes; resolves after
// shutdown with {results, records (the SDK's exported ReadableLogRecords)}.
export async function emitLogs(variant, server, { resource, scope, records }) {
  const recorder = new RecordingLogExporter(makeLogExporter(variant, server));
  const processor = variant.processor === 'batch'
    ? new BatchLogRecordProcessor({ exporter: recorder, maxExportBatchSize: 8,
      scheduledDelayMillis: 50 })
    : new SimpleLogRecordProcessor({ exporter: recorder });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resource), processors: [processor],
  });
  const logger = provider.getLogger(scope.name, scope.version);
  for (const r of records) {
    logger.emit({
      timestamp: hrFromNs(r.timeNs),
      observedTimestamp: hrFromNs(r.timeNs + 1000n),
      severityNumber: r.severityNumber,
      severityText: r.severityText,
      body: r.body,
      attributes: r.attributes,
      eventName: r.eventName,
      context: r.spanContext ? contextOf(r.spanContext) : ROOT_CONTEXT,
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
  return { results: recorder.results, records: recorder.records };
}

// The OTLP/JSON attribute value of a JS value.
export function jsonAnyValue(v) {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  }
  if (Array.isArray(v)) return { arrayValue: { values: v.map(jsonAnyValue) } };
  throw new Error(`no OTLP value for ${typeof v}`);
}

const jsonAttrs = (obj) => Object.entries(obj).map(([key, v]) => ({ key, value: jsonAnyValue(v) }));

// An OTLP/JSON ExportLogsServiceRequest for one resource and scope; each record is
// {timeNs (BigInt), severityNumber, severityText, body (string), attributes}.
export function logsJsonBody({ resource, scope = { name: 'it' }, records }) {
  return {
    resourceLogs: [{
      resource: { attributes: jsonAttrs(resource) },
      scopeLogs: [{
        scope,
        logRecords: records.map((r) => ({
          timeUnixNano: String(r.timeNs),
          observedTimeUnixNano: String(r.timeNs),
          severityNumber: r.severityNumber ?? 0,
          severityText: r.severityText ?? '',
          body: { stringValue: r.body },
          attributes: jsonAttrs(r.attributes ?? {}),
        })),
      }],
    }],
  };
}

// POSTs an OTLP/JSON logs body to `<base>/v1/logs` (gzip when asked); returns
// {status, headers, body, json}.
export async function postLogsJson(baseUrl, obj, { gzip = false } = {}) {
  let body = Buffer.from(JSON.stringify(obj));
  const headers = { 'content-type': 'application/json' };
  if (gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  const r = await rawRequest(`${baseUrl}/v1/logs`, { headers, body });
  try { r.json = JSON.parse(r.body.toString('utf8')); } catch { r.json = null; }
  return r;
}

// Every row of GET /api/logs for `params`, following `next` cursors (at most `maxPages`).
export async function allLogs(httpUrl, params, { limit = 1000, maxPages = 50 } = {}) {
  const rows = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const p = new URLSearchParams({ ...params, limit: String(limit) });
    if (cursor) p.set('cursor', cursor);
    const res = await fetch(`${httpUrl}/api/logs?${p}`, { signal: AbortSignal.timeout(15000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /api/logs?${p} -> ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text);
    rows.push(...body.logs);
    if (!body.next) return rows;
    cursor = body.next;
  }
  throw new Error(`GET /api/logs ${JSON.stringify(params)}: more than ${maxPages} pages`);
}
