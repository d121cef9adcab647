import type { TraceSummary } from "../../api/types";

export type SortKey = "start" | "duration" | "spans" | "errors";

export interface SortSpec {
  key: SortKey;
  asc: boolean;
}

// `sort` URL parameter: `duration` (descending) or `duration:asc`; default newest first.
export function parseSort(param: string): SortSpec {
  const [k, dir] = param.split(":");
  const key = (["start", "duration", "spans", "errors"] as const).find((x) => x === k) ?? "start";
  return { key, asc: dir === "asc" };
}

export function formatSort(s: SortSpec): string {
  if (s.key === "start" && !s.asc) return "";
  return s.asc ? `${s.key}:asc` : s.key;
}

function startOf(t: TraceSummary): bigint {
  try {
    return BigInt(t.start_time_unix_nano);
  } catch {
    return 0n;
  }
}

// A sorted copy of `traces`; ties keep the newest first.
export function sortTraces(traces: TraceSummary[], s: SortSpec): TraceSummary[] {
  const value = (t: TraceSummary): number =>
    s.key === "duration" ? t.duration_ns : s.key === "spans" ? t.span_count : s.key === "errors" ? t.error_count : 0;
  const byStart = (a: TraceSummary, b: TraceSummary) => {
    const d = startOf(b) - startOf(a);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  };
  return [...traces].sort((a, b) => {
    const primary = s.key === "start" ? byStart(a, b) : value(b) - value(a);
    const ordered = s.asc ? -primary : primary;
    return ordered || byStart(a, b);
  });
}
