import type { ReactNode } from "react";
import { Link } from "../../router";
import { DataTable, type Column } from "../../components/DataTable";
import { ServiceLink } from "../../components/EntityLinks";
import { formatCount, formatMs, formatPct, formatRate } from "../../components/format";
import { logsSearchPath, tracesSearchPath } from "../../components/links";
import { Sparkline } from "../../components/Sparkline";
import { useLinkTo } from "../../state/globals";
import { errorTone, type ServiceRow } from "./serviceRows";

export interface ServicesTableProps {
  rows: ServiceRow[];
  startMs: number;
  endMs: number;
  empty: ReactNode;
}

// Every service with its RED figures and sparklines; sortable by every column.
export function ServicesTable({ rows, startMs, endMs, empty }: ServicesTableProps) {
  const linkTo = useLinkTo();
  const columns: Column<ServiceRow>[] = [
    {
      key: "service",
      header: "Service",
      sortValue: (r) => r.service,
      render: (r) => (
        <span className="service-cell">
          <ServiceLink service={r.service} />
        </span>
      ),
    },
    {
      key: "versions",
      header: "Versions",
      sortValue: (r) => (r.versions ?? []).length,
      descFirst: true,
      render: (r) => (
        <span className="badges">
          {(r.versions ?? []).slice(0, 4).map((v) => (
            <span key={v} className={`badge${/canary/i.test(v) ? " canary" : ""}`}>
              {v}
            </span>
          ))}
          {(r.versions ?? []).length > 4 && <span className="muted">+{r.versions.length - 4}</span>}
        </span>
      ),
    },
    {
      key: "requests",
      header: "Requests",
      numeric: true,
      descFirst: true,
      sortValue: (r) => r.requests,
      render: (r) => formatCount(r.requests),
    },
    {
      key: "rate",
      header: "Rate",
      numeric: true,
      descFirst: true,
      title: "Requests per second over the range",
      sortValue: (r) => r.rate,
      render: (r) => (
        <span className="spark-cell">
          <Sparkline points={r.series?.rate ?? []} startMs={startMs} endMs={endMs} area title={`${r.service} rate`} />
          {formatRate(r.rate)}
        </span>
      ),
    },
    {
      key: "error_rate",
      header: "Errors",
      numeric: true,
      descFirst: true,
      sortValue: (r) => r.error_rate,
      render: (r) => (
        <span className="spark-cell">
          <Sparkline
            points={r.series?.error_rate ?? []}
            startMs={startMs}
            endMs={endMs}
            color="var(--error)"
            title={`${r.service} error rate`}
          />
          <span className={errorTone(r.error_rate) === "error" ? "err" : undefined} data-testid="error-rate">
            {formatPct(r.error_rate)}
          </span>
        </span>
      ),
    },
    {
      key: "p50_ms",
      header: "p50",
      numeric: true,
      descFirst: true,
      sortValue: (r) => r.p50_ms,
      render: (r) => formatMs(r.p50_ms),
    },
    {
      key: "p95_ms",
      header: "p95",
      numeric: true,
      descFirst: true,
      sortValue: (r) => r.p95_ms,
      render: (r) => (
        <span className="spark-cell">
          <Sparkline
            points={r.series?.p95_ms ?? []}
            startMs={startMs}
            endMs={endMs}
            color="var(--accent2)"
            title={`${r.service} p95 latency`}
          />
          {formatMs(r.p95_ms)}
        </span>
      ),
    },
    {
      key: "p99_ms",
      header: "p99",
      numeric: true,
      descFirst: true,
      sortValue: (r) => r.p99_ms,
      render: (r) => formatMs(r.p99_ms),
    },
    {
      key: "log_errors",
      header: "Error logs",
      numeric: true,
      descFirst: true,
      sortValue: (r) => r.log_errors,
      render: (r) =>
        r.log_errors > 0 ? (
          <Link to={linkTo(logsSearchPath({ service: r.service, level: "error" }))} className="err">
            {formatCount(r.log_errors)}
          </Link>
        ) : (
          <span className="muted">0</span>
        ),
    },
    {
      key: "links",
      header: "",
      render: (r) => (
        <span className="cell-links">
          <Link to={linkTo(tracesSearchPath({ service: r.service }))} data-testid="service-traces-link">
            traces
          </Link>
          <Link to={linkTo(logsSearchPath({ service: r.service }))} data-testid="service-logs-link">
            logs
          </Link>
        </span>
      ),
    },
  ];
  return (
    <DataTable
      rows={rows}
      columns={columns}
      rowKey={(r) => r.service}
      sortParam="sort"
      defaultSort="-requests"
      testId="services-table"
      rowTestId="service-row"
      empty={empty}
    />
  );
}
