import type { ReactNode } from "react";
import { Link } from "../../router";
import type { LogRow } from "../../api/types";
import { useLinkTo } from "../../state/globals";
import { attrText, formatLogTime, normalLevel, prettyBody } from "./logFormat";

export interface LogDetailProps {
  row: LogRow;
  onClose: () => void;
  // Adds `field:value` (or `@key:value`) to the query.
  onFilter: (field: string, value: string) => void;
}

function AttrTable({ title, attrs, onFilter, testId }: {
  title: string;
  attrs: Record<string, unknown> | undefined;
  onFilter: (field: string, value: string) => void;
  testId: string;
}) {
  const keys = Object.keys(attrs ?? {}).sort();
  return (
    <section className="logdetail-section" data-testid={testId}>
      <h3>
        {title} <span className="muted">{keys.length}</span>
      </h3>
      {keys.length === 0 ? (
        <div className="muted">none</div>
      ) : (
        <table className="kv">
          <tbody>
            {keys.map((k) => {
              const v = attrText(attrs![k]);
              return (
                <tr key={k}>
                  <th className="mono">{k}</th>
                  <td className="mono">{v}</td>
                  <td className="kv-action">
                    <button className="icon" title={`Filter on @${k}:${v}`} aria-label={`filter on ${k}`} onClick={() => onFilter(`@${k}`, v)}>
                      ⊕
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

// The side panel of one log row: its fields, pretty-printed body, attributes and resource, with
// links to its trace, span and service.
export function LogDetail({ row, onClose, onFilter }: LogDetailProps) {
  const linkTo = useLinkTo();
  const level = normalLevel(row.level);
  const body = prettyBody(row.body);
  const traceLink = row.trace_id
    ? linkTo(`/traces/${row.trace_id}`, row.span_id ? { span: row.span_id } : {})
    : undefined;
  const eventName = (row as LogRow & { event_name?: string }).event_name;
  const fields: [string, ReactNode][] = [
    ["time", <span className="mono">{row.time}</span>],
    ["observed", row.observed_time ? <span className="mono">{row.observed_time}</span> : <span className="muted">–</span>],
    ["severity", `${row.severity} (${row.severity_number})`],
    [
      "service",
      row.service ? <Link to={linkTo(`/services/${encodeURIComponent(row.service)}`)}>{row.service}</Link> : "–",
    ],
    ["env", row.env || "–"],
    [
      "version",
      row.version && row.service ? (
        <Link to={linkTo(`/services/${encodeURIComponent(row.service)}`, { version: row.version })}>{row.version}</Link>
      ) : (
        row.version || "–"
      ),
    ],
    ["host", row.host || "–"],
    ["trace", traceLink ? <Link className="mono" to={linkTo(`/traces/${row.trace_id}`)}>{row.trace_id}</Link> : "–"],
    ["span", traceLink && row.span_id ? <Link className="mono" to={traceLink}>{row.span_id}</Link> : "–"],
  ];
  if (eventName) fields.push(["event", eventName]);
  return (
    <aside className="logdetail" data-testid="log-detail" aria-label="log detail">
      <header>
        <span className={`badge level-${level}`}>{(row.severity || level).toUpperCase()}</span>
        <span className="mono">{formatLogTime(row.time)}</span>
        <div className="spacer" />
        {traceLink && (
          <Link className="button-link" to={traceLink} data-testid="view-trace">
            View trace
          </Link>
        )}
        {row.trace_id && (
          <button title="Show every log of this trace" onClick={() => onFilter("trace_id", row.trace_id)}>
            Trace logs
          </button>
        )}
        <button className="icon" aria-label="close detail" title="Close (Esc)" onClick={onClose}>
          ×
        </button>
      </header>
      <section className="logdetail-section">
        <h3>Body {body.json && <span className="muted">JSON</span>}</h3>
        <pre className="logdetail-body" data-testid="log-body">{body.text}</pre>
      </section>
      <section className="logdetail-section">
        <h3>Fields</h3>
        <table className="kv">
          <tbody>
            {fields.map(([k, v]) => (
              <tr key={k}>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <AttrTable title="Attributes" attrs={row.attributes} onFilter={onFilter} testId="log-attributes" />
      <AttrTable title="Resource" attrs={row.resource} onFilter={onFilter} testId="log-resource" />
    </aside>
  );
}
