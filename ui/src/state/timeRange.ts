// Time ranges as the URL holds them: `now`, `now-15m`, `now-2h`, `now-7d`, or Unix milliseconds.

import { formatClock } from "../components/format";

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

export interface TimeRange {
  from: string;
  to: string;
}

export interface ResolvedRange {
  startMs: number;
  endMs: number;
}

export const DEFAULT_RANGE: TimeRange = { from: "now-1h", to: "now" };

export const PRESETS: { label: string; from: string }[] = [
  { label: "Last 5 minutes", from: "now-5m" },
  { label: "Last 15 minutes", from: "now-15m" },
  { label: "Last 30 minutes", from: "now-30m" },
  { label: "Last 1 hour", from: "now-1h" },
  { label: "Last 4 hours", from: "now-4h" },
  { label: "Last 12 hours", from: "now-12h" },
  { label: "Last 1 day", from: "now-1d" },
  { label: "Last 2 days", from: "now-2d" },
  { label: "Last 7 days", from: "now-7d" },
];

// Milliseconds for `expr` at `nowMs`, or undefined when it is not a time.
export function parseTimeExpr(expr: string, nowMs: number): number | undefined {
  const e = expr.trim();
  if (e === "now") return nowMs;
  const rel = /^now-(\d+(?:\.\d+)?)([smhdw])$/.exec(e);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]];
  if (/^\d{10,16}$/.test(e)) return Number(e);
  const iso = Date.parse(e);
  return Number.isNaN(iso) ? undefined : iso;
}

export function resolveRange(range: TimeRange, nowMs: number = Date.now()): ResolvedRange {
  const endMs = parseTimeExpr(range.to, nowMs) ?? nowMs;
  let startMs = parseTimeExpr(range.from, nowMs) ?? endMs - 3600e3;
  if (startMs >= endMs) startMs = endMs - 60e3;
  return { startMs, endMs };
}

export function isRelative(range: TimeRange): boolean {
  return range.from.startsWith("now") && range.to === "now";
}

// A step that gives about `points` buckets, rounded to a readable duration, at least 1 s.
export function niceStepMs(range: ResolvedRange, points = 120): number {
  const raw = Math.max(1000, (range.endMs - range.startMs) / points);
  const nice = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(
    (s) => s * 1000,
  );
  return nice.find((s) => s >= raw) ?? 86400e3;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// The picker's label: a preset's name, "Last 3h", or "Nov 26, 09:05:00 – Nov 26, 10:05:00" (local
// time, without Intl: see groupDigits).
export function formatRange(range: TimeRange): string {
  const preset = PRESETS.find((p) => p.from === range.from && range.to === "now");
  if (preset) return preset.label;
  if (isRelative(range) && /^now-[\d.]+[smhdw]$/.test(range.from)) return `Last ${range.from.slice(4)}`;
  const r = resolveRange(range);
  const fmt = (ms: number) => `${MONTHS[new Date(ms).getMonth()]} ${new Date(ms).getDate()}, ${formatClock(ms)}`;
  return `${fmt(r.startMs)} – ${fmt(r.endMs)}`;
}

// RFC 3339 for API parameters.
export function toApiTime(ms: number): string {
  return new Date(ms).toISOString();
}

// A typed relative range ("15m", "now-3h", "2d") as the `from` of a range ending now, or
// undefined when the text is not one.
export function parseRelativeInput(text: string): TimeRange | undefined {
  const m = /^(?:now-)?(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim().toLowerCase());
  if (!m || Number(m[1]) <= 0) return undefined;
  return { from: `now-${m[1]}${m[2]}`, to: "now" };
}

// The same-length window moved by `direction` lengths (-1 earlier, 1 later); it never ends after
// `nowMs` (moving later from the present keeps the relative range).
export function shiftRange(range: TimeRange, r: ResolvedRange, direction: number, nowMs: number = Date.now()): TimeRange {
  const len = r.endMs - r.startMs;
  let start = r.startMs + direction * len;
  let end = r.endMs + direction * len;
  if (end >= nowMs) {
    if (isRelative(range)) return range;
    end = nowMs;
    start = nowMs - len;
  }
  return { from: String(Math.round(start)), to: String(Math.round(end)) };
}

// The window `factor` times as long around the same centre (absolute), ending no later than now.
export function zoomOutRange(r: ResolvedRange, factor = 2, nowMs: number = Date.now()): TimeRange {
  const len = (r.endMs - r.startMs) * factor;
  const mid = (r.startMs + r.endMs) / 2;
  const end = Math.min(nowMs, mid + len / 2);
  return { from: String(Math.round(end - len)), to: String(Math.round(end)) };
}

// An absolute range from a chart drag (Unix ms); ranges shorter than a second are widened.
export function zoomRange(startMs: number, endMs: number): TimeRange {
  const a = Math.min(startMs, endMs);
  let b = Math.max(startMs, endMs);
  if (b - a < 1000) b = a + 1000;
  return { from: String(Math.round(a)), to: String(Math.round(b)) };
}
