// Where exemplars sit on the chart: at their own value for quantile charts (same unit), else on
// the charted series they belong to, at the nearest point in time.
import type { Exemplar, MetricSeries } from "../../api/types";

export interface Marker {
  time: number;
  value: number;
  id: string;
}

// `trace_id:span_id`, the marker id that the click handler splits again.
export function exemplarId(e: Exemplar): string {
  return `${e.trace_id}:${e.span_id}`;
}

export function parseExemplarId(id: string): { traceId: string; spanId: string } {
  const [traceId, spanId = ""] = id.split(":");
  return { traceId, spanId };
}

// Whether every label of the series (but __name__) has the same value in the exemplar.
function belongs(series: MetricSeries, e: Exemplar): boolean {
  return Object.entries(series.labels).every(([k, v]) => k === "__name__" || e.labels[k] === v);
}

function nearest(points: [number, number][], t: number, maxGap: number): number | undefined {
  let best: [number, number] | undefined;
  for (const p of points) if (!best || Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p;
  return best && Math.abs(best[0] - t) <= maxGap ? best[1] : undefined;
}

// Markers for `exemplars` on a chart of `series` (stacked: values summed in series order, as the
// chart draws them). `ownValue`: the chart is in the exemplars' unit (quantiles of a histogram).
// Exemplars outside [startMs, endMs] or of no charted series are left out.
export function placeExemplars(
  exemplars: Exemplar[],
  series: MetricSeries[],
  opts: { ownValue: boolean; stacked: boolean; stepMs: number; startMs: number; endMs: number },
): Marker[] {
  const out: Marker[] = [];
  for (const e of exemplars) {
    if (e.time < opts.startMs || e.time > opts.endMs) continue;
    const idx = series.findIndex((s) => belongs(s, e));
    if (idx < 0) continue;
    if (opts.ownValue) {
      out.push({ time: e.time, value: e.value, id: exemplarId(e) });
      continue;
    }
    const gap = Math.max(opts.stepMs, 1);
    const v = nearest(series[idx].points, e.time, gap);
    if (v === undefined) continue;
    let value = v;
    if (opts.stacked) {
      for (let i = 0; i < idx; i++) value += nearest(series[i].points, e.time, gap) ?? 0;
    }
    out.push({ time: e.time, value, id: exemplarId(e) });
  }
  return out;
}
