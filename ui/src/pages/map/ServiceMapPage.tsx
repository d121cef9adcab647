import { useState } from "react";
import { useNavigate } from "../../router";
import type { ServiceMapResponse } from "../../api/types";
import { useApi } from "../../api/useApi";
import { DataTable, type Column } from "../../components/DataTable";
import { ServiceLink } from "../../components/EntityLinks";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { formatMs, formatPct, formatRate } from "../../components/format";
import { servicePath } from "../../components/links";
import { Loading } from "../../components/Loading";
import { useGlobals, useLinkTo, useParam } from "../../state/globals";
import { MapGraph } from "./MapGraph";
import { errorClass, type MapEdge, type MapNode } from "./mapStyle";

// /map: the service graph from the service-graph metrics, laid out left to right, with the edges
// also listed in a sortable table.
export function ServiceMapPage() {
  const { apiRange, env } = useGlobals();
  const [focus] = useParam("focus");
  const linkTo = useLinkTo();
  const navigate = useNavigate();
  const [retry, setRetry] = useState(0);
  const map = useApi<ServiceMapResponse>("/api/service-map", { start: apiRange.start, end: apiRange.end, env }, retry);
  const nodes = (map.data?.nodes ?? []) as MapNode[];
  const edges = (map.data?.edges ?? []) as MapEdge[];
  const known = new Set(nodes.filter((n) => !n.virtual).map((n) => n.service));
  const endpoint = (s: string) => (known.has(s) ? <ServiceLink service={s} /> : <span className="muted">{s}</span>);
  const columns: Column<MapEdge>[] = [
    { key: "client", header: "Client", sortValue: (e) => e.client, render: (e) => endpoint(e.client) },
    { key: "server", header: "Server", sortValue: (e) => e.server, render: (e) => endpoint(e.server) },
    { key: "rate", header: "Rate", numeric: true, descFirst: true, sortValue: (e) => e.rate, render: (e) => formatRate(e.rate) },
    {
      key: "error_rate",
      header: "Errors",
      numeric: true,
      descFirst: true,
      sortValue: (e) => e.error_rate,
      render: (e) => <span className={errorClass(e.error_rate) === "error" ? "err" : undefined}>{formatPct(e.error_rate)}</span>,
    },
    { key: "p95_ms", header: "p95", numeric: true, descFirst: true, sortValue: (e) => e.p95_ms, render: (e) => formatMs(e.p95_ms) },
  ];
  return (
    <div className="page" data-testid="map-page">
      <div className="page-header">
        <h1>Service map</h1>
        <span className="muted">
          {map.data ? `${nodes.length} services, ${edges.length} connections` : ""}
          {env ? ` · env ${env}` : ""}
        </span>
        <span className="map-legend">
          <span>
            <span className="swatch" style={{ background: "var(--muted)" }} />
            ok
          </span>
          <span>
            <span className="swatch" style={{ background: "var(--warn)" }} />
            &gt;1% errors
          </span>
          <span>
            <span className="swatch" style={{ background: "var(--error)" }} />
            &gt;5% errors
          </span>
          <span>thickness = request rate · dashed = not traced</span>
        </span>
      </div>
      {map.error && <ErrorState what="the service map" error={map.error} onRetry={() => setRetry((r) => r + 1)} />}
      <div className="panel">
        {map.loading && !map.data ? (
          <Loading height={420} />
        ) : nodes.length === 0 && !map.error ? (
          <EmptyState title="No service connections in this time range">
            The map is built from client and server spans of traced calls. Widen the time range or clear the env filter.
          </EmptyState>
        ) : (
          <MapGraph nodes={nodes} edges={edges} focus={focus || undefined} onOpen={(s) => navigate(linkTo(servicePath(s)))} />
        )}
      </div>
      {edges.length > 0 && (
        <div className="panel">
          <h2>Connections</h2>
          <DataTable
            rows={edges}
            columns={columns}
            rowKey={(e) => `${e.client}->${e.server}`}
            sortParam="sort"
            defaultSort="-rate"
            testId="edges-table"
            rowTestId="edge-row"
          />
        </div>
      )}
    </div>
  );
}
