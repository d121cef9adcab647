// @vitest-environment node
import { describe, expect, test } from "vitest";
import { formatStep, niceMax, toVolume } from "./histogramData";

describe("toVolume", () => {
  test("stacks levels in severity order and finds the maximum", () => {
    const v = toVolume({
      step_ns: 60e9,
      buckets: [
        { time: "2026-11-26T03:50:00Z", counts: { info: 26, error: 1 } },
        { time: "2026-11-26T03:51:00Z", counts: {} },
        { time: "2026-11-26T03:52:00Z", counts: { warn: 3, WEIRD: 2, info: 40 } },
      ],
    });
    expect(v.stepMs).toBe(60000);
    expect(v.buckets[0].counts).toEqual([0, 1, 0, 26, 0, 0, 0]);
    expect(v.buckets[1].total).toBe(0);
    expect(v.buckets[2].counts).toEqual([0, 0, 3, 40, 0, 0, 2]);
    expect(v.max).toBe(45);
    expect(v.total).toBe(72);
    expect(v.levels).toEqual(["error", "warn", "info", "unset"]);
    expect(v.buckets[1].startMs - v.buckets[0].startMs).toBe(60000);
  });
});

describe("axis helpers", () => {
  test("niceMax rounds up to 1/2/5", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(45)).toBe(50);
    expect(niceMax(120)).toBe(200);
    expect(niceMax(100)).toBe(100);
  });

  test("formatStep picks the largest whole unit", () => {
    expect(formatStep(30e3)).toBe("30s");
    expect(formatStep(300e3)).toBe("5m");
    expect(formatStep(3600e3)).toBe("1h");
    expect(formatStep(1500)).toBe("1500ms");
  });
});
