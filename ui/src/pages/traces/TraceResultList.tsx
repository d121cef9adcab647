import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate } from "../../router";
import type { TraceSummary } from "../../api/types";
import { useLinkTo } from "../../state/globals";
import { formatAgo, formatDuration, formatTimestamp, serviceColor } from "../trace/format";
import { sortTraces, type SortKey, type SortSpec } from "./sortTraces";
import { groupDigits } from "../../components/format";
import { useProgressive } from "../../components/useProgressive";

export interface TraceResultListProps {
  traces: TraceSummary[];
  sort: SortSpec;
  onSort: (s: SortSpec) => void;
}

const COLUMNS: { key?: SortKey; label: string; num?: boolean }[] = [
  { key: "start", label: "Time" },
  { label: "Root service · operation" },
  { key: "duration", label: "Duration" },
  { key: "spans", label: "Spans", num: true },
  { key: "errors", label: "Errors", num: true },
  { label: "Services" },
];

// Rows in the first render: about a screenful; the rest follow right after the first paint.
const FIRST_ROWS = 20;

// Trace search results: start, root service and operation, duration bar, span and error counts,
// services; a row opens the trace. j/k (or ↑/↓ outside inputs) move a cursor, Enter opens.
export function TraceResultList({ traces, sort, onSort }: TraceResultListProps) {
  const linkTo = useLinkTo();
  const navigate = useNavigate();
  const rows = useMemo(() => sortTraces(traces, sort), [traces, sort]);
  const maxDur = Math.max(1, ...rows.map((t) => t.duration_ns));
  const [cursor, setCursor] = useState(-1);
  const shown = useProgressive(rows.length, FIRST_ROWS);
  const nowMs = Date.now();
  const state = useRef({ rows, cursor });
  state.current = { rows, cursor };

  useEffect(() => setCursor(-1), [traces]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const { rows: list, cursor: c } = state.current;
      if (list.length === 0) return;
      if (e.key === "j" || e.key === "ArrowDown") {
        e.preventDefault();
        setCursor(Math.min(list.length - 1, c + 1));
      } else if (e.key === "k" || e.key === "ArrowUp") {
        e.preventDefault();
        setCursor(Math.max(0, c - 1));
      } else if (e.key === "Enter" && c >= 0) {
        e.preventDefault();
        navigate(linkTo(`/traces/${list[c].trace_id}`));
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate, linkTo]);

  return (
    <table className="data traces-table" data-testid="trace-results">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th
              key={c.label}
              className={`${c.num ? "num" : ""}${c.key === sort.key ? " sorted" : ""}`}
              onClick={() => c.key && onSort({ key: c.key, asc: c.key === sort.key ? !sort.asc : false })}
              aria-sort={c.key === sort.key ? (sort.asc ? "ascending" : "descending") : undefined}
            >
              {c.label}
              {c.key === sort.key ? (sort.asc ? " ▲" : " ▼") : ""}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, shown).map((t, i) => {
          const href = linkTo(`/traces/${t.trace_id}`);
          let startMs = 0;
          try {
            startMs = Number(BigInt(t.start_time_unix_nano) / 1000000n);
          } catch {
            // malformed time: shown as long ago
          }
          return (
            <tr
              key={t.trace_id}
              className={`trace-row${i === cursor ? " kb" : ""}`}
              data-trace-id={t.trace_id}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest("a")) return;
                navigate(href);
              }}
            >
              <td title={formatTimestamp(t.start_time_unix_nano)}>
                <Link to={href}>{formatAgo(startMs, nowMs)}</Link>
              </td>
              <td>
                <div className="op-cell">
                  <span className="svc-chip" style={{ background: serviceColor(t.root_service) }} />
                  <b>{t.root_service || "(missing root)"}</b>
                  <span className="op" title={t.root_name}>
                    {t.root_name}
                  </span>
                </div>
              </td>
              <td>
                <div className="dur-cell">
                  <div className="dur-track">
                    <div className="dur-fill" style={{ width: `${(100 * t.duration_ns) / maxDur}%` }} />
                  </div>
                  <span className="v">{formatDuration(t.duration_ns)}</span>
                </div>
              </td>
              <td className="num">{groupDigits(t.span_count)}</td>
              <td className={`num${t.error_count ? " errors" : " muted"}`}>{t.error_count}</td>
              <td>
                <div className="svc-list">
                  {t.services.map((s) => (
                    <Link key={s} to={linkTo(`/services/${encodeURIComponent(s)}`)} className="svc-badge">
                      <span className="svc-chip" style={{ background: serviceColor(s) }} />
                      {s}
                    </Link>
                  ))}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
