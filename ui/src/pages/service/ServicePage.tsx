import { useState } from "react";
import { useParams } from "../../router";
import type { ServiceOverviewResponse } from "../../api/types";
import { useApi } from "../../api/useApi";
import { EmptyState } from "../../components/EmptyState";
import { ErrorState } from "../../components/ErrorState";
import { Loading } from "../../components/Loading";
import { useGlobals } from "../../state/globals";
import { DependenciesPanel } from "./DependenciesPanel";
import { OperationsTable } from "./OperationsTable";
import { RecentErrorTraces } from "./RecentErrorTraces";
import { ServiceCharts } from "./ServiceCharts";
import { ServiceHeader } from "./ServiceHeader";
import { ServiceLogsPanel } from "./ServiceLogsPanel";
import type { NeighbourRow } from "./serviceSeries";
import { SummaryTiles } from "./SummaryTiles";
import { VersionsPanel } from "./VersionsPanel";

// /services/:service: summary tiles, RED charts, operations, version comparison, dependencies,
// recent error traces and logs of one service, for the global range, env and version.
export function ServicePage() {
  const service = useParams().service ?? "";
  const { apiRange, resolved, env, version } = useGlobals();
  const [retry, setRetry] = useState(0);
  const overview = useApi<ServiceOverviewResponse>(
    `/api/services/${encodeURIComponent(service)}/overview`,
    { start: apiRange.start, end: apiRange.end, env, version },
    retry,
  );
  const data = overview.data?.service === service ? overview.data : undefined;
  const notFound = overview.error !== undefined && /not found|no data|404/i.test(overview.error);
  return (
    <div className="page" data-testid="service-page">
      <ServiceHeader service={service} summary={data?.summary} />
      {overview.error && !notFound && (
        <ErrorState what={`the overview of ${service}`} error={overview.error} onRetry={() => setRetry((r) => r + 1)} />
      )}
      {notFound && (
        <div className="panel">
          <EmptyState title={`No data for ${service} in this time range`}>
            Widen the time range{env ? `, clear the env filter (${env})` : ""}
            {version ? `, clear the version filter (${version})` : ""}, or check that the service sends traces.
          </EmptyState>
        </div>
      )}
      {!data && overview.loading && <Loading height={400} />}
      {data && (
        <>
          <SummaryTiles summary={data.summary} series={data.series} startMs={resolved.startMs} endMs={resolved.endMs} />
          <ServiceCharts series={data.series} />
          <OperationsTable service={service} operations={data.operations} />
          <VersionsPanel versions={data.versions} current={version} />
          <DependenciesPanel upstream={data.upstream as NeighbourRow[]} downstream={data.downstream as NeighbourRow[]} />
          <div className="two-col">
            <RecentErrorTraces service={service} traces={data.recent_errors} />
            <ServiceLogsPanel service={service} counts={data.logs.counts} recentErrors={data.logs.recent_errors} />
          </div>
        </>
      )}
    </div>
  );
}
