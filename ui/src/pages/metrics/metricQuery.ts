// The metrics explorer's state as URL parameters, and the label matchers of a series selector.

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type Fn = "" | "rate" | "increase" | "histogram_quantile";
export type Agg = "" | "sum" | "avg" | "min" | "max" | "count";

export const FNS: Fn[] = ["", "rate", "increase", "histogram_quantile"];
export const AGGS: Agg[] = ["", "sum", "avg", "min", "max", "count"];
export const WINDOWS = ["1m", "2m", "5m", "10m", "15m", "30m", "1h"];

export interface MetricState {
  metric: string;
  matchers: Matcher[];
  fn: Fn;
  window: string;
  agg: Agg;
  by: string[];
  q: string;
  stacked: boolean;
}

export const DEFAULT_STATE: MetricState = {
  metric: "traces_spanmetrics_calls_total",
  matchers: [],
  fn: "rate",
  window: "5m",
  agg: "sum",
  by: ["service"],
  q: "0.95",
  stacked: false,
};

// Matchers from `a="x",b!~"y.*"` (with or without braces); values are double-quoted with `\"`
// and `\\` escapes; anything unparsable is skipped.
export function parseMatchers(text: string): Matcher[] {
  const out: Matcher[] = [];
  const s = text.trim().replace(/^\{/, "").replace(/\}$/, "");
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < s.length && (m = re.exec(s)) !== null) {
    out.push({ label: m[1], op: m[2] as MatchOp, value: m[3].replace(/\\(.)/g, "$1") });
  }
  return out;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// `a="x",b!~"y.*"`.
export function formatMatchers(matchers: Matcher[]): string {
  return matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(",");
}

// `metric{a="x",...}` for the API's `query` and `match` parameters.
export function selector(metric: string, matchers: Matcher[]): string {
  return matchers.length === 0 ? metric : `${metric}{${formatMatchers(matchers)}}`;
}

export function isBucketMetric(metric: string): boolean {
  return metric.endsWith("_bucket");
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

// The state in `params`; without a `metric` parameter the default view (calls per service).
export function readState(params: URLSearchParams): MetricState {
  if (!params.get("metric")) {
    return { ...DEFAULT_STATE, stacked: params.get("stacked") === "1" };
  }
  const metric = params.get("metric")!;
  let fn = oneOf(params.get("fn"), FNS, "");
  if (fn === "histogram_quantile" && !isBucketMetric(metric)) fn = "";
  const q = params.get("q") ?? DEFAULT_STATE.q;
  return {
    metric,
    matchers: parseMatchers(params.get("match") ?? ""),
    fn,
    window: params.get("window") || DEFAULT_STATE.window,
    agg: oneOf(params.get("agg"), AGGS, ""),
    by: (params.get("by") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s, i, a) => s && a.indexOf(s) === i),
    q: Number.isFinite(Number(q)) ? q : DEFAULT_STATE.q,
    stacked: params.get("stacked") === "1",
  };
}

// `params` with the state written into it (the other parameters, such as the time range, kept).
export function writeState(params: URLSearchParams, state: MetricState): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (k: string, v: string) => (v ? next.set(k, v) : next.delete(k));
  set("metric", state.metric);
  set("match", formatMatchers(state.matchers));
  set("fn", state.fn);
  set("window", state.fn && state.window !== DEFAULT_STATE.window ? state.window : "");
  set("agg", state.agg);
  set("by", state.agg || state.fn === "histogram_quantile" ? state.by.join(",") : "");
  set("q", state.fn === "histogram_quantile" ? state.q : "");
  set("stacked", state.stacked ? "1" : "");
  return next;
}

// The state after picking another metric: filters kept, the function reset to what fits it
// (rate for counters and buckets' quantiles, the raw value otherwise).
export function withMetric(state: MetricState, metric: string): MetricState {
  let fn: Fn = state.fn;
  if (isBucketMetric(metric)) fn = "histogram_quantile";
  else if (/_(total|count|sum)$/.test(metric)) fn = "rate";
  else if (fn === "histogram_quantile") fn = "";
  return { ...state, metric, fn };
}

// A series' legend text: its labels (without __name__), or the metric name when it has none.
export function seriesName(labels: Record<string, string>, metric: string): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== "__name__")
    .sort();
  if (keys.length === 0) return metric;
  return keys.map((k) => `${k}=${labels[k]}`).join(", ");
}

// The query in PromQL, for people who know it (and to paste into Grafana).
export function promql(state: MetricState, matchers: Matcher[] = state.matchers): string {
  const sel = selector(state.metric, matchers);
  if (state.fn === "histogram_quantile") {
    const by = [...state.by, "le"].join(", ");
    return `histogram_quantile(${state.q}, sum by (${by}) (rate(${sel}[${state.window}])))`;
  }
  const inner = state.fn ? `${state.fn}(${sel}[${state.window}])` : sel;
  if (!state.agg) return inner;
  return state.by.length ? `${state.agg} by (${state.by.join(", ")}) (${inner})` : `${state.agg}(${inner})`;
}
