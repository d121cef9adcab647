import type { ReactNode } from "react";
import { Link } from "../router";
import { useLinkTo } from "../state/globals";
import { logsSearchPath, servicePath, tracePath } from "./links";

// A link to a service page that keeps the global time range, env and version.
export function ServiceLink({ service, children }: { service: string; children?: ReactNode }) {
  const linkTo = useLinkTo();
  return (
    <Link to={linkTo(servicePath(service))} className="entity service-link" data-testid="service-link">
      {children ?? service}
    </Link>
  );
}

// A link to a trace (and optionally one of its spans); shows a short id by default.
export function TraceLink({ traceId, spanId, children }: { traceId: string; spanId?: string; children?: ReactNode }) {
  const linkTo = useLinkTo();
  return (
    <Link to={linkTo(tracePath(traceId, spanId))} className="entity trace-link mono" data-testid="trace-link">
      {children ?? traceId.slice(0, 16)}
    </Link>
  );
}

// A link to the logs explorer with a query built from `terms`.
export function LogsLink({ terms, children }: { terms: Record<string, string>; children: ReactNode }) {
  const linkTo = useLinkTo();
  return (
    <Link to={linkTo(logsSearchPath(terms))} className="entity logs-link" data-testid="logs-link">
      {children}
    </Link>
  );
}
