import type { ReactNode } from "react";
import { Link } from "../../router";
import { useLinkTo } from "../../state/globals";
import { formatDuration, formatTimestamp, serviceColor } from "./format";
import { logsLink, serviceLink } from "./links";
import type { TraceModel } from "./model";
import { groupDigits } from "../../components/format";

// The trace summary: root service and operation, start, duration, span count, services, errors.
export function TraceHeader({ model, children }: { model: TraceModel; children?: ReactNode }) {
  const linkTo = useLinkTo();
  const root = model.spans[0]?.span;
  const startMs = Number(model.originNs / 1000000n);
  return (
    <div className="trace-header" data-testid="trace-header">
      <div className="title">
        {root && <span className="svc-chip" style={{ background: serviceColor(root.service) }} />}
        {root && <Link to={linkTo(serviceLink(root.service))}>{root.service}</Link>}
        <span className="op" data-testid="trace-root-name" title={root?.name}>
          {root?.name ?? "—"}
        </span>
      </div>
      <div className="stat">
        <span className="k">trace id</span>
        <span className="v mono">{model.traceId}</span>
      </div>
      <div className="stat">
        <span className="k">start</span>
        <span className="v">{formatTimestamp(model.originNs)}</span>
      </div>
      <div className="stat">
        <span className="k">duration</span>
        <span className="v" data-testid="trace-duration">
          {formatDuration(model.durationNs)}
        </span>
      </div>
      <div className="stat">
        <span className="k">spans</span>
        <span className="v" data-testid="trace-span-count">
          {groupDigits(model.spans.length)}
        </span>
      </div>
      <div className="stat">
        <span className="k">errors</span>
        <span className={`v${model.errorCount ? " error-text" : ""}`} data-testid="trace-error-count">
          {model.errorCount}
        </span>
      </div>
      <div className="stat">
        <span className="k">services ({model.services.length})</span>
        <span className="services">
          {model.services.map((s) => (
            <Link key={s} to={linkTo(serviceLink(s))} className="svc-badge">
              <span className="svc-chip" style={{ background: serviceColor(s) }} />
              {s}
            </Link>
          ))}
        </span>
      </div>
      <div className="actions">
        {children}
        <Link to={linkTo(logsLink(model.traceId, undefined, startMs, startMs + model.durationNs / 1e6))}>
          Logs for this trace
        </Link>
      </div>
    </div>
  );
}
