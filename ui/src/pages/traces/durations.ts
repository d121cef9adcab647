import { splitTerms } from "../../components/search/query";

// Duration filters of the trace explorer: histogram buckets <-> `duration:` query terms.

// A duration in the search syntax (`250ms`, `1.5s`, `2m`, `300us`, or integer nanoseconds) in ms.
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const v = Number(m[1]);
  const unit = m[2] ?? "ns";
  const factor: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
  return v * factor[unit];
}

// `ms` as the shortest exact duration literal: 500ms, 2s, 1.5s, 2m.
export function durationLiteral(ms: number): string {
  if (ms >= 60e3 && ms % 60e3 === 0) return `${ms / 60e3}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// Label of histogram bucket `i`, which counts durations in (bounds[i-1], bounds[i]].
export function bucketLabel(bounds: number[], i: number): string {
  if (i >= bounds.length) return `>${durationLiteral(bounds[bounds.length - 1])}`;
  return `≤${durationLiteral(bounds[i])}`;
}

// The query terms selecting buckets lo..hi (inclusive): `duration:>X` `duration:<=Y`; none when
// the selection spans every bucket.
export function selectionTerms(bounds: number[], lo: number, hi: number): string[] {
  const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
  const out: string[] = [];
  if (a > 0) out.push(`duration:>${durationLiteral(bounds[a - 1])}`);
  if (b < bounds.length) out.push(`duration:<=${durationLiteral(bounds[b])}`);
  return out;
}

// The duration range the query's top-level `duration:` terms allow, in ms (undefined = open).
export function queryDurationRange(query: string): { minMs?: number; maxMs?: number } {
  const out: { minMs?: number; maxMs?: number } = {};
  for (const t of splitTerms(query)) {
    const m = /^duration:(>=?|<=?)(.+)$/.exec(t);
    if (!m) continue;
    const v = parseDurationMs(m[2]);
    if (v === undefined) continue;
    if (m[1].startsWith(">")) out.minMs = out.minMs === undefined ? v : Math.max(out.minMs, v);
    else out.maxMs = out.maxMs === undefined ? v : Math.min(out.maxMs, v);
  }
  return out;
}

// Buckets (indices) inside the query's duration range, or undefined without a duration filter.
export function selectedBuckets(bounds: number[], query: string): [number, number] | undefined {
  const { minMs, maxMs } = queryDurationRange(query);
  if (minMs === undefined && maxMs === undefined) return undefined;
  let lo = 0;
  let hi = bounds.length;
  // Bucket i covers (bounds[i-1], bounds[i]]; keep buckets overlapping (minMs, maxMs].
  if (minMs !== undefined) while (lo < bounds.length && bounds[lo] <= minMs) lo++;
  if (maxMs !== undefined) while (hi > 0 && bounds[hi - 1] >= maxMs) hi--;
  return lo <= hi ? [lo, hi] : undefined;
}
