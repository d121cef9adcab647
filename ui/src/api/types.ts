// Shapes of the JSON answers of the /api endpoints (docs/api.md). Times: Unix ms unless a field
// says `_unix_nano` (a decimal string) or is an RFC 3339 string.

export type Point = [number, number];

export interface Span {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: "unspecified" | "internal" | "server" | "client" | "producer" | "consumer";
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_ns: number;
  status: { code: "unset" | "ok" | "error"; message?: string };
  service: string;
  env: string;
  version: string;
  host: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: { name: string; version: string; attributes: Record<string, unknown> };
  events: { time_unix_nano: string; name: string; attributes: Record<string, unknown> }[];
  links: { trace_id: string; span_id: string; trace_state: string; attributes: Record<string, unknown> }[];
  trace_state: string;
  flags: number;
}

export interface TraceResponse {
  trace_id: string;
  spans: Span[];
}

export interface TraceSummary {
  trace_id: string;
  root_service: string;
  root_name: string;
  start_time_unix_nano: string;
  duration_ns: number;
  span_count: number;
  error_count: number;
  services: string[];
}

export interface TraceSearchResponse {
  traces: TraceSummary[];
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface TraceFacetsResponse {
  total_spans: number;
  sampled: boolean;
  facets: Record<string, FacetValue[]>;
  duration: { buckets_ms: number[]; counts: number[] };
}

// GET /api/traces/attributes
export interface AttributeKeysResponse {
  total_spans: number;
  sampled: boolean;
  keys: { key: string; source: "span" | "resource"; count: number }[];
}

export interface LogRow {
  time: string;
  observed_time?: string;
  severity: string;
  severity_number: number;
  level: string;
  body: unknown;
  service: string;
  env: string;
  version: string;
  host: string;
  trace_id: string;
  span_id: string;
  attributes: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

export interface LogsResponse {
  logs: LogRow[];
  next: string | null;
}

export interface LogHistogramResponse {
  step_ns: number;
  buckets: { time: string; counts: Record<string, number> }[];
}

export interface LogFacetsResponse {
  total: number;
  facets: Record<string, FacetValue[]>;
}

export interface RedSummary {
  service: string;
  envs: string[];
  versions: string[];
  requests: number;
  rate: number;
  errors: number;
  error_rate: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  log_errors: number;
}

export interface ServicesOverviewResponse {
  step: number;
  services: (RedSummary & { series: { rate: Point[]; error_rate: Point[]; p95_ms: Point[] } })[];
}

export interface OperationRow {
  name: string;
  span_kind: string;
  requests: number;
  rate: number;
  errors: number;
  error_rate: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

export interface VersionRow {
  version: string;
  requests: number;
  rate: number;
  error_rate: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  series: { rate: Point[]; error_rate: Point[]; p95_ms: Point[] };
}

export interface Neighbour {
  service: string;
  requests: number;
  errors: number;
  rate: number;
  error_rate: number;
  p95_ms: number | null;
}

export interface ServiceOverviewResponse {
  service: string;
  step: number;
  summary: RedSummary;
  series: {
    rate: Point[];
    errors: Point[];
    error_rate: Point[];
    p50_ms: Point[];
    p95_ms: Point[];
    p99_ms: Point[];
  };
  operations: OperationRow[];
  versions: VersionRow[];
  upstream: Neighbour[];
  downstream: Neighbour[];
  recent_errors: TraceSummary[];
  logs: { counts: Record<string, number>; recent_errors: LogRow[] };
}

export interface ServiceMapResponse {
  nodes: {
    service: string;
    requests: number;
    rate: number;
    error_rate: number;
    p95_ms: number | null;
    virtual?: boolean;
  }[];
  edges: {
    client: string;
    server: string;
    requests: number;
    rate: number;
    error_rate: number;
    p95_ms: number | null;
  }[];
}

export interface MetricSeries {
  labels: Record<string, string>;
  points: Point[];
}

export interface QueryRangeResponse {
  start: number;
  end: number;
  step: number;
  series: MetricSeries[];
}

export interface Exemplar {
  labels: Record<string, string>;
  time: number;
  value: number;
  trace_id: string;
  span_id: string;
}

export interface ExemplarsResponse {
  exemplars: Exemplar[];
}
