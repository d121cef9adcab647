import { Link } from "../../router";
import type { LogRow } from "../../api/types";
import { TraceLink } from "../../components/EntityLinks";
import { formatCount, formatTime } from "../../components/format";
import { logsSearchPath } from "../../components/links";
import { useLinkTo } from "../../state/globals";
import { bodyText, orderedLevelCounts } from "./serviceSeries";

export interface ServiceLogsPanelProps {
  service: string;
  counts: Record<string, number>;
  recentErrors: LogRow[];
}

// Log counts per level (each a link to those logs) and the newest error logs of the service.
export function ServiceLogsPanel({ service, counts, recentErrors }: ServiceLogsPanelProps) {
  const linkTo = useLinkTo();
  const levels = orderedLevelCounts(counts);
  return (
    <div className="panel" data-testid="service-logs">
      <h2>
        Logs{" "}
        <Link to={linkTo(logsSearchPath({ service }))} className="muted" data-testid="all-logs-link">
          all →
        </Link>
      </h2>
      <div className="badges" style={{ marginBottom: 8 }}>
        {levels.length === 0 && <span className="muted">No logs from this service in this range.</span>}
        {levels.map(({ level, count }) => (
          <Link key={level} to={linkTo(logsSearchPath({ service, level }))} className={`badge level-${level}`} data-testid="log-level-count">
            {level} {formatCount(count)}
          </Link>
        ))}
      </div>
      {recentErrors.length > 0 && (
        <table className="data">
          <tbody>
            {recentErrors.map((l, i) => (
              <tr key={`${l.time}-${i}`} data-testid="error-log-row">
                <td className="mono">{formatTime(Date.parse(l.time))}</td>
                <td className={`level-${l.level}`}>{l.level}</td>
                <td className="truncate mono" title={bodyText(l.body)}>
                  {bodyText(l.body)}
                </td>
                <td>{l.trace_id && <TraceLink traceId={l.trace_id} spanId={l.span_id || undefined} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
