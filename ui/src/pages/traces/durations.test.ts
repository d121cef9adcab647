import { describe, expect, it } from "vitest";
import {
  bucketLabel,
  durationLiteral,
  parseDurationMs,
  queryDurationRange,
  selectedBuckets,
  selectionTerms,
} from "./durations";

const B = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];

describe("duration literals", () => {
  it("parse and print", () => {
    expect(parseDurationMs("250ms")).toBe(250);
    expect(parseDurationMs("1.5s")).toBe(1500);
    expect(parseDurationMs("2m")).toBe(120000);
    expect(parseDurationMs("300us")).toBeCloseTo(0.3);
    expect(parseDurationMs("5000000")).toBe(5);
    expect(parseDurationMs("fast")).toBeUndefined();
    expect(durationLiteral(500)).toBe("500ms");
    expect(durationLiteral(2000)).toBe("2s");
    expect(durationLiteral(60000)).toBe("1m");
    expect(bucketLabel(B, 0)).toBe("≤1ms");
    expect(bucketLabel(B, 15)).toBe(">1m");
  });
});

describe("histogram selection", () => {
  it("turns dragged buckets into duration terms", () => {
    expect(selectionTerms(B, 5, 7)).toEqual(["duration:>20ms", "duration:<=200ms"]);
    expect(selectionTerms(B, 7, 5)).toEqual(["duration:>20ms", "duration:<=200ms"]);
    expect(selectionTerms(B, 0, 2)).toEqual(["duration:<=5ms"]);
    expect(selectionTerms(B, 14, 15)).toEqual(["duration:>30s"]);
    expect(selectionTerms(B, 0, 15)).toEqual([]);
  });

  it("reads the selection back from the query", () => {
    const q = "service:a duration:>20ms duration:<=200ms";
    expect(queryDurationRange(q)).toEqual({ minMs: 20, maxMs: 200 });
    expect(selectedBuckets(B, q)).toEqual([5, 7]);
    expect(selectedBuckets(B, "duration:>30s")).toEqual([14, 15]);
    expect(selectedBuckets(B, "duration:>300ms")).toEqual([8, 15]);
    expect(selectedBuckets(B, "service:a")).toBeUndefined();
  });
});
