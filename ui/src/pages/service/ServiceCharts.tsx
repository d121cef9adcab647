import { useMemo } from "react";
import type { ServiceOverviewResponse } from "../../api/types";
import { TimeSeriesChart } from "../../components/TimeSeriesChart";
import { useGlobals, useZoomToRange } from "../../state/globals";
import { latencySeries } from "./serviceSeries";

// Requests, errors and latency (p50/p95/p99) over time; drag on a chart to zoom the range.
export function ServiceCharts({ series }: { series: ServiceOverviewResponse["series"] }) {
  const onZoom = useZoomToRange();
  const { resolved } = useGlobals();
  const xRange: [number, number] = [resolved.startMs, resolved.endMs];
  const rate = useMemo(() => [{ label: "requests/s", points: series.rate ?? [] }], [series]);
  const errors = useMemo(() => [{ label: "errors", points: series.errors ?? [], color: "--error" }], [series]);
  const latency = useMemo(() => latencySeries(series), [series]);
  return (
    <div className="grid3" data-testid="service-charts">
      <div className="panel">
        <TimeSeriesChart title="Requests per second" series={rate} height={160} onZoom={onZoom} xRange={xRange} />
      </div>
      <div className="panel">
        <TimeSeriesChart title="Errors" series={errors} height={160} bars onZoom={onZoom} xRange={xRange} />
      </div>
      <div className="panel">
        <TimeSeriesChart title="Latency" series={latency} height={160} unit="ms" onZoom={onZoom} xRange={xRange} />
      </div>
    </div>
  );
}
