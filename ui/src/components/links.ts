// Paths of the console's entity pages, so every page links to the same place the same way.

// Quotes a search-syntax value when it has spaces, quotes or syntax characters.
export function quoteValue(value: string): string {
  return /^[\w.\-/:@]+$/.test(value) && !value.includes("::") ? value : `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

export function servicePath(service: string): string {
  return `/services/${encodeURIComponent(service)}`;
}

export function tracePath(traceId: string, spanId?: string): string {
  const base = `/traces/${encodeURIComponent(traceId)}`;
  return spanId ? `${base}?span=${encodeURIComponent(spanId)}` : base;
}

// The trace explorer with a search query.
export function tracesSearchPath(terms: Record<string, string>): string {
  return `/traces?q=${encodeURIComponent(searchQuery(terms))}`;
}

// The logs explorer with a search query.
export function logsSearchPath(terms: Record<string, string>): string {
  return `/logs?q=${encodeURIComponent(searchQuery(terms))}`;
}

// `field:value` terms joined with spaces, values quoted when needed; empty values are skipped.
export function searchQuery(terms: Record<string, string>): string {
  return Object.entries(terms)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}:${quoteValue(v)}`)
    .join(" ");
}

// The metrics explorer charting the span-metric calls of `service`, grouped by operation.
export function serviceMetricsPath(service: string): string {
  const params = new URLSearchParams({
    metric: "traces_spanmetrics_calls_total",
    agg: "sum",
    by: "span_name",
    match: `service="${service.replace(/(["\\])/g, "\\$1")}"`,
  });
  return `/metrics?${params.toString()}`;
}
