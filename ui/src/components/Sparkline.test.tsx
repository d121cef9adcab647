import { describe, expect, it } from "vitest";
import { render } from "../test/dom";
import { isolatedPoints, Sparkline, sparklinePath } from "./Sparkline";

describe("sparklinePath", () => {
  it("scales points into the box with zero at the bottom", () => {
    expect(sparklinePath([[0, 0], [10, 10]], 100, 22)).toBe("M0,21 L100,1");
  });
  it("aligns to the given time extent and breaks the line at gaps", () => {
    const d = sparklinePath([[10, 1], [20, 1], [30, 1], [70, 1], [80, 1]], 100, 22, 0, 100);
    expect(d).toBe("M10,1 L20,1 L30,1 M70,1 L80,1");
  });
  it("skips missing values and returns nothing without data", () => {
    expect(sparklinePath([], 100, 22)).toBe("");
    expect(sparklinePath([[0, NaN]], 100, 22)).toBe("");
  });
});

describe("isolatedPoints", () => {
  it("finds points not joined to a line", () => {
    expect(isolatedPoints("M1,2 L3,4 M5,6")).toEqual([[5, 6]]);
    expect(isolatedPoints("M0,21")).toEqual([[0, 21]]);
    expect(isolatedPoints("")).toEqual([]);
  });
});

describe("Sparkline", () => {
  it("draws a baseline when empty and a path otherwise", () => {
    const { container, rerender } = render(<Sparkline points={[]} title="rate" />);
    expect(container.querySelector("line")).not.toBeNull();
    rerender(<Sparkline points={[[0, 1], [1, 2]]} title="rate" area />);
    expect(container.querySelectorAll("path")).toHaveLength(2);
    expect(container.querySelector("title")?.textContent).toBe("rate");
  });
});
