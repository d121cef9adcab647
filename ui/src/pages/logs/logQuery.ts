// The logs query as sent to the API: the user's `q` scoped by the global env and version.
import { quoteValue } from "../../components/search/query";

// `q` AND `env:<env>` AND `version:<version>`; `q` is parenthesised when it has an OR so the
// global filters apply to all of it.
export function scopedQuery(q: string, env: string, version: string): string {
  const parts: string[] = [];
  const trimmed = q.trim();
  if (trimmed) parts.push(/\bOR\b/.test(trimmed) ? `(${trimmed})` : trimmed);
  if (env) parts.push(`env:${quoteValue(env)}`);
  if (version) parts.push(`version:${quoteValue(version)}`);
  return parts.join(" ");
}

// Rows per /api/logs page.
export const LOG_PAGE_SIZE = 200;

// The default facet fields of /api/logs/facets.
export const DEFAULT_FACETS = ["service", "level", "host", "env", "version"];

// Extra facet keys from the `facets` URL parameter (comma list), without duplicates or defaults.
export function parseFacetKeys(param: string): string[] {
  const out: string[] = [];
  for (const raw of param.split(",")) {
    const key = raw.trim().replace(/^@/, "");
    if (key && !DEFAULT_FACETS.includes(key) && !out.includes(key)) out.push(key);
  }
  return out;
}

// The `fields` parameter for /api/logs/facets.
export function facetFields(extra: string[]): string {
  return [...DEFAULT_FACETS, ...extra.map((k) => `@${k}`)].join(",");
}
