import type { CompactResource, CompactTraceResponse } from "../../api/compactTrace";
import type { Span } from "../../api/types";

const BASE = 1795661040000000000n;

// A span for tests: times in ms relative to a fixed base.
export function makeSpan(
  id: string,
  parent: string,
  startMs: number,
  endMs: number,
  extra: Partial<Span> = {},
): Span {
  return {
    trace_id: "5b8efff798038103d269b633813fc60c",
    span_id: id,
    parent_span_id: parent,
    name: `op-${id}`,
    kind: "internal",
    start_time_unix_nano: String(BASE + BigInt(Math.round(startMs * 1e6))),
    end_time_unix_nano: String(BASE + BigInt(Math.round(endMs * 1e6))),
    duration_ns: Math.round((endMs - startMs) * 1e6),
    status: { code: "unset" },
    service: "svc",
    env: "prod",
    version: "1.0",
    host: "h1",
    attributes: {},
    resource: {},
    scope: { name: "test", version: "", attributes: {} },
    events: [],
    links: [],
    trace_state: "",
    flags: 1,
    ...extra,
  };
}

// A trace of `n` spans: a root with `fanout` children per span, breadth first, each child inside
// its parent's interval.
export function bigTrace(n: number, fanout = 10): Span[] {
  const spans: Span[] = [makeSpan("0".padStart(16, "0"), "", 0, 10000)];
  const bounds: [number, number][] = [[0, 10000]];
  for (let i = 1; i < n; i++) {
    const p = Math.floor((i - 1) / fanout);
    const [ps, pe] = bounds[p];
    const slot = (i - 1) % fanout;
    const w = (pe - ps) / fanout;
    const s = ps + slot * w;
    const e = s + w * 0.9;
    bounds.push([s, e]);
    spans.push(
      makeSpan(i.toString(16).padStart(16, "0"), p.toString(16).padStart(16, "0"), s, e, {
        service: `svc-${i % 5}`,
        status: { code: i % 97 === 0 ? "error" : "unset" },
      }),
    );
  }
  return spans;
}

const COMPACT_FIELDS = [
  "span_id",
  "parent_span_id",
  "name",
  "kind",
  "start_offset_ns",
  "end_offset_ns",
  "status_code",
  "status_message",
  "resource",
  "scope",
  "attributes",
  "events",
  "links",
  "trace_state",
  "flags",
  "dropped_attributes_count",
  "dropped_events_count",
  "dropped_links_count",
];

// The answer of GET /api/traces/{id}?format=compact for `spans`, as the server writes it
// (src/api/span_json_writer.cc): equal resources and scopes listed once, times after the
// earliest start.
export function compactTrace(traceId: string, spans: Span[]): CompactTraceResponse {
  const origin = spans.reduce<bigint | undefined>((m, s) => {
    const t = BigInt(s.start_time_unix_nano);
    return m === undefined || t < m ? t : m;
  }, undefined) ?? 0n;
  const resources: CompactResource[] = [];
  const scopes: Span["scope"][] = [];
  const resourceKeys = new Map<string, number>();
  const scopeKeys = new Map<string, number>();
  const indexOf = <T,>(list: T[], keys: Map<string, number>, value: T) => {
    const key = JSON.stringify(value);
    let i = keys.get(key);
    if (i === undefined) {
      i = list.push(value) - 1;
      keys.set(key, i);
    }
    return i;
  };
  const rows = spans.map((s) => [
    s.span_id,
    s.parent_span_id,
    s.name,
    s.kind,
    Number(BigInt(s.start_time_unix_nano) - origin),
    Number(BigInt(s.end_time_unix_nano) - origin),
    s.status.code,
    s.status.message ?? "",
    indexOf(resources, resourceKeys, { service: s.service, env: s.env, version: s.version, host: s.host, attributes: s.resource }),
    indexOf(scopes, scopeKeys, s.scope),
    s.attributes,
    s.events,
    s.links,
    s.trace_state,
    s.flags,
    0,
    0,
    0,
  ]);
  return {
    trace_id: traceId,
    format: "compact",
    start_time_unix_nano: origin.toString(),
    span_fields: COMPACT_FIELDS,
    resources,
    scopes,
    spans: rows,
  };
}
