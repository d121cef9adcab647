import { useRef, useState } from "react";
import { formatCount } from "../../components/search/format";
import { LEVELS } from "./logFormat";
import { formatStep, niceMax, type Volume } from "./histogramData";
import { groupDigits } from "../../components/format";

export interface VolumeHistogramProps {
  volume: Volume;
  startMs: number;
  endMs: number;
  // Called with the dragged range in Unix ms.
  onZoom: (startMs: number, endMs: number) => void;
  height?: number;
}

function clockLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  const hm = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  if (spanMs > 2 * 86400e3) return `${d.getMonth() + 1}/${d.getDate()} ${hm}`;
  if (spanMs <= 10 * 60e3) return `${hm}:${String(d.getSeconds()).padStart(2, "0")}`;
  return hm;
}

// Log volume per time bucket as bars stacked by level (colours from the level CSS classes); hover
// shows the counts, dragging zooms the global time range.
export function VolumeHistogram({ volume, startMs, endMs, onZoom, height = 96 }: VolumeHistogramProps) {
  const svg = useRef<SVGSVGElement>(null);
  const [hover, setHover] = useState<number | undefined>(undefined);
  const [drag, setDrag] = useState<{ from: number; to: number } | undefined>(undefined);
  const span = Math.max(1, endMs - startMs);
  const top = niceMax(volume.max);
  const pct = (ms: number) => ((ms - startMs) / span) * 100;
  const fraction = (clientX: number) => {
    const r = svg.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
  };
  const bucketAt = (f: number) => {
    const t = startMs + f * span;
    const i = volume.buckets.findIndex((b) => t >= b.startMs && t < b.startMs + volume.stepMs);
    return i >= 0 ? i : undefined;
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => startMs + f * span);
  const hovered = hover !== undefined ? volume.buckets[hover] : undefined;
  return (
    <div className="volume" data-testid="log-volume">
      <div className="volume-axis" style={{ height }}>
        <span>{formatCount(top)}</span>
        <span>{Number.isInteger(top / 2) ? formatCount(top / 2) : ""}</span>
        <span>0</span>
      </div>
      <div className="volume-plot">
        <svg
          ref={svg}
          width="100%"
          height={height}
          role="img"
          aria-label="log volume by level"
          onMouseMove={(e) => {
            const f = fraction(e.clientX);
            setHover(bucketAt(f));
            if (drag) setDrag({ ...drag, to: f });
          }}
          onMouseLeave={() => {
            setHover(undefined);
            setDrag(undefined);
          }}
          onMouseDown={(e) => {
            const f = fraction(e.clientX);
            setDrag({ from: f, to: f });
          }}
          onMouseUp={() => {
            if (drag && Math.abs(drag.to - drag.from) > 0.005) {
              const a = Math.min(drag.from, drag.to);
              const b = Math.max(drag.from, drag.to);
              onZoom(Math.round(startMs + a * span), Math.round(startMs + b * span));
            }
            setDrag(undefined);
          }}
        >
          <line x1="0" x2="100%" y1={height / 2} y2={height / 2} className="volume-grid" />
          <line x1="0" x2="100%" y1={height - 0.5} y2={height - 0.5} className="volume-grid" />
          {volume.buckets.map((b, i) => {
            if (b.total === 0) return null;
            const x = pct(b.startMs);
            const w = Math.max(0.05, (volume.stepMs / span) * 100 * 0.8);
            let y = height;
            return (
              <g key={b.startMs} className={hover === i ? "hovered" : undefined}>
                {b.counts.map((n, li) => {
                  if (n === 0) return null;
                  const h = (n / top) * height;
                  y -= h;
                  return (
                    <rect key={li} x={`${x}%`} width={`${w}%`} y={y} height={Math.max(h, 0.5)} className={`sev-${LEVELS[li]}`} />
                  );
                })}
              </g>
            );
          })}
          {drag && (
            <rect
              className="volume-select"
              x={`${Math.min(drag.from, drag.to) * 100}%`}
              width={`${Math.abs(drag.to - drag.from) * 100}%`}
              y={0}
              height={height}
            />
          )}
        </svg>
        <div className="volume-ticks">
          {ticks.map((t, i) => (
            <span key={i} style={{ left: `${(i / (ticks.length - 1)) * 100}%` }}>
              {clockLabel(t, span)}
            </span>
          ))}
        </div>
        {hovered && (
          <div className="volume-tip" style={{ left: `${Math.min(80, pct(hovered.startMs))}%` }}>
            <div className="muted">
              {new Date(hovered.startMs).toLocaleString()} · {formatStep(volume.stepMs)}
            </div>
            {hovered.counts.map((n, li) =>
              n > 0 ? (
                <div key={li}>
                  <span className={`dot sev-bg-${LEVELS[li]}`} /> {LEVELS[li]} <b>{groupDigits(n)}</b>
                </div>
              ) : null,
            )}
            {hovered.total === 0 && <div className="muted">no logs</div>}
          </div>
        )}
      </div>
    </div>
  );
}
