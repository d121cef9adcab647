import { ServiceLink } from "../../components/EntityLinks";
import { formatMs, formatPct, formatRate } from "../../components/format";
import { sortRows } from "../../components/sort";
import type { NeighbourRow } from "./serviceSeries";

function NeighbourTable({ rows, testId, empty }: { rows: NeighbourRow[]; testId: string; empty: string }) {
  if (rows.length === 0) return <div className="muted">{empty}</div>;
  return (
    <table className="data" data-testid={testId}>
      <thead>
        <tr>
          <th className="unsortable">Service</th>
          <th className="num unsortable">Rate</th>
          <th className="num unsortable">Errors</th>
          <th className="num unsortable">p95</th>
        </tr>
      </thead>
      <tbody>
        {sortRows(rows, (r) => r.rate, true).map((r) => (
          <tr key={r.service}>
            <td>
              <ServiceLink service={r.service} />
            </td>
            <td className="num">{formatRate(r.rate)}</td>
            <td className={`num${r.error_rate > 0.05 ? " err" : ""}`}>{formatPct(r.error_rate)}</td>
            <td className="num">{formatMs(r.p95_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Who calls the service (upstream) and whom it calls (downstream), from the service graph.
export function DependenciesPanel({ upstream, downstream }: { upstream: NeighbourRow[]; downstream: NeighbourRow[] }) {
  return (
    <div className="two-col" data-testid="dependencies">
      <div className="panel">
        <h2>Upstream (callers)</h2>
        <NeighbourTable rows={upstream} testId="upstream-table" empty="No traced callers in this range." />
      </div>
      <div className="panel">
        <h2>Downstream (calls out)</h2>
        <NeighbourTable rows={downstream} testId="downstream-table" empty="No traced outgoing calls in this range." />
      </div>
    </div>
  );
}
