import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { Link } from "../../router";
import type { LogRow } from "../../api/types";
import { useLinkTo } from "../../state/globals";
import { bodyLine, formatLogTime, normalLevel } from "./logFormat";
import { scrollToRow, visibleRange } from "./virtualWindow";

export const ROW_HEIGHT = 24;

export interface LogListProps {
  rows: LogRow[];
  selected: number | undefined;
  onSelect: (index: number | undefined) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  // Shown at the end of the list when there are no more rows ("" for nothing).
  endText: string;
}

// The log rows (time, level, service, body), newest first, virtualised: only the rows in view are
// in the DOM. Scrolling near the end loads the next page. Keys: ↑/↓ or k/j move the selection,
// Esc closes it.
export function LogList({ rows, selected, onSelect, hasMore, loadingMore, onLoadMore, endText }: LogListProps) {
  const linkTo = useLinkTo();
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 600);
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

  const { first, last } = visibleRange(scrollTop, height, ROW_HEIGHT, rows.length);

  useEffect(() => {
    if (hasMore && !loadingMore && last >= rows.length - 30) onLoadMore();
  }, [hasMore, loadingMore, last, rows.length, onLoadMore]);

  useEffect(() => {
    const el = box.current;
    if (!el || selected === undefined) return;
    const target = scrollToRow(el.scrollTop, el.clientHeight || height, ROW_HEIGHT, selected);
    if (target !== el.scrollTop) el.scrollTop = target;
  }, [selected, height]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    if (e.key === "ArrowDown" || e.key === "j") {
      e.preventDefault();
      onSelect(selected === undefined ? 0 : Math.min(rows.length - 1, selected + 1));
    } else if (e.key === "ArrowUp" || e.key === "k") {
      e.preventDefault();
      onSelect(selected === undefined ? 0 : Math.max(0, selected - 1));
    } else if (e.key === "Escape") {
      onSelect(undefined);
    }
  };

  const visible = rows.slice(first, last + 1);
  return (
    <div
      className="loglist"
      ref={box}
      tabIndex={0}
      role="grid"
      aria-rowcount={rows.length}
      aria-label="log rows"
      data-testid="log-list"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div className="loglist-spacer" style={{ height: rows.length * ROW_HEIGHT + (endText || hasMore ? ROW_HEIGHT * 1.5 : 0) }}>
        {visible.map((r, k) => {
          const i = first + k;
          const level = normalLevel(r.level);
          return (
            <div
              key={i}
              role="row"
              aria-rowindex={i + 1}
              aria-selected={selected === i}
              className={`logrow${selected === i ? " selected" : ""} lvl-${level}`}
              style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
              onClick={() => onSelect(selected === i ? undefined : i)}
              data-testid="log-row"
            >
              <span className="logrow-time mono">{formatLogTime(r.time)}</span>
              <span className={`logrow-level level-${level}`}>
                <span className={`level-pill sev-bg-${level}`} />
                {(r.severity || level).toUpperCase()}
              </span>
              <span className="logrow-service">
                {r.service ? (
                  <Link to={linkTo(`/services/${encodeURIComponent(r.service)}`)} onClick={(e) => e.stopPropagation()}>
                    {r.service}
                  </Link>
                ) : (
                  <span className="muted">–</span>
                )}
              </span>
              <span className="logrow-body mono" title={typeof r.body === "string" ? r.body : undefined}>
                {bodyLine(r.body)}
              </span>
            </div>
          );
        })}
        {(hasMore || endText) && (
          <div className="loglist-end" style={{ top: rows.length * ROW_HEIGHT }}>
            {hasMore ? (
              <button onClick={onLoadMore} disabled={loadingMore} data-testid="load-more">
                {loadingMore ? "Loading…" : "Load more"}
              </button>
            ) : (
              <span className="muted">{endText}</span>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
