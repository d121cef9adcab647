import { Link } from "../../router";
import { useLinkTo } from "../../state/globals";
import { AttributeTable } from "./AttributeTable";
import { formatDuration, formatTimestamp, serviceColor } from "./format";
import { logsLink, serviceLink, traceLink } from "./links";
import { nanos, type TraceModel } from "./model";

export interface SpanDetailsProps {
  model: TraceModel;
  row: number;
  onClose: () => void;
  onSelect: (row: number) => void;
}

// The selected span: identity, timing, status, links to its logs/service/parent, then
// attributes, events, links to other traces, resource and instrumentation scope.
export function SpanDetails({ model, row, onClose, onSelect }: SpanDetailsProps) {
  const linkTo = useLinkTo();
  const ts = model.spans[row];
  const s = ts.span;
  const traceStartMs = Number(model.originNs / 1000000n);
  const traceEndMs = traceStartMs + model.durationNs / 1e6;
  const spanStart = nanos(s.start_time_unix_nano);
  return (
    <aside className="span-details" data-testid="span-details" aria-label="span details">
      <button className="close icon" onClick={onClose} title="Close (Esc)" aria-label="close details">
        ×
      </button>
      <h3>{s.name}</h3>
      <div>
        <span className="svc-chip" style={{ background: serviceColor(s.service) }} />{" "}
        <Link to={linkTo(serviceLink(s.service))}>{s.service}</Link>
        <span className="muted"> · {s.kind} · </span>
        <b>{formatDuration(ts.endNs - ts.startNs)}</b>
        <span className="muted"> at +{formatDuration(ts.startNs)}</span>
      </div>
      <div className={s.status.code === "error" ? "status-error" : "muted"} data-testid="span-status">
        status {s.status.code}
        {s.status.message ? `: ${s.status.message}` : ""}
      </div>
      <div className="links">
        <Link to={linkTo(logsLink(model.traceId, s.span_id, traceStartMs, traceEndMs))} data-testid="span-logs-link">
          Logs for this span
        </Link>
        <Link to={linkTo(logsLink(model.traceId, undefined, traceStartMs, traceEndMs))}>Logs for this trace</Link>
        <Link to={linkTo(serviceLink(s.service))} data-testid="service-metrics-link">
          Metrics of {s.service}
        </Link>
        {ts.parent >= 0 && (
          <a
            href="#parent"
            onClick={(e) => {
              e.preventDefault();
              onSelect(ts.parent);
            }}
          >
            Parent span
          </a>
        )}
      </div>
      <table className="kv">
        <tbody>
          <tr>
            <td className="k">span_id</td>
            <td className="v">{s.span_id}</td>
          </tr>
          <tr>
            <td className="k">parent_span_id</td>
            <td className="v">{s.parent_span_id || "—"}</td>
          </tr>
          <tr>
            <td className="k">start</td>
            <td className="v">{formatTimestamp(s.start_time_unix_nano)}</td>
          </tr>
          <tr>
            <td className="k">env / version / host</td>
            <td className="v">
              {s.env || "—"} / {s.version || "—"} / {s.host || "—"}
            </td>
          </tr>
          {s.trace_state && (
            <tr>
              <td className="k">trace_state</td>
              <td className="v">{s.trace_state}</td>
            </tr>
          )}
        </tbody>
      </table>
      <h4>Attributes</h4>
      <AttributeTable attributes={s.attributes} testId="span-attributes" />
      <h4>Events ({s.events.length})</h4>
      {s.events.length === 0 && <div className="muted">none</div>}
      {s.events.map((e, i) => (
        <div key={i} className={`span-event${e.name === "exception" ? " exception" : ""}`}>
          <div>
            <b>{e.name}</b>{" "}
            <span className="when">+{formatDuration(Number(nanos(e.time_unix_nano) - spanStart))} into the span</span>
          </div>
          <AttributeTable attributes={e.attributes} />
        </div>
      ))}
      <h4>Links ({s.links.length})</h4>
      {s.links.length === 0 && <div className="muted">none</div>}
      {s.links.map((l, i) => (
        <div key={i} className="span-event">
          <Link to={linkTo(traceLink(l.trace_id, l.span_id))} className="mono">
            {l.trace_id === model.traceId ? "this trace" : l.trace_id} / {l.span_id}
          </Link>
          {Object.keys(l.attributes ?? {}).length > 0 && <AttributeTable attributes={l.attributes} />}
        </div>
      ))}
      <h4>Resource</h4>
      <AttributeTable attributes={s.resource} testId="span-resource" />
      <h4>Scope</h4>
      <div className="mono">
        {s.scope?.name || "—"} {s.scope?.version}
      </div>
      {Object.keys(s.scope?.attributes ?? {}).length > 0 && <AttributeTable attributes={s.scope.attributes} />}
    </aside>
  );
}
