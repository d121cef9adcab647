import { describe, expect, it } from "vitest";
import { formatAgo, formatClock, formatCount, groupDigits, formatMs, formatNs, formatPct, formatRate, formatTime, nanosToMs } from "./format";

describe("formatMs", () => {
  it.each([
    [0.4234, "0.42ms"],
    [3.14, "3.1ms"],
    [12.6, "13ms"],
    [999, "999ms"],
    [1250, "1.25s"],
    [12500, "12.5s"],
    [125000, "2m 5s"],
  ])("%s ms is %s", (ms, text) => expect(formatMs(ms)).toBe(text));
  it("shows a dash for missing values", () => {
    expect(formatMs(null)).toBe("–");
    expect(formatMs(undefined)).toBe("–");
    expect(formatMs(NaN)).toBe("–");
    expect(formatNs(null)).toBe("–");
    expect(formatNs(2_500_000)).toBe("2.5ms");
  });
});

describe("formatPct", () => {
  it.each([
    [0, "0%"],
    [0.00005, "<0.01%"],
    [0.0005, "0.05%"],
    [0.012, "1.2%"],
    [0.25, "25%"],
    [1, "100%"],
  ])("%s is %s", (r, text) => expect(formatPct(r)).toBe(text));
});

describe("formatCount and formatRate", () => {
  it("uses k/M/G suffixes", () => {
    expect(formatCount(950)).toBe("950");
    expect(formatCount(1234)).toBe("1.2k");
    expect(formatCount(34_000)).toBe("34k");
    expect(formatCount(123_456)).toBe("123k");
    expect(formatCount(5_600_000)).toBe("5.6M");
    expect(formatCount(-2500)).toBe("-2.5k");
    expect(formatCount(2.345)).toBe("2.35");
  });
  it("formats slow rates per minute", () => {
    expect(formatRate(0)).toBe("0/s");
    expect(formatRate(0.05)).toBe("3/min");
    expect(formatRate(1.234)).toBe("1.23/s");
    expect(formatRate(2500)).toBe("2.5k/s");
  });
});

describe("times", () => {
  const now = new Date(2026, 10, 26, 12, 0, 0).getTime();
  it("formats ago", () => {
    expect(formatAgo(now - 5000, now)).toBe("5s ago");
    expect(formatAgo(now - 5 * 60e3, now)).toBe("5m ago");
    expect(formatAgo(now - 3 * 3600e3, now)).toBe("3h ago");
    expect(formatAgo(now - 2 * 86400e3, now)).toBe("2d ago");
  });
  it("shows the date only when not today", () => {
    expect(formatTime(now + 7123, now)).toBe("12:00:07.123");
    expect(formatTime(now - 86400e3, now)).toBe("2026-11-25 12:00:00.000");
  });
  it("converts nanosecond strings without losing milliseconds", () => {
    expect(nanosToMs("1795665836445123456")).toBeCloseTo(1795665836445.1235, 3);
    expect(nanosToMs("1500000")).toBe(1.5);
  });
});

describe("groupDigits and formatClock", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1,000"],
    [1234567, "1,234,567"],
    [-10000, "-10,000"],
    [1234.5, "1,234.5"],
    [Number.NaN, "–"],
  ])("groupDigits(%s) = %s", (n, want) => expect(groupDigits(n)).toBe(want));

  it("formatClock is local HH:MM:SS", () => {
    const d = new Date(2026, 0, 2, 3, 4, 5);
    expect(formatClock(d.getTime())).toBe("03:04:05");
  });
});
