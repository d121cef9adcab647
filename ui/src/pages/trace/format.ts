// Series colours of the charts (TimeSeriesChart PALETTE), repeated here so the trace pages do not
// load uPlot; they read on both themes.
const SERVICE_PALETTE = ["#4c8dff", "#f5a524", "#17c964", "#f31260", "#9353d3", "#06b7db", "#ff7eb6", "#8b90a0"];

// A duration in nanoseconds as a short label: 850ns, 12µs, 3.4ms, 120ms, 1.25s, 2m 5s.
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns < 0) return "–";
  if (ns === 0) return "0";
  if (ns < 1e3) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)}ms`;
  if (ns < 60e9) return `${trim(ns / 1e9)}s`;
  const m = Math.floor(ns / 60e9);
  return `${m}m ${Math.round((ns - m * 60e9) / 1e9)}s`;
}

// Three significant digits at most, without trailing zeros: 1.25, 12.5, 125.
function trim(v: number): string {
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

// Unix ns (decimal string) as local date and time with milliseconds.
export function formatTimestamp(unixNano: string | bigint): string {
  let ms: number;
  try {
    ms = Number(BigInt(unixNano) / 1000000n);
  } catch {
    return "–";
  }
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

// "12s ago", "5m ago", "3h ago", "2d ago" for a Unix ms time before `nowMs`.
export function formatAgo(ms: number, nowMs: number = Date.now()): string {
  const s = Math.max(0, (nowMs - ms) / 1000);
  if (s < 60) return `${Math.floor(s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

// A stable colour per service name (same service, same colour on every page).
export function serviceColor(service: string): string {
  let h = 2166136261;
  for (let i = 0; i < service.length; i++) h = Math.imul(h ^ service.charCodeAt(i), 16777619);
  return SERVICE_PALETTE[(h >>> 0) % SERVICE_PALETTE.length];
}

// About `count` round tick positions in [0, totalNs] (1, 2 or 5 times a power of ten).
export function timeTicks(totalNs: number, count = 5): number[] {
  if (!(totalNs > 0)) return [0];
  const raw = totalNs / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let t = 0; t <= totalNs + step * 1e-9; t += step) out.push(t);
  return out;
}
