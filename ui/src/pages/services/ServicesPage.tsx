import { useState } from "react";
import type { ServicesOverviewResponse } from "../../api/types";
import { useApi } from "../../api/useApi";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { Loading } from "../../components/Loading";
import { useGlobals, useParam } from "../../state/globals";
import { filterServices } from "./serviceRows";
import { ServicesTable } from "./ServicesTable";

// /services: every service with request rate, error rate, latency percentiles and sparklines from
// the RED metrics, for the global range and env; filterable by name and version.
export function ServicesPage() {
  const { apiRange, resolved, env, version, setVersion } = useGlobals();
  const [filter, setFilter] = useParam("filter");
  const [retry, setRetry] = useState(0);
  const overview = useApi<ServicesOverviewResponse>(
    "/api/services/overview",
    { start: apiRange.start, end: apiRange.end, env, version },
    retry,
  );
  const all = overview.data?.services ?? [];
  const rows = filterServices(all, filter, version);
  return (
    <div className="page" data-testid="services-page">
      <div className="page-header">
        <h1>Services</h1>
        <span className="muted">
          {overview.data ? `${rows.length} of ${all.length} services` : ""}
          {env ? ` · env ${env}` : ""}
        </span>
      </div>
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter services…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter services"
          data-testid="services-filter"
        />
        {version && (
          <span className="muted" data-testid="version-note">
            Services that served version <b>{version}</b>, with the figures of that version (a service page
            compares versions){" "}
            <button onClick={() => setVersion("")}>clear</button>
          </span>
        )}
      </div>
      {overview.error && (
        <ErrorState what="the services overview" error={overview.error} onRetry={() => setRetry((r) => r + 1)} />
      )}
      <div className="panel">
        {overview.loading && !overview.data ? (
          <Loading height={240} />
        ) : (
          <ServicesTable
            rows={rows}
            startMs={resolved.startMs}
            endMs={resolved.endMs}
            empty={
              all.length === 0 ? (
                <EmptyState title="No services in this time range">
                  Send traces over OTLP (port 4317 or 4318), widen the time range, or clear the env filter.
                </EmptyState>
              ) : (
                <EmptyState title="No service matches the filter">Clear the filter or the version.</EmptyState>
              )
            }
          />
        )}
      </div>
    </div>
  );
}
