import type { Neighbour, ServiceOverviewResponse, VersionRow } from "../../api/types";
import type { ChartSeries } from "../../components/TimeSeriesChart";

// An upstream/downstream row as the server sends it (more fields than the contract's minimum).
export type NeighbourRow = Neighbour & { requests?: number; errors?: number; p95_ms?: number | null };

// One chart series per version for `metric`, canary versions last so their colour is stable.
export function versionSeries(versions: readonly VersionRow[], metric: keyof VersionRow["series"]): ChartSeries[] {
  return versions.map((v) => ({ label: v.version, points: v.series?.[metric] ?? [] }));
}

// The latency percentiles of the service as three chart series.
export function latencySeries(series: ServiceOverviewResponse["series"]): ChartSeries[] {
  return [
    { label: "p50", points: series.p50_ms ?? [], color: "--ok" },
    { label: "p95", points: series.p95_ms ?? [], color: "--accent2" },
    { label: "p99", points: series.p99_ms ?? [], color: "--error" },
  ];
}

// Log counts per level in a fixed severity order (unknown levels after, by count).
export function orderedLevelCounts(counts: Record<string, number>): { level: string; count: number }[] {
  const order = ["fatal", "error", "warn", "info", "debug", "trace"];
  const known = order.filter((l) => counts[l] !== undefined).map((level) => ({ level, count: counts[level] }));
  const other = Object.entries(counts)
    .filter(([l]) => !order.includes(l))
    .sort((a, b) => b[1] - a[1])
    .map(([level, count]) => ({ level, count }));
  return [...known, ...other];
}

// A short text of a log body: strings as they are, structured bodies as compact JSON.
export function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (body == null) return "";
  return JSON.stringify(body);
}
