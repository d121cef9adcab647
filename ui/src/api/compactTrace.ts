// Decoding of GET /api/traces/{id}?format=compact (docs/api.md): each resource and scope is listed
// once and referenced by index, each span is an array of `span_fields`, and times are nanoseconds
// after the trace's earliest start.
import type { Span } from "./types";

export interface CompactResource {
  service: string;
  env: string;
  version: string;
  host: string;
  attributes: Record<string, unknown>;
}

export interface CompactTraceResponse {
  trace_id: string;
  format: "compact";
  start_time_unix_nano: string;
  span_fields: string[];
  resources: CompactResource[];
  scopes: Span["scope"][];
  spans: unknown[][];
}

// A decoded trace: spans in the answer's order, their offsets from `originNs` as numbers (what
// the waterfall draws with), and the absolute start.
export interface DecodedTrace {
  trace_id: string;
  spans: Span[];
  originNs: bigint;
  startNs: Float64Array;
  endNs: Float64Array;
}

const REQUIRED = [
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
] as const;

// A span of a compact trace. The Unix-nano time strings are made on first use: converting
// 20,000 bigints to strings up front costs more than the rest of the decoding.
class CompactSpan implements Span {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: Span["kind"];
  duration_ns: number;
  status: Span["status"];
  service: string;
  env: string;
  version: string;
  host: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: Span["scope"];
  events: Span["events"];
  links: Span["links"];
  trace_state: string;
  flags: number;
  private readonly origin: bigint;
  private readonly startOffset: number;
  private readonly endOffset: number;
  private startText?: string;
  private endText?: string;

  constructor(traceId: string, row: unknown[], col: Record<(typeof REQUIRED)[number], number>, origin: bigint, resource: CompactResource, scope: Span["scope"]) {
    this.trace_id = traceId;
    this.span_id = row[col.span_id] as string;
    this.parent_span_id = row[col.parent_span_id] as string;
    this.name = row[col.name] as string;
    this.kind = row[col.kind] as Span["kind"];
    this.origin = origin;
    this.startOffset = row[col.start_offset_ns] as number;
    this.endOffset = row[col.end_offset_ns] as number;
    this.duration_ns = this.endOffset - this.startOffset;
    this.status = { code: row[col.status_code] as Span["status"]["code"], message: row[col.status_message] as string };
    this.service = resource.service;
    this.env = resource.env;
    this.version = resource.version;
    this.host = resource.host;
    this.attributes = row[col.attributes] as Record<string, unknown>;
    this.resource = resource.attributes;
    this.scope = scope;
    this.events = row[col.events] as Span["events"];
    this.links = row[col.links] as Span["links"];
    this.trace_state = row[col.trace_state] as string;
    this.flags = row[col.flags] as number;
  }

  get start_time_unix_nano(): string {
    return (this.startText ??= (this.origin + BigInt(this.startOffset)).toString());
  }

  get end_time_unix_nano(): string {
    return (this.endText ??= (this.origin + BigInt(this.endOffset)).toString());
  }
}

function isCompact(body: unknown): body is CompactTraceResponse {
  return typeof body === "object" && body !== null && (body as { format?: unknown }).format === "compact";
}

// Decodes a compact trace answer. Throws an Error naming what is wrong when the answer does not
// have the documented shape (a missing field, an index out of range).
export function decodeCompactTrace(body: unknown): DecodedTrace {
  if (!isCompact(body)) throw new Error("not a compact trace answer");
  const fields = body.span_fields ?? [];
  const col = {} as Record<(typeof REQUIRED)[number], number>;
  for (const f of REQUIRED) {
    const i = fields.indexOf(f);
    if (i < 0) throw new Error(`compact trace without span field ${f}`);
    col[f] = i;
  }
  let originNs: bigint;
  try {
    originNs = BigInt(body.start_time_unix_nano);
  } catch {
    throw new Error(`bad start_time_unix_nano ${JSON.stringify(body.start_time_unix_nano)}`);
  }
  const rows = body.spans ?? [];
  const spans: Span[] = new Array(rows.length);
  const startNs = new Float64Array(rows.length);
  const endNs = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const resource = body.resources[row[col.resource] as number];
    const scope = body.scopes[row[col.scope] as number];
    if (!resource || !scope) throw new Error(`span ${i}: resource or scope index out of range`);
    spans[i] = new CompactSpan(body.trace_id, row, col, originNs, resource, scope);
    startNs[i] = row[col.start_offset_ns] as number;
    endNs[i] = row[col.end_offset_ns] as number;
  }
  return { trace_id: body.trace_id, spans, originNs, startNs, endNs };
}
