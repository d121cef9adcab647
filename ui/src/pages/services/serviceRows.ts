import type { ServicesOverviewResponse } from "../../api/types";

export type ServiceRow = ServicesOverviewResponse["services"][number];

// Rows whose service name contains `filter` (case-insensitive) and, with `version`, that served
// that version in the range.
export function filterServices(rows: readonly ServiceRow[], filter: string, version: string): ServiceRow[] {
  const f = filter.trim().toLowerCase();
  return rows.filter(
    (r) => (!f || r.service.toLowerCase().includes(f)) && (!version || (r.versions ?? []).includes(version)),
  );
}

// The tone of an error ratio: over 5% is an error, over 1% a warning.
export function errorTone(ratio: number | null | undefined): "error" | "warn" | undefined {
  if (ratio == null) return undefined;
  if (ratio > 0.05) return "error";
  if (ratio > 0.01) return "warn";
  return undefined;
}
