import { Link } from "../../router";
import type { Exemplar } from "../../api/types";
import { useLinkTo } from "../../state/globals";
import { formatClock } from "../../components/format";

export interface ExemplarListProps {
  exemplars: Exemplar[];
  // Labels worth a column (the grouping labels); others are left out.
  labels: string[];
  formatValue: (v: number) => string;
}

function clock(ms: number): string {
  return formatClock(ms);
}

// Recent exemplars of the charted metric, newest first, each a link to its trace and span.
export function ExemplarList({ exemplars, labels, formatValue }: ExemplarListProps) {
  const linkTo = useLinkTo();
  return (
    <table className="data" data-testid="exemplar-list">
      <thead>
        <tr>
          <th>time</th>
          {labels.map((l) => (
            <th key={l}>{l}</th>
          ))}
          <th className="num">value</th>
          <th>trace</th>
        </tr>
      </thead>
      <tbody>
        {exemplars.map((e, i) => (
          <tr key={`${e.trace_id}${e.span_id}${i}`}>
            <td className="mono">{clock(e.time)}</td>
            {labels.map((l) => (
              <td key={l}>{e.labels[l] ?? ""}</td>
            ))}
            <td className="num">{formatValue(e.value)}</td>
            <td>
              <Link className="mono" to={linkTo(`/traces/${e.trace_id}`, { span: e.span_id })} data-testid="exemplar-link">
                {e.trace_id.slice(0, 16)}…
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
