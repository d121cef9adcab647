import type { RedSummary, ServiceOverviewResponse } from "../../api/types";
import { formatCount, formatMs, formatPct, formatRate } from "../../components/format";
import { Sparkline } from "../../components/Sparkline";
import { StatTile } from "../../components/StatTile";
import { errorTone } from "../services/serviceRows";

export interface SummaryTilesProps {
  summary: RedSummary;
  series: ServiceOverviewResponse["series"];
  startMs: number;
  endMs: number;
}

// The service's headline figures: requests, rate, errors, latency percentiles, error logs.
export function SummaryTiles({ summary, series, startMs, endMs }: SummaryTilesProps) {
  const spark = { startMs, endMs, width: 140, height: 20 };
  return (
    <div className="stat-tiles" data-testid="summary-tiles">
      <StatTile label="Requests" value={formatCount(summary.requests)} sub={formatRate(summary.rate)} testId="tile-requests">
        <Sparkline points={series.rate ?? []} area {...spark} />
      </StatTile>
      <StatTile
        label="Error rate"
        value={formatPct(summary.error_rate)}
        sub={`${formatCount(summary.errors)} errors`}
        tone={errorTone(summary.error_rate)}
        testId="tile-error-rate"
      >
        <Sparkline points={series.errors ?? []} color="var(--error)" {...spark} />
      </StatTile>
      <StatTile label="p50" value={formatMs(summary.p50_ms)} testId="tile-p50">
        <Sparkline points={series.p50_ms ?? []} color="var(--ok)" {...spark} />
      </StatTile>
      <StatTile label="p95" value={formatMs(summary.p95_ms)} testId="tile-p95">
        <Sparkline points={series.p95_ms ?? []} color="var(--accent2)" {...spark} />
      </StatTile>
      <StatTile label="p99" value={formatMs(summary.p99_ms)} testId="tile-p99">
        <Sparkline points={series.p99_ms ?? []} color="var(--error)" {...spark} />
      </StatTile>
      <StatTile
        label="Error logs"
        value={formatCount(summary.log_errors)}
        tone={summary.log_errors > 0 ? "error" : undefined}
        testId="tile-log-errors"
      />
    </div>
  );
}
