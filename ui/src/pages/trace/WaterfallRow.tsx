import { memo } from "react";
import type { CriticalSegment } from "./criticalPath";
import { formatDuration, serviceColor } from "./format";
import { nanos, type TraceSpan } from "./model";

export interface WaterfallRowProps {
  row: number;
  span: TraceSpan;
  depth: number;
  top: number;
  height: number;
  totalNs: number;
  collapsed: boolean;
  // Descendants hidden by collapsing (shown as "+n").
  hiddenCount: number;
  selected: boolean;
  match: boolean;
  critical?: CriticalSegment[];
  // True while the critical path is highlighted and this span is not on it.
  dimmed: boolean;
  onToggle: (row: number) => void;
  onSelect: (row: number) => void;
}

const INDENT_PX = 14;
const MAX_INDENT_LEVELS = 30;

function pct(ns: number, totalNs: number): string {
  return `${totalNs > 0 ? (100 * ns) / totalNs : 0}%`;
}

// One span of the waterfall: tree cell (indent, toggle, service, name) and its bar on the time
// axis with events and critical-path stretches.
export const WaterfallRow = memo(function WaterfallRow(props: WaterfallRowProps) {
  const { row, span, depth, top, height, totalNs, collapsed, hiddenCount, selected, match, critical, dimmed } = props;
  const s = span.span;
  const hasChildren = span.children.length > 0;
  const color = serviceColor(s.service);
  const dur = span.endNs - span.startNs;
  const cls = ["wf-row", selected && "selected", match && "match", span.error && "error", dimmed && "critical-dim"].filter(Boolean);
  return (
    <div
      className={cls.join(" ")}
      style={{ top, height }}
      role="row"
      aria-selected={selected}
      data-row={row}
      data-span-id={span.id}
      onClick={() => props.onSelect(row)}
    >
      <div className="name-col" style={{ paddingLeft: 4 + Math.min(depth, MAX_INDENT_LEVELS) * INDENT_PX }}>
        <button
          className={`toggle${hasChildren ? "" : " leaf"}`}
          aria-label={collapsed ? "expand" : "collapse"}
          tabIndex={-1}
          onClick={(e) => {
            e.stopPropagation();
            props.onToggle(row);
          }}
        >
          {collapsed ? "▸" : "▾"}
        </button>
        <span className="svc-chip" style={{ background: color }} />
        {span.error && (
          <span className="err-mark" title={s.status.message || "error"}>
            !
          </span>
        )}
        <span className="svc">{s.service}</span>
        <span className="op" title={s.name}>
          {s.name}
        </span>
        {collapsed && hiddenCount > 0 && <span className="hidden-count">+{hiddenCount}</span>}
      </div>
      <div className="time-col">
        <div
          className="wf-bar"
          style={{ left: pct(span.startNs, totalNs), width: pct(dur, totalNs), background: color }}
          title={`${s.service} ${s.name} — ${formatDuration(dur)}`}
        />
        {critical?.map((c) => (
          <div
            key={c.startNs}
            className="wf-crit"
            style={{ left: pct(c.startNs, totalNs), width: pct(c.endNs - c.startNs, totalNs) }}
          />
        ))}
        {s.events.map((e, i) => {
          const t = Number(nanos(e.time_unix_nano) - nanos(s.start_time_unix_nano)) + span.startNs;
          return (
            <div
              key={i}
              className={`wf-event${e.name === "exception" ? " exception" : ""}`}
              style={{ left: pct(Math.min(Math.max(t, span.startNs), span.endNs), totalNs) }}
              title={e.name}
            />
          );
        })}
        <span className="wf-dur" style={{ left: `calc(${pct(span.endNs, totalNs)} + 4px)` }}>
          {formatDuration(dur)}
        </span>
      </div>
    </div>
  );
});
