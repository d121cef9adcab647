import { formatValue } from "../../components/TimeSeriesChart";
import { seriesStats } from "./seriesStats";
import type { Point } from "../../api/types";

export interface LegendEntry {
  key: string;
  name: string;
  color: string;
  points: Point[];
  hidden: boolean;
}

export interface SeriesLegendProps {
  entries: LegendEntry[];
  unit: string | undefined;
  onToggle: (key: string) => void;
  // Shows only this series (click again on an isolated series to show all).
  onIsolate: (key: string) => void;
}

// The chart's legend as a table (series labels, last / avg / max); click toggles a series,
// Alt-click (or double-click) shows it alone.
export function SeriesLegend({ entries, unit, onToggle, onIsolate }: SeriesLegendProps) {
  return (
    <table className="data legend" data-testid="series-legend">
      <thead>
        <tr>
          <th>series</th>
          <th className="num">last</th>
          <th className="num">avg</th>
          <th className="num">max</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => {
          const s = seriesStats(e.points);
          return (
            <tr
              key={e.key}
              className={e.hidden ? "hidden-series" : undefined}
              onClick={(ev) => (ev.altKey ? onIsolate(e.key) : onToggle(e.key))}
              onDoubleClick={() => onIsolate(e.key)}
              title="Click to hide or show; double-click to show only this series"
            >
              <td className="mono">
                <span className="swatch" style={{ background: e.color }} />
                {e.name}
              </td>
              <td className="num">{formatValue(s.last, unit)}</td>
              <td className="num">{formatValue(s.avg, unit)}</td>
              <td className="num">{formatValue(s.max, unit)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
