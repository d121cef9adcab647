import { describe, expect, it, vi } from "vitest";

// uPlot reads matchMedia when loaded; jsdom has none.
vi.hoisted(() => {
  window.matchMedia ??= ((query: string) =>
    ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }) as unknown as MediaQueryList);
});
const { alignSeries, stackBands } = await import("./TimeSeriesChart");

describe("alignSeries", () => {
  it("aligns series on one sorted axis in seconds with nulls for missing points", () => {
    const data = alignSeries(
      [
        { label: "a", points: [[2000, 1], [1000, 2]] },
        { label: "b", points: [[3000, 5]] },
      ],
      false,
    );
    expect(data).toEqual([[1, 2, 3], [2, 1, null], [null, null, 5]]);
  });

  it("stacks each series on the ones before it", () => {
    const data = alignSeries(
      [
        { label: "a", points: [[1000, 1], [2000, 2]] },
        { label: "b", points: [[1000, 10], [3000, 5]] },
        { label: "c", points: [[2000, 100]] },
      ],
      true,
    );
    expect(data).toEqual([[1, 2, 3], [1, 2, null], [11, 2, 5], [11, 102, 5]]);
  });
});

describe("stackBands", () => {
  it("bands each stacked series down to the one below it", () => {
    expect(stackBands(3)).toEqual([{ series: [2, 1] }, { series: [3, 2] }]);
  });

  it("has no band for one series", () => {
    expect(stackBands(1)).toEqual([]);
    expect(stackBands(0)).toEqual([]);
  });
});
