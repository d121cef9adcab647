import { Link } from "../../router";
import type { RedSummary } from "../../api/types";
import { logsSearchPath, serviceMetricsPath, tracesSearchPath } from "../../components/links";
import { useLinkTo } from "../../state/globals";

// The service name, its envs and versions, and links to its traces, logs, metrics and the map.
export function ServiceHeader({ service, summary }: { service: string; summary?: RedSummary }) {
  const linkTo = useLinkTo();
  return (
    <div className="page-header">
      <Link to={linkTo("/services")} className="muted">
        Services
      </Link>
      <span className="muted">/</span>
      <h1 data-testid="service-name">{service}</h1>
      {summary && (
        <span className="badges">
          {summary.envs.map((e) => (
            <span key={e} className="badge" title="env">
              env:{e}
            </span>
          ))}
          {summary.versions.map((v) => (
            <span key={v} className={`badge${/canary/i.test(v) ? " canary" : ""}`} title="version">
              {v}
            </span>
          ))}
        </span>
      )}
      <span className="links">
        <Link to={linkTo(tracesSearchPath({ service }))} data-testid="traces-link">
          Traces
        </Link>
        <Link to={linkTo(logsSearchPath({ service }))} data-testid="logs-link">
          Logs
        </Link>
        <Link to={linkTo(serviceMetricsPath(service))} data-testid="metrics-link">
          Metrics of this service
        </Link>
        <Link to={linkTo("/map", { focus: service })} data-testid="map-link">
          Service map
        </Link>
      </span>
    </div>
  );
}
