// @vitest-environment node
import { describe, expect, test } from "vitest";
import type { Exemplar, MetricSeries } from "../../api/types";
import { parseExemplarId, placeExemplars } from "./exemplarMarkers";

const T = 1_795_665_000_000;
const series: MetricSeries[] = [
  { labels: { service: "cart" }, points: [[T, 2], [T + 60000, 3]] },
  { labels: { service: "checkout" }, points: [[T, 10], [T + 60000, 20]] },
];
const ex = (service: string, time: number, value = 1): Exemplar => ({
  labels: { __name__: "calls", service, span_name: "x" },
  time,
  value,
  trace_id: "a".repeat(32),
  span_id: "b".repeat(16),
});
const opts = { ownValue: false, stacked: false, stepMs: 60000, startMs: T - 60000, endMs: T + 120000 };

describe("placeExemplars", () => {
  test("snaps to the nearest point of the series the exemplar belongs to", () => {
    const m = placeExemplars([ex("checkout", T + 50000)], series, opts);
    expect(m).toEqual([{ time: T + 50000, value: 20, id: `${"a".repeat(32)}:${"b".repeat(16)}` }]);
  });

  test("stacked charts add the series below", () => {
    const m = placeExemplars([ex("checkout", T + 1000)], series, { ...opts, stacked: true });
    expect(m[0].value).toBe(12);
  });

  test("quantile charts use the exemplar's own value", () => {
    const m = placeExemplars([ex("cart", T, 0.25)], series, { ...opts, ownValue: true });
    expect(m[0].value).toBe(0.25);
  });

  test("exemplars of other series or outside the range are left out", () => {
    expect(placeExemplars([ex("payment", T)], series, opts)).toEqual([]);
    expect(placeExemplars([ex("cart", T + 10 * 60000)], series, opts)).toEqual([]);
  });

  test("ids split back into trace and span", () => {
    expect(parseExemplarId("abc:def")).toEqual({ traceId: "abc", spanId: "def" });
  });
});
