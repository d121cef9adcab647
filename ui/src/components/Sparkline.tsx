import type { Point } from "../api/types";

export interface SparklineProps {
  points: Point[];
  // The x extent in Unix ms, so sparklines of one table share a time axis.
  startMs?: number;
  endMs?: number;
  width?: number;
  height?: number;
  // CSS colour, normally a theme variable such as "var(--accent)".
  color?: string;
  // Fill the area under the line.
  area?: boolean;
  title?: string;
  testId?: string;
}

// The SVG path of `points` scaled into width×height (y grows downwards, zero at the bottom);
// a gap in time (more than 1.5× the usual spacing) breaks the line.
export function sparklinePath(
  points: Point[],
  width: number,
  height: number,
  startMs?: number,
  endMs?: number,
): string {
  const valid = points.filter((p) => p[1] != null && Number.isFinite(p[1])).sort((a, b) => a[0] - b[0]);
  if (valid.length === 0) return "";
  const x0 = startMs ?? valid[0][0];
  const x1 = endMs ?? valid[valid.length - 1][0];
  const span = x1 - x0 || 1;
  const max = Math.max(...valid.map((p) => p[1]));
  const min = Math.min(0, ...valid.map((p) => p[1]));
  const yspan = max - min || 1;
  const pad = 1;
  const x = (t: number) => ((t - x0) / span) * width;
  const y = (v: number) => pad + (1 - (v - min) / yspan) * (height - 2 * pad);
  let gap = Infinity;
  if (valid.length > 2) {
    const steps = valid.slice(1).map((p, i) => p[0] - valid[i][0]);
    gap = Math.min(...steps) * 1.5;
  }
  const r = (v: number) => Math.round(v * 10) / 10;
  return valid
    .map((p, i) => `${i === 0 || p[0] - valid[i - 1][0] > gap ? "M" : "L"}${r(x(p[0]))},${r(y(p[1]))}`)
    .join(" ");
}

// The points of `path` that are not joined to any other (an "M" not followed by an "L").
export function isolatedPoints(path: string): [number, number][] {
  const parts = path.split(" ");
  return parts
    .filter((p, i) => p.startsWith("M") && !(parts[i + 1] ?? "").startsWith("L"))
    .map((p) => p.slice(1).split(",").map(Number) as [number, number]);
}

// A tiny line chart for table cells; no axes, theme colours; lone points are drawn as dots.
export function Sparkline(props: SparklineProps) {
  const { points, startMs, endMs, width = 100, height = 22, color = "var(--accent)", area = false, title } = props;
  const d = sparklinePath(points, width, height, startMs, endMs);
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={title}
      data-testid={props.testId}
    >
      {title && <title>{title}</title>}
      {d === "" ? (
        <line x1={0} x2={width} y1={height - 1} y2={height - 1} stroke="var(--grid)" />
      ) : (
        <>
          {area && <path d={`${d} V${height} H0 Z`} fill={color} opacity={0.15} stroke="none" />}
          <path d={d} fill="none" stroke={color} strokeWidth={1.2} vectorEffect="non-scaling-stroke" />
          {isolatedPoints(d).map(([x, y]) => (
            <circle key={`${x},${y}`} cx={x} cy={y} r={1.6} fill={color} />
          ))}
        </>
      )}
    </svg>
  );
}
