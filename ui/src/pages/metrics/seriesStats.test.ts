// @vitest-environment node
import { describe, expect, test } from "vitest";
import { displayUnit, scalePoints, seriesStats, topSeries } from "./seriesStats";

describe("seriesStats", () => {
  test("last, average and maximum", () => {
    expect(seriesStats([[1, 2], [2, 6], [3, 1]])).toEqual({ last: 1, avg: 3, max: 6 });
    expect(Number.isNaN(seriesStats([]).last)).toBe(true);
  });

  test("topSeries keeps the highest peaks", () => {
    const s = [1, 5, 3].map((v, i) => ({ labels: { i: String(i) }, points: [[0, v]] as [number, number][] }));
    const { shown, dropped } = topSeries(s, 2);
    expect(shown.map((x) => x.labels.i)).toEqual(["1", "2"]);
    expect(dropped).toBe(1);
    expect(topSeries(s, 5).dropped).toBe(0);
  });

  test("displayUnit turns second quantiles into ms and rates into /s", () => {
    expect(displayUnit("traces_spanmetrics_latency_bucket", "histogram_quantile")).toEqual({ scale: 1000, unit: "ms" });
    expect(displayUnit("x_total", "rate")).toEqual({ scale: 1, unit: "/s" });
    expect(displayUnit("queue_size", "")).toEqual({ scale: 1, unit: undefined });
    expect(scalePoints([[1, 0.25]], 1000)).toEqual([[1, 250]]);
  });
});
