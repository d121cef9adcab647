import { describe, expect, it } from "vitest";
import {
  formatRange,
  niceStepMs,
  parseRelativeInput,
  parseTimeExpr,
  resolveRange,
  shiftRange,
  zoomOutRange,
  zoomRange,
} from "./timeRange";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe("parseTimeExpr", () => {
  it("reads relative, absolute and RFC 3339 times", () => {
    expect(parseTimeExpr("now", NOW)).toBe(NOW);
    expect(parseTimeExpr("now-15m", NOW)).toBe(NOW - 15 * 60e3);
    expect(parseTimeExpr("now-2d", NOW)).toBe(NOW - 2 * 86400e3);
    expect(parseTimeExpr("1795665836445", NOW)).toBe(1795665836445);
    expect(parseTimeExpr("2026-11-26T11:00:00Z", NOW)).toBe(NOW - 3600e3);
    expect(parseTimeExpr("yesterday-ish", NOW)).toBeUndefined();
  });
});

describe("resolveRange", () => {
  it("falls back to the last hour and never returns an empty range", () => {
    expect(resolveRange({ from: "garbage", to: "now" }, NOW)).toEqual({ startMs: NOW - 3600e3, endMs: NOW });
    expect(resolveRange({ from: "now", to: "now-1h" }, NOW).startMs).toBeLessThan(NOW - 3600e3);
  });
  it("picks readable steps", () => {
    expect(niceStepMs({ startMs: 0, endMs: 3600e3 })).toBe(30e3);
    expect(niceStepMs({ startMs: 0, endMs: 60e3 })).toBe(1e3);
  });
});

describe("range moves", () => {
  it("reads typed relative ranges", () => {
    expect(parseRelativeInput("15m")).toEqual({ from: "now-15m", to: "now" });
    expect(parseRelativeInput(" now-3H ")).toEqual({ from: "now-3h", to: "now" });
    expect(parseRelativeInput("0m")).toBeUndefined();
    expect(parseRelativeInput("3 hours")).toBeUndefined();
  });
  it("shifts a window and never past now", () => {
    const r = { startMs: NOW - 3600e3, endMs: NOW };
    expect(shiftRange({ from: "now-1h", to: "now" }, r, -1, NOW)).toEqual({
      from: String(NOW - 7200e3),
      to: String(NOW - 3600e3),
    });
    expect(shiftRange({ from: "now-1h", to: "now" }, r, 1, NOW)).toEqual({ from: "now-1h", to: "now" });
    const past = { startMs: NOW - 7200e3, endMs: NOW - 3000e3 };
    expect(shiftRange({ from: "a", to: "b" }, past, 1, NOW)).toEqual({ from: String(NOW - 4200e3), to: String(NOW) });
  });
  it("zooms out around the centre and in from a drag", () => {
    const r = { startMs: NOW - 4 * 3600e3, endMs: NOW - 2 * 3600e3 };
    expect(zoomOutRange(r, 2, NOW)).toEqual({ from: String(NOW - 5 * 3600e3), to: String(NOW - 3600e3) });
    expect(zoomOutRange({ startMs: NOW - 3600e3, endMs: NOW }, 2, NOW)).toEqual({
      from: String(NOW - 7200e3),
      to: String(NOW),
    });
    expect(zoomRange(2000, 1000)).toEqual({ from: "1000", to: "2000" });
    expect(zoomRange(1000, 1200)).toEqual({ from: "1000", to: "2000" });
  });
  it("labels presets by name", () => {
    expect(formatRange({ from: "now-12h", to: "now" })).toBe("Last 12 hours");
    expect(formatRange({ from: "now-3h", to: "now" })).toBe("Last 3h");
    const start = new Date(2026, 10, 26, 9, 5, 0).getTime();
    expect(formatRange({ from: String(start), to: String(start + 3600e3) })).toBe("Nov 26, 09:05:00 – Nov 26, 10:05:00");
  });
});
