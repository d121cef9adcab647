import { Link } from "../../router";
import type { TraceSummary } from "../../api/types";
import { TraceLink } from "../../components/EntityLinks";
import { formatAgo, formatNs, formatTime, nanosToMs } from "../../components/format";
import { tracesSearchPath } from "../../components/links";
import { useLinkTo } from "../../state/globals";

// The service's newest error traces, each linking to the trace view.
export function RecentErrorTraces({ service, traces }: { service: string; traces: TraceSummary[] }) {
  const linkTo = useLinkTo();
  return (
    <div className="panel" data-testid="recent-errors">
      <h2>
        Recent error traces{" "}
        <Link to={linkTo(tracesSearchPath({ service, status: "error" }))} className="muted">
          all →
        </Link>
      </h2>
      {traces.length === 0 ? (
        <div className="muted">No error spans in this range.</div>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th className="unsortable">Time</th>
              <th className="unsortable">Root</th>
              <th className="num unsortable">Duration</th>
              <th className="num unsortable">Spans</th>
              <th className="num unsortable">Errors</th>
              <th className="unsortable">Trace</th>
            </tr>
          </thead>
          <tbody>
            {traces.map((t) => {
              const ms = nanosToMs(t.start_time_unix_nano);
              return (
                <tr key={t.trace_id} data-testid="error-trace-row">
                  <td title={formatAgo(ms)} className="mono">
                    {formatTime(ms)}
                  </td>
                  <td className="truncate">
                    <span className="muted">{t.root_service}</span> {t.root_name}
                  </td>
                  <td className="num">{formatNs(t.duration_ns)}</td>
                  <td className="num">{t.span_count}</td>
                  <td className="num err">{t.error_count}</td>
                  <td>
                    <TraceLink traceId={t.trace_id} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
