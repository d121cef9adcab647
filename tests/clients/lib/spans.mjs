// Builders of small, unique OTLP span payloads (protobuf and JSON) with known content, and a
// check that the server stored exactly them.
import assert from 'node:assert/strict';
import { encodeExportRequest, newSpanId, newTraceId, hex, nowNs } from './otlp_proto.mjs';
import { waitForTrace } from './http.mjs';

// A span of a fresh trace: {traceId, spanId (Buffers), name, startNs, endNs, attributes}.
export function simpleSpan({ traceId = newTraceId(), name = 'op', attributes = {}, extra = {} } = {}) {
  const startNs = nowNs() - 1000000000n;
  return {
    traceId, spanId: newSpanId(), name, kind: 2, startNs, endNs: startNs + 2500000n,
    attributes, ...extra,
  };
}

export function protoBody(spans, service = 'bad-input-probe') {
  return encodeExportRequest([{
    resource: { 'service.name': service },
    scopes: [{ name: 'periscope-it', version: '1', spans }],
  }]);
}

// OTLP/JSON for spans whose traceId/spanId may be given as hex strings (possibly invalid).
export function jsonBody(spans, service = 'bad-input-probe') {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'periscope-it', version: '1' },
        spans: spans.map((s) => ({
          traceId: typeof s.traceId === 'string' ? s.traceId : hex(s.traceId),
          spanId: typeof s.spanId === 'string' ? s.spanId : hex(s.spanId),
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: String(s.startNs),
          endTimeUnixNano: String(s.endNs),
          attributes: Object.entries(s.attributes ?? {}).map(([key, v]) => ({
            key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: String(v) },
          })),
        })),
      }],
    }],
  };
}

// Asserts GET /api/traces/{id} returns exactly `spans` (by id and name), each once.
export async function assertStored(httpUrl, spans) {
  const traceId = hex(spans[0].traceId);
  const got = await waitForTrace(httpUrl, traceId, spans.length);
  assert.equal(got.status, 200, `trace ${traceId}: ${got.status} ${got.text?.slice(0, 300)}`);
  const actual = got.body.spans.map((s) => `${s.span_id}:${s.name}`).sort();
  const want = spans.map((s) => `${hex(s.spanId)}:${s.name}`).sort();
  assert.deepEqual(actual, want, `trace ${traceId} spans`);
}
