// Editing helpers for queries in the search syntax of docs/api.md ("Search syntax"): the UI adds
// and removes top-level `field:value` terms without re-parsing the whole grammar.

// Fields the trace search (`q` of /api/traces) understands without an `@`.
export const TRACE_FIELDS = [
  "service",
  "env",
  "version",
  "host",
  "name",
  "operation",
  "status",
  "kind",
  "trace_id",
  "span_id",
  "duration",
] as const;

// Fields the logs search (`q` of /api/logs) understands without an `@`.
export const LOG_FIELDS = ["service", "env", "version", "host", "level", "status", "trace_id", "span_id"] as const;

// `value` as the syntax needs it: bare when safe, else double-quoted with `\"` and `\\` escaped.
export function quoteValue(value: string): string {
  const needsQuotes =
    value === "" || /[\s()"\\]/.test(value) || value.endsWith("*") || /^[<>]/.test(value) || /^-/.test(value);
  if (!needsQuotes) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// The query field for a facet key: built-in fields as they are, anything else as `@key`.
export function termField(field: string, builtins: readonly string[]): string {
  if (field.startsWith("@")) return field;
  return builtins.includes(field) ? field : `@${field}`;
}

// `field:value`, with the value quoted when needed.
export function formatTerm(field: string, value: string): string {
  return `${field}:${quoteValue(value)}`;
}

// Splits a query into its top-level pieces: whitespace-separated terms, where quoted strings and
// parenthesised groups stay whole (`a (b OR c) name:"x y"` -> ["a", "(b OR c)", 'name:"x y"']).
export function splitTerms(query: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (quoted) {
      cur += c;
      if (c === "\\" && i + 1 < query.length) cur += query[++i];
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    if (/\s/.test(c) && depth === 0) {
      if (cur) out.push(cur);
      cur = "";
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out;
}

function sameTerm(term: string, field: string, value: string): boolean {
  return term === formatTerm(field, value) || term === `${field}:${value}`;
}

// Whether the query holds `field:value` at top level ("include"), its negation ("exclude"), or
// neither.
export function termState(query: string, field: string, value: string): "include" | "exclude" | undefined {
  for (const t of splitTerms(query)) {
    if (sameTerm(t, field, value)) return "include";
    if (t.startsWith("-") && sameTerm(t.slice(1), field, value)) return "exclude";
  }
  return undefined;
}

// Removes every top-level `field:value` and `-field:value`.
export function removeTerm(query: string, field: string, value: string): string {
  return splitTerms(query)
    .filter((t) => !sameTerm(t, field, value) && !(t.startsWith("-") && sameTerm(t.slice(1), field, value)))
    .join(" ");
}

// Toggles `field:value` (or `-field:value` when `negate`): adds it, replacing the opposite term,
// or removes it when it is already there.
export function toggleTerm(query: string, field: string, value: string, negate = false): string {
  const state = termState(query, field, value);
  const rest = removeTerm(query, field, value);
  if ((state === "include" && !negate) || (state === "exclude" && negate)) return rest;
  const term = (negate ? "-" : "") + formatTerm(field, value);
  return rest ? `${rest} ${term}` : term;
}

// Replaces every top-level term on `field` (e.g. all `duration:` bounds) with `terms`.
export function replaceFieldTerms(query: string, field: string, terms: string[]): string {
  const kept = splitTerms(query).filter((t) => !t.startsWith(`${field}:`) && !t.startsWith(`-${field}:`));
  return [...kept, ...terms].join(" ");
}

// The word being typed at `cursor` (for field-name suggestions) and where it starts.
export function wordAt(query: string, cursor: number): { word: string; start: number } {
  let start = cursor;
  while (start > 0 && !/[\s()]/.test(query[start - 1])) start--;
  let word = query.slice(start, cursor);
  if (word.startsWith("-")) {
    word = word.slice(1);
    start++;
  }
  return { word, start };
}
