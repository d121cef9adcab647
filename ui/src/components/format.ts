// Number formatting shared by every page: durations, percentages, rates and counts.

// A latency in milliseconds: "0.42ms", "12ms", "1.25s", "2m 5s"; "–" when missing.
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return "–";
  const a = Math.abs(ms);
  if (a < 1) return `${ms.toFixed(2)}ms`;
  if (a < 10) return `${ms.toFixed(1)}ms`;
  if (a < 1000) return `${Math.round(ms)}ms`;
  if (a < 60e3) return `${(ms / 1000).toFixed(a < 10e3 ? 2 : 1)}s`;
  const m = Math.floor(a / 60e3);
  const s = Math.round((a - m * 60e3) / 1000);
  return `${ms < 0 ? "-" : ""}${m}m ${s}s`;
}

// A duration in nanoseconds, formatted like formatMs.
export function formatNs(ns: number | null | undefined): string {
  return ns == null ? "–" : formatMs(ns / 1e6);
}

// A ratio in [0, 1] as a percentage: "0%", "0.05%", "1.2%", "12%".
export function formatPct(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return "–";
  const p = ratio * 100;
  if (p === 0) return "0%";
  const a = Math.abs(p);
  if (a < 0.01) return "<0.01%";
  if (a < 1) return `${p.toFixed(2)}%`;
  if (a < 10) return `${p.toFixed(1)}%`;
  return `${Math.round(p)}%`;
}

// A count with k/M/G suffixes: "950", "1.2k", "34k", "5.6M".
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return "–";
  const a = Math.abs(n);
  const unit = (v: number, s: string) => `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${s}`;
  if (a >= 1e9) return (n < 0 ? "-" : "") + unit(a / 1e9, "G");
  if (a >= 1e6) return (n < 0 ? "-" : "") + unit(a / 1e6, "M");
  if (a >= 1e3) return (n < 0 ? "-" : "") + unit(a / 1e3, "k");
  return Number.isInteger(n) ? String(n) : n.toFixed(a >= 10 ? 0 : 2);
}

// A per-second rate: "12.3/s", "1.2k/s", "0.05/s", "4.2/min" for slow ones.
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return "–";
  if (perSecond === 0) return "0/s";
  if (Math.abs(perSecond) < 0.1) return `${Number((perSecond * 60).toFixed(1))}/min`;
  if (Math.abs(perSecond) < 10) return `${Number(perSecond.toFixed(2))}/s`;
  return `${formatCount(perSecond)}/s`;
}

// How long ago `ms` was, relative to `nowMs`: "12s ago", "5m ago", "3h ago", "2d ago".
export function formatAgo(ms: number, nowMs: number = Date.now()): string {
  const d = Math.max(0, nowMs - ms);
  if (d < 60e3) return `${Math.round(d / 1000)}s ago`;
  if (d < 3600e3) return `${Math.round(d / 60e3)}m ago`;
  if (d < 86400e3) return `${Math.round(d / 3600e3)}h ago`;
  return `${Math.round(d / 86400e3)}d ago`;
}

// A local wall-clock time with milliseconds, "14:03:07.123", with the date when not today.
export function formatTime(ms: number, nowMs: number = Date.now()): string {
  const d = new Date(ms);
  const pad = (v: number, w = 2) => String(v).padStart(w, "0");
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const today = new Date(nowMs);
  if (d.toDateString() === today.toDateString()) return clock;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock}`;
}

// Unix nanoseconds (decimal string) to milliseconds.
export function nanosToMs(nanos: string | number): number {
  if (typeof nanos === "number") return nanos / 1e6;
  return nanos.length > 6 ? Number(nanos.slice(0, -6)) + Number(nanos.slice(-6)) / 1e6 : Number(nanos) / 1e6;
}

// An integer with thousands separators ("12,345"), without Intl: the first Intl call of a page
// loads locale data, which costs tens of milliseconds of a cold first render.
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const [int, frac] = String(Math.abs(n)).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 ? "-" : ""}${grouped}${frac ? `.${frac}` : ""}`;
}

// Local wall-clock time "HH:MM:SS" (24 h), without Intl.
export function formatClock(ms: number): string {
  const d = new Date(ms);
  const pad = (v: number) => String(v).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
