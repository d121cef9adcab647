import { useEffect, useRef, useState, type PointerEvent } from "react";
import { formatCount } from "../../components/search/format";
import { bucketLabel } from "./durations";
import { groupDigits } from "../../components/format";

export interface DurationHistogramProps {
  // Upper bounds in ms; counts has one more entry (above the last bound).
  bounds: number[];
  counts: number[];
  // Buckets the current query selects (highlighted).
  selected?: [number, number];
  // Called with the dragged (or clicked) bucket range, inclusive.
  onSelect: (lo: number, hi: number) => void;
  loading?: boolean;
}

// Span-duration distribution as bars over the API's buckets; drag across bars (or click one) to
// filter on that duration range.
export function DurationHistogram({ bounds, counts, selected, onSelect, loading }: DurationHistogramProps) {
  const box = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<[number, number] | undefined>();
  const dragRef = useRef(drag);
  dragRef.current = drag;
  const max = Math.max(1, ...counts);
  const n = counts.length;

  const indexAt = (clientX: number): number => {
    const rect = box.current!.getBoundingClientRect();
    const i = Math.floor(((clientX - rect.left) / Math.max(1, rect.width)) * n);
    return Math.min(n - 1, Math.max(0, i));
  };

  useEffect(() => {
    const up = () => {
      const d = dragRef.current;
      if (!d) return;
      setDrag(undefined);
      onSelect(Math.min(d[0], d[1]), Math.max(d[0], d[1]));
    };
    window.addEventListener("pointerup", up);
    return () => window.removeEventListener("pointerup", up);
  }, [onSelect]);

  const shown = drag ? ([Math.min(...drag), Math.max(...drag)] as [number, number]) : selected;
  return (
    <div className="duration-hist" aria-busy={loading || undefined}>
      <div
        className="bars"
        ref={box}
        data-testid="duration-histogram"
        onPointerDown={(e: PointerEvent) => {
          e.preventDefault();
          const i = indexAt(e.clientX);
          setDrag([i, i]);
        }}
        onPointerMove={(e: PointerEvent) => {
          if (dragRef.current) setDrag([dragRef.current[0], indexAt(e.clientX)]);
        }}
      >
        {counts.map((c, i) => {
          const inSel = shown && i >= shown[0] && i <= shown[1];
          return (
            <div
              key={i}
              className={`col${inSel ? " sel" : ""}${shown && !inSel ? " out" : ""}`}
              title={`${bucketLabel(bounds, i)}: ${groupDigits(c)} spans`}
              data-count={c}
            >
              <div className="bar" style={{ height: `${c > 0 ? Math.max(2, (100 * c) / max) : 0}%` }} />
              {c > 0 && <span className="n">{formatCount(c)}</span>}
            </div>
          );
        })}
      </div>
      <div className="labels">
        {counts.map((_, i) => (
          <span key={i}>{bucketLabel(bounds, i)}</span>
        ))}
      </div>
    </div>
  );
}
