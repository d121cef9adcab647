import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { CriticalSegment } from "./criticalPath";
import { formatDuration, timeTicks } from "./format";
import type { TraceModel } from "./model";
import { WaterfallRow } from "./WaterfallRow";

export const ROW_HEIGHT = 24;
// Rows rendered above and below the viewport.
const OVERSCAN = 12;
// Used before the body has been measured (and in jsdom, which has no layout).
const FALLBACK_VIEWPORT = 900;

export interface WaterfallProps {
  model: TraceModel;
  // Row indices in display order (collapsed subtrees left out).
  visible: number[];
  collapsed: ReadonlySet<number>;
  selected: number;
  onToggle: (row: number) => void;
  onSelect: (row: number) => void;
  // Critical-path stretches by row; highlighted when given.
  critical?: Map<number, CriticalSegment[]>;
  // Rows matching the find box (highlighted).
  matches?: ReadonlySet<number>;
}

// The first and one-past-last positions of `visible` to render for a scroll offset.
export function windowRange(count: number, scrollTop: number, viewport: number): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  return [first, Math.max(first, last)];
}

// The trace waterfall: a time axis with ticks and a virtualised list of span rows (only the rows
// in view are in the DOM, so a 10,000-span trace scrolls smoothly).
export function Waterfall(props: WaterfallProps) {
  const { model, visible, collapsed, selected, onToggle, onSelect, critical, matches } = props;
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(FALLBACK_VIEWPORT);
  const totalNs = model.durationNs;
  const ticks = useMemo(() => timeTicks(totalNs, 6), [totalNs]);

  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = () => setViewport(el.clientHeight || FALLBACK_VIEWPORT);
    // The observer's first call comes after layout: reading the height here would force a
    // layout of the whole page in the middle of the first render.
    if (typeof ResizeObserver === "undefined") {
      measure();
      return;
    }
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Keeps the selected row in view (keyboard navigation, deep links).
  const position = useMemo(() => visible.indexOf(selected), [visible, selected]);
  useEffect(() => {
    const el = body.current;
    if (!el || position < 0) return;
    const top = position * ROW_HEIGHT;
    const height = el.clientHeight || viewport;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + height) el.scrollTop = top + ROW_HEIGHT - height;
    setScrollTop(el.scrollTop);
  }, [position, viewport]);

  const onScroll = useCallback(() => {
    if (body.current) setScrollTop(body.current.scrollTop);
  }, []);

  const [first, last] = windowRange(visible.length, scrollTop, viewport);
  const rows = [];
  for (let p = first; p < last; p++) {
    const row = visible[p];
    const isCollapsed = collapsed.has(row);
    rows.push(
      <WaterfallRow
        key={row}
        row={row}
        span={model.spans[row]}
        depth={model.depth[row]}
        top={p * ROW_HEIGHT}
        height={ROW_HEIGHT}
        totalNs={totalNs}
        collapsed={isCollapsed}
        hiddenCount={isCollapsed ? model.subtreeEnd[row] - row - 1 : 0}
        selected={row === selected}
        match={matches?.has(row) ?? false}
        critical={critical?.get(row)}
        dimmed={critical !== undefined && !critical.has(row)}
        onToggle={onToggle}
        onSelect={onSelect}
      />,
    );
  }

  return (
    <div className="waterfall" data-testid="waterfall" role="grid" aria-rowcount={visible.length}>
      <div className="wf-axis">
        <div className="name-col">
          Service / operation
          <span className="wf-hint">↑↓ select · ←→ fold</span>
        </div>
        <div className="time-col">
          {ticks.map((t, i) => (
            <span
              key={t}
              className={`tick${i === 0 ? " first" : ""}${i === ticks.length - 1 && t >= totalNs * 0.95 ? " last" : ""}`}
              style={{ left: `${totalNs > 0 ? (100 * t) / totalNs : 0}%` }}
            >
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <div className="wf-body" ref={body} onScroll={onScroll} data-testid="waterfall-body">
        <div className="wf-content" style={{ height: visible.length * ROW_HEIGHT }}>
          <div className="wf-grid" style={{ left: 0, right: 0 }}>
            <div className="name-col" style={{ borderRight: "none" }} />
            <div className="time-col">
              {ticks.map((t) => (
                <div key={t} className="wf-gridline" style={{ left: `${totalNs > 0 ? (100 * t) / totalNs : 0}%` }} />
              ))}
            </div>
          </div>
          {rows}
        </div>
      </div>
    </div>
  );
}
