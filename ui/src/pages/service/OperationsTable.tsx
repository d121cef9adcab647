import { Link } from "../../router";
import type { OperationRow } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { formatCount, formatMs, formatPct, formatRate } from "../../components/format";
import { tracesSearchPath } from "../../components/links";
import { useLinkTo } from "../../state/globals";
import { errorTone } from "../services/serviceRows";

// The service's operations (span names) with RED figures; each links to its traces.
export function OperationsTable({ service, operations }: { service: string; operations: OperationRow[] }) {
  const linkTo = useLinkTo();
  const columns: Column<OperationRow>[] = [
    {
      key: "name",
      header: "Operation",
      sortValue: (o) => o.name,
      render: (o) => (
        <Link to={linkTo(tracesSearchPath({ service, name: o.name }))} data-testid="operation-link">
          {o.name}
        </Link>
      ),
    },
    { key: "span_kind", header: "Kind", sortValue: (o) => o.span_kind, render: (o) => <span className="muted">{o.span_kind}</span> },
    { key: "requests", header: "Requests", numeric: true, descFirst: true, sortValue: (o) => o.requests, render: (o) => formatCount(o.requests) },
    { key: "rate", header: "Rate", numeric: true, descFirst: true, sortValue: (o) => o.rate, render: (o) => formatRate(o.rate) },
    {
      key: "error_rate",
      header: "Errors",
      numeric: true,
      descFirst: true,
      sortValue: (o) => o.error_rate,
      render: (o) => (
        <Link
          to={linkTo(tracesSearchPath({ service, name: o.name, status: "error" }))}
          className={errorTone(o.error_rate) === "error" ? "err" : undefined}
        >
          {formatPct(o.error_rate)}
        </Link>
      ),
    },
    { key: "p50_ms", header: "p50", numeric: true, descFirst: true, sortValue: (o) => o.p50_ms, render: (o) => formatMs(o.p50_ms) },
    { key: "p95_ms", header: "p95", numeric: true, descFirst: true, sortValue: (o) => o.p95_ms, render: (o) => formatMs(o.p95_ms) },
    { key: "p99_ms", header: "p99", numeric: true, descFirst: true, sortValue: (o) => o.p99_ms, render: (o) => formatMs(o.p99_ms) },
  ];
  return (
    <div className="panel">
      <h2>Operations</h2>
      <DataTable
        rows={operations}
        columns={columns}
        rowKey={(o) => `${o.span_kind}/${o.name}`}
        sortParam="ops"
        defaultSort="-requests"
        testId="operations-table"
        rowTestId="operation-row"
        empty="No server or consumer spans in this range."
      />
    </div>
  );
}
