// Facet groups of the trace explorer: the built-in ones plus attribute keys the user added
// (kept in the `facets` URL parameter as a comma list).

export const DEFAULT_FACETS: { field: string; label: string }[] = [
  { field: "service", label: "Service" },
  { field: "name", label: "Operation" },
  { field: "status", label: "Status" },
  { field: "kind", label: "Span kind" },
  { field: "http.route", label: "HTTP route" },
  { field: "env", label: "Env" },
  { field: "version", label: "Version" },
];

// The API allows at most 32 fields per request.
const MAX_FIELDS = 32;

export function parseExtraFacets(param: string): string[] {
  const builtin = new Set(DEFAULT_FACETS.map((f) => f.field));
  const out: string[] = [];
  for (const raw of param.split(",")) {
    const f = raw.trim().replace(/^@/, "");
    if (f && !builtin.has(f) && !out.includes(f)) out.push(f);
  }
  return out.slice(0, MAX_FIELDS - DEFAULT_FACETS.length);
}

// The `fields` parameter for /api/traces/facets.
export function facetFieldsParam(extra: string[]): string {
  return [...DEFAULT_FACETS.map((f) => f.field), ...extra].join(",");
}
