import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Point } from "../api/types";
import { useThemeVersion } from "../state/theme";

export interface ChartSeries {
  label: string;
  points: Point[];
  // A colour, or a theme variable name such as "--error" (resolved when drawing).
  color?: string;
}

export interface TimeSeriesChartProps {
  series: ChartSeries[];
  height?: number;
  stacked?: boolean;
  bars?: boolean;
  unit?: string;
  // Called with the dragged range in Unix ms (zoom by dragging).
  onZoom?: (startMs: number, endMs: number) => void;
  // Extra points drawn as dots on top (e.g. exemplars); clicking one calls onPointClick.
  markers?: { time: number; value: number; id: string }[];
  onMarkerClick?: (id: string) => void;
  title?: string;
  // The x extent in Unix ms (normally the global range), so sparse series keep a sane axis.
  xRange?: [number, number];
}

export const PALETTE = ["#4c8dff", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b7db", "#ff7eb6", "#8b90a0"];

// Aligns series on a shared, sorted time axis (seconds for uPlot); missing points are null.
export function alignSeries(series: ChartSeries[], stacked: boolean): uPlot.AlignedData {
  const times = Array.from(new Set(series.flatMap((s) => s.points.map((p) => p[0])))).sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s.points) col[index.get(t)!] = v;
    return col;
  });
  if (stacked) {
    for (let i = 1; i < columns.length; i++) {
      for (let j = 0; j < times.length; j++) columns[i][j] = (columns[i][j] ?? 0) + (columns[i - 1][j] ?? 0);
    }
  }
  return [times.map((t) => t / 1000), ...columns] as uPlot.AlignedData;
}

// uPlot bands for `count` stacked series (uPlot indices 1..count, each the running sum of the ones
// below): each series' fill is clipped to the series under it instead of reaching down to zero,
// so the translucent fills do not paint over each other.
export function stackBands(count: number): uPlot.Band[] {
  const bands: uPlot.Band[] = [];
  for (let i = 2; i <= count; i++) bands.push({ series: [i, i - 1] });
  return bands;
}

function cssVar(name: string, fallback: string): string {
  if (typeof window === "undefined") return fallback;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

// A uPlot time-series chart that resizes with its container; drag to zoom.
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { series, height = 180, stacked = false, bars = false, unit, onZoom, markers, onMarkerClick, xRange } = props;
  const xStart = xRange?.[0];
  const xEnd = xRange?.[1];
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const markerClickRef = useRef(onMarkerClick);
  markerClickRef.current = onMarkerClick;
  const themeVersion = useThemeVersion();

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const axisColor = cssVar("--muted", "#8b90a0");
    const gridColor = cssVar("--grid", "#262a36");
    const data = alignSeries(series, stacked);
    // Legend and cursor values of a stacked chart are each series' own, not the running sum.
    const raw = stacked ? alignSeries(series, false) : data;
    const markerSeries = markers && markers.length > 0;
    const plotData: uPlot.AlignedData = data;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: series.length > 1 },
      cursor: { drag: { x: true, y: false, setScale: false } },
      bands: stacked ? stackBands(series.length) : undefined,
      scales: {
        x: {
          time: true,
          range: (_u, min, max) =>
            xStart !== undefined && xEnd !== undefined
              ? [xStart / 1000, xEnd / 1000]
              : min === max
                ? [min - 60, max + 60]
                : [min, max],
        },
        ...(stacked ? { y: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.05 : 1] as uPlot.Range.MinMax } } : {}),
      },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } },
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor },
          size: 60,
          values: (_u, vals) => vals.map((v) => formatValue(v, unit)),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => {
          const color = s.color?.startsWith("--") ? cssVar(s.color, PALETTE[i % PALETTE.length]) : (s.color ?? PALETTE[i % PALETTE.length]);
          return {
            label: s.label,
            stroke: color,
            width: 1.5,
            fill: stacked || bars ? color + "55" : undefined,
            paths: bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined,
            points: { show: s.points.length < 3 },
            value: (_u: uPlot, _v: number | null, si: number, di: number | null) => {
              const v = di == null ? null : (raw[si]?.[di] ?? null);
              return v == null ? "–" : formatValue(v, unit);
            },
          };
        }),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const start = u.posToVal(u.select.left, "x") * 1000;
            const end = u.posToVal(u.select.left + u.select.width, "x") * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomRef.current?.(Math.round(start), Math.round(end));
          },
        ],
        draw: markerSeries
          ? [
              (u) => {
                const ctx = u.ctx;
                ctx.save();
                ctx.fillStyle = cssVar("--accent2", "#f5a524");
                for (const m of markers!) {
                  const x = u.valToPos(m.time / 1000, "x", true);
                  const y = u.valToPos(m.value, "y", true);
                  ctx.beginPath();
                  ctx.arc(x, y, 4 * devicePixelRatio, 0, 2 * Math.PI);
                  ctx.fill();
                }
                ctx.restore();
              },
            ]
          : [],
      },
    };
    const u = new uPlot(opts, plotData, el);
    plot.current = u;
    const onClick = (ev: MouseEvent) => {
      if (!markers || !markerClickRef.current) return;
      const rect = u.over.getBoundingClientRect();
      const x = ev.clientX - rect.left;
      const y = ev.clientY - rect.top;
      let best: { id: string; d: number } | undefined;
      for (const m of markers) {
        const d = Math.hypot(u.valToPos(m.time / 1000, "x") - x, u.valToPos(m.value, "y") - y);
        if (d < 8 && (!best || d < best.d)) best = { id: m.id, d };
      }
      if (best) markerClickRef.current(best.id);
    };
    u.over.addEventListener("click", onClick);
    const observer = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.over.removeEventListener("click", onClick);
      u.destroy();
      plot.current = null;
    };
  }, [series, height, stacked, bars, unit, markers, themeVersion, xStart, xEnd]);

  return (
    <div className="chart">
      {props.title && <div className="chart-title">{props.title}</div>}
      <div ref={container} data-testid="chart" style={{ minHeight: height }} />
    </div>
  );
}

export function formatValue(v: number, unit?: string): string {
  if (!Number.isFinite(v)) return "–";
  if (unit === "%") return `${(v * 100).toFixed(v < 0.01 && v > 0 ? 2 : 1)}%`;
  if (unit === "ms") return v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(v < 10 ? 1 : 0)}ms`;
  const a = Math.abs(v);
  const s = a >= 1e9 ? `${(v / 1e9).toFixed(1)}G` : a >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : a >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : a >= 10 || a === 0 ? v.toFixed(0) : v.toFixed(2);
  return unit ? `${s}${unit}` : s;
}
