// Formatting of log rows for the explorer: levels, times, bodies.

// Levels in display order, most severe first (stacking order of the volume histogram).
export const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "unset"] as const;

// A known level name, or "unset" for anything else.
export function normalLevel(level: string | undefined): string {
  const l = (level ?? "").toLowerCase();
  return (LEVELS as readonly string[]).includes(l) ? l : "unset";
}

// Unix milliseconds of an RFC 3339 time (nanosecond digits are dropped).
export function timeMs(rfc3339: string): number {
  return Date.parse(rfc3339);
}

// Unix nanoseconds, as a decimal string, of an RFC 3339 time with up to 9 fraction digits.
export function timeNs(rfc3339: string): string | undefined {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(rfc3339);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const frac = (m[2] ?? "").padEnd(9, "0");
  return (BigInt(seconds) * 1000000n + BigInt(frac)).toString();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// `Nov 26 06:12:01.123` in local time; milliseconds taken from the string so none are rounded.
export function formatLogTime(rfc3339: string): string {
  const ms = timeMs(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const d = new Date(ms);
  const frac = /\.(\d{1,3})/.exec(rfc3339)?.[1]?.padEnd(3, "0") ?? "000";
  return `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${frac}`;
}

// A body on one line: strings as they are, structured bodies as compact JSON.
export function bodyLine(body: unknown): string {
  if (body === null || body === undefined) return "";
  if (typeof body === "string") return body.replace(/\s*\n\s*/g, " ⏎ ");
  return JSON.stringify(body);
}

// A body for the detail panel: JSON (a structured body, or a string holding a JSON object or
// array) indented, anything else as it is.
export function prettyBody(body: unknown): { text: string; json: boolean } {
  if (body === null || body === undefined) return { text: "", json: false };
  if (typeof body !== "string") return { text: JSON.stringify(body, null, 2), json: true };
  const trimmed = body.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true };
    } catch {
      // not JSON after all
    }
  }
  return { text: body, json: false };
}

// An attribute value as text: strings bare, everything else as JSON.
export function attrText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
