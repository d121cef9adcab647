import { describe, expect, it } from "vitest";
import { buildTraceModel } from "../pages/trace/model";
import { bigTrace, compactTrace, makeSpan } from "../pages/trace/testSpans";
import { decodeCompactTrace } from "./compactTrace";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

// The Span fields a client reads, as plain data (getters included).
function plain(s: object) {
  const span = s as Record<string, unknown>;
  const keys = ["trace_id", "span_id", "parent_span_id", "name", "kind", "start_time_unix_nano", "end_time_unix_nano", "duration_ns", "status", "service", "env", "version", "host", "attributes", "resource", "scope", "events", "links", "trace_state", "flags"];
  return Object.fromEntries(keys.map((k) => [k, span[k]]));
}

const spans = [
  makeSpan("aaaaaaaaaaaaaaa1", "", 0, 100, { service: "frontend", kind: "server", resource: { "service.name": "frontend" } }),
  makeSpan("aaaaaaaaaaaaaaa2", "aaaaaaaaaaaaaaa1", 10, 40, {
    service: "cart",
    host: "h2",
    status: { code: "error", message: "boom" },
    attributes: { "http.route": "/cart", n: 3, ok: true, list: [1, "x"] },
    resource: { "service.name": "cart" },
    events: [{ time_unix_nano: "1795661040020000000", name: "exception", attributes: { "exception.message": "boom" } }],
    links: [{ trace_id: "0123456789abcdef0123456789abcdef", span_id: "0123456789abcdef", trace_state: "", attributes: {} }],
    flags: 257,
  }),
  makeSpan("aaaaaaaaaaaaaaa3", "aaaaaaaaaaaaaaa1", 50, 95, { service: "frontend", resource: { "service.name": "frontend" } }),
];

describe("decodeCompactTrace", () => {
  it("gives back every span as the full answer has it", () => {
    const decoded = decodeCompactTrace(JSON.parse(JSON.stringify(compactTrace(TRACE_ID, spans))));
    expect(decoded.trace_id).toBe(TRACE_ID);
    expect(decoded.spans.map(plain)).toEqual(spans.map((s) => plain({ ...s, status: { message: "", ...s.status } })));
  });

  it("shares one object per listed resource and scope", () => {
    const body = compactTrace(TRACE_ID, spans);
    expect(body.resources).toHaveLength(2);
    const decoded = decodeCompactTrace(body);
    expect(decoded.spans[0].resource).toBe(decoded.spans[2].resource);
    expect(decoded.spans[0].scope).toBe(decoded.spans[1].scope);
  });

  it("hands the offsets to the model, which builds the same tree as from the full spans", () => {
    const big = bigTrace(2000);
    const decoded = decodeCompactTrace(compactTrace(TRACE_ID, big));
    expect(Array.from(decoded.startNs.slice(0, 3))).toEqual([0, 0, 1e9]);
    const fromCompact = buildTraceModel(TRACE_ID, decoded.spans, decoded);
    const fromFull = buildTraceModel(TRACE_ID, big);
    expect(fromCompact.originNs).toBe(fromFull.originNs);
    expect(fromCompact.durationNs).toBe(fromFull.durationNs);
    expect(fromCompact.spans.map((s) => [s.id, s.parent, s.startNs, s.endNs])).toEqual(
      fromFull.spans.map((s) => [s.id, s.parent, s.startNs, s.endNs]),
    );
    expect(fromCompact.errorCount).toBe(fromFull.errorCount);
  });

  it("keeps exact Unix-nano times beyond 2^53", () => {
    const decoded = decodeCompactTrace(compactTrace(TRACE_ID, spans));
    expect(decoded.originNs).toBe(1795661040000000000n);
    expect(decoded.spans[1].start_time_unix_nano).toBe("1795661040010000000");
    expect(decoded.spans[1].end_time_unix_nano).toBe("1795661040040000000");
    expect(decoded.spans[1].duration_ns).toBe(30_000_000);
  });

  it("finds the columns by span_fields, whatever their order", () => {
    const body = compactTrace(TRACE_ID, spans);
    const order = [...body.span_fields].reverse();
    const reordered = {
      ...body,
      span_fields: order,
      spans: body.spans.map((row) => order.map((f) => row[body.span_fields.indexOf(f)])),
    };
    expect(decodeCompactTrace(reordered).spans.map(plain)).toEqual(decodeCompactTrace(body).spans.map(plain));
  });

  it("rejects answers that are not compact traces, naming what is wrong", () => {
    expect(() => decodeCompactTrace({ trace_id: TRACE_ID, spans: [] })).toThrow(/not a compact trace/);
    const body = compactTrace(TRACE_ID, spans);
    expect(() => decodeCompactTrace({ ...body, span_fields: body.span_fields.filter((f) => f !== "name") })).toThrow(
      /span field name/,
    );
    expect(() => decodeCompactTrace({ ...body, resources: [] })).toThrow(/span 0: resource or scope index/);
    expect(() => decodeCompactTrace({ ...body, start_time_unix_nano: "soon" })).toThrow(/start_time_unix_nano/);
  });
});
