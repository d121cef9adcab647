import { useMemo } from "react";
import { Link } from "../../router";
import type { VersionRow } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { formatCount, formatMs, formatPct, formatRate } from "../../components/format";
import { TimeSeriesChart } from "../../components/TimeSeriesChart";
import { useGlobals, useLinkTo, useZoomToRange } from "../../state/globals";
import { errorTone } from "../services/serviceRows";
import { versionSeries } from "./serviceSeries";

// Version comparison: RED figures per version, and p95 latency and error rate per version over
// time. Clicking a version filters the whole console to it.
export function VersionsPanel({ versions, current }: { versions: VersionRow[]; current: string }) {
  const linkTo = useLinkTo();
  const onZoom = useZoomToRange();
  const { resolved } = useGlobals();
  const xRange: [number, number] = [resolved.startMs, resolved.endMs];
  const p95 = useMemo(() => versionSeries(versions, "p95_ms"), [versions]);
  const errors = useMemo(() => versionSeries(versions, "error_rate"), [versions]);
  const columns: Column<VersionRow>[] = [
    {
      key: "version",
      header: "Version",
      sortValue: (v) => v.version,
      render: (v) => (
        <Link
          to={linkTo("", { version: v.version })}
          className={`badge${/canary/i.test(v.version) ? " canary" : ""}`}
          data-testid="version-link"
          title="Show only this version"
        >
          {v.version}
        </Link>
      ),
    },
    { key: "requests", header: "Requests", numeric: true, descFirst: true, sortValue: (v) => v.requests, render: (v) => formatCount(v.requests) },
    { key: "rate", header: "Rate", numeric: true, descFirst: true, sortValue: (v) => v.rate, render: (v) => formatRate(v.rate) },
    {
      key: "error_rate",
      header: "Errors",
      numeric: true,
      descFirst: true,
      sortValue: (v) => v.error_rate,
      render: (v) => <span className={errorTone(v.error_rate) === "error" ? "err" : undefined}>{formatPct(v.error_rate)}</span>,
    },
    { key: "p50_ms", header: "p50", numeric: true, descFirst: true, sortValue: (v) => v.p50_ms, render: (v) => formatMs(v.p50_ms) },
    { key: "p95_ms", header: "p95", numeric: true, descFirst: true, sortValue: (v) => v.p95_ms, render: (v) => formatMs(v.p95_ms) },
    { key: "p99_ms", header: "p99", numeric: true, descFirst: true, sortValue: (v) => v.p99_ms, render: (v) => formatMs(v.p99_ms) },
  ];
  return (
    <div className="panel" data-testid="versions-panel">
      <h2>
        Versions{" "}
        {current && (
          <Link to={linkTo("", { version: "" })} className="muted" data-testid="all-versions">
            (showing {current} — show all)
          </Link>
        )}
      </h2>
      <DataTable
        rows={versions}
        columns={columns}
        rowKey={(v) => v.version}
        sortParam="versort"
        defaultSort="-requests"
        testId="versions-table"
        rowTestId="version-row"
        empty="No version tag (service.version) on this service's spans."
      />
      {versions.length > 1 && (
        <div className="two-col">
          <TimeSeriesChart title="p95 latency by version" series={p95} unit="ms" height={140} onZoom={onZoom} xRange={xRange} />
          <TimeSeriesChart title="Error rate by version" series={errors} unit="%" height={140} onZoom={onZoom} xRange={xRange} />
        </div>
      )}
    </div>
  );
}
