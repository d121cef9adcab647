import { describe, expect, it } from "vitest";
import { formatAgo, formatDuration, serviceColor, timeTicks } from "./format";

describe("formatDuration", () => {
  it("picks the unit by magnitude", () => {
    expect(formatDuration(850)).toBe("850ns");
    expect(formatDuration(12_300)).toBe("12.3µs");
    expect(formatDuration(3_456_000)).toBe("3.46ms");
    expect(formatDuration(120_000_000)).toBe("120ms");
    expect(formatDuration(1_250_000_000)).toBe("1.25s");
    expect(formatDuration(125e9)).toBe("2m 5s");
    expect(formatDuration(-1)).toBe("–");
  });
});

describe("formatAgo", () => {
  it("counts back from now", () => {
    expect(formatAgo(1000, 13_000)).toBe("12s ago");
    expect(formatAgo(0, 5 * 60e3)).toBe("5m ago");
    expect(formatAgo(0, 3 * 3600e3)).toBe("3h ago");
  });
});

describe("timeTicks", () => {
  it("gives round steps covering the range", () => {
    expect(timeTicks(100e6, 5)).toEqual([0, 20e6, 40e6, 60e6, 80e6, 100e6]);
    expect(timeTicks(7e6, 5)).toEqual([0, 2e6, 4e6, 6e6]);
    expect(timeTicks(0)).toEqual([0]);
  });
});

describe("serviceColor", () => {
  it("is stable per service", () => {
    expect(serviceColor("checkout")).toBe(serviceColor("checkout"));
    expect(serviceColor("checkout")).toMatch(/^#/);
  });
});
