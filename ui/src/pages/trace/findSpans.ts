import type { TraceModel } from "./model";

// Rows whose service, name, span id or an attribute key/value contains `text` (case-insensitive),
// in row order. Empty text matches nothing.
export function findSpans(model: TraceModel, text: string): number[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return [];
  const out: number[] = [];
  model.spans.forEach((ts, i) => {
    const s = ts.span;
    if (
      s.name.toLowerCase().includes(needle) ||
      s.service.toLowerCase().includes(needle) ||
      s.span_id.startsWith(needle) ||
      Object.entries(s.attributes ?? {}).some(
        ([k, v]) => k.toLowerCase().includes(needle) || String(v).toLowerCase().includes(needle),
      )
    ) {
      out.push(i);
    }
  });
  return out;
}

// The first match after `current` (wrapping around), or the previous one when `back`.
export function nextMatch(matches: number[], current: number, back = false): number | undefined {
  if (matches.length === 0) return undefined;
  if (back) {
    for (let i = matches.length - 1; i >= 0; i--) if (matches[i] < current) return matches[i];
    return matches[matches.length - 1];
  }
  for (const m of matches) if (m > current) return m;
  return matches[0];
}
