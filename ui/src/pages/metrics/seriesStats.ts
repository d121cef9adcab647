// Figures of a charted series for the legend, and the display unit of a query.
import type { MetricSeries, Point } from "../../api/types";
import type { Fn } from "./metricQuery";

export interface SeriesStats {
  last: number;
  avg: number;
  max: number;
}

export function seriesStats(points: Point[]): SeriesStats {
  if (points.length === 0) return { last: NaN, avg: NaN, max: NaN };
  let sum = 0;
  let max = -Infinity;
  for (const [, v] of points) {
    sum += v;
    max = Math.max(max, v);
  }
  return { last: points[points.length - 1][1], avg: sum / points.length, max };
}

// The series with the largest peaks first, at most `limit` of them, and how many were dropped.
export function topSeries(series: MetricSeries[], limit: number): { shown: MetricSeries[]; dropped: number } {
  if (series.length <= limit) return { shown: series, dropped: 0 };
  const ranked = series
    .map((s) => ({ s, max: seriesStats(s.points).max }))
    .sort((a, b) => (b.max || 0) - (a.max || 0))
    .slice(0, limit)
    .map((x) => x.s);
  return { shown: ranked, dropped: series.length - limit };
}

// How values are shown: seconds-based quantiles in ms, rates per second, the rest as they are.
export function displayUnit(metric: string, fn: Fn): { scale: number; unit: string | undefined } {
  if (fn === "histogram_quantile" && /(_seconds|latency|duration)/.test(metric)) return { scale: 1000, unit: "ms" };
  if (fn === "rate") return { scale: 1, unit: "/s" };
  return { scale: 1, unit: undefined };
}

export function scalePoints(points: Point[], scale: number): Point[] {
  return scale === 1 ? points : points.map(([t, v]) => [t, v * scale] as Point);
}
