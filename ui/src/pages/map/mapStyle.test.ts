import { describe, expect, it } from "vitest";
import { edgePath, edgeWidth, errorClass } from "./mapStyle";

describe("map styling", () => {
  it("scales edge width by rate", () => {
    expect(edgeWidth(0, 10)).toBe(1.5);
    expect(edgeWidth(10, 10)).toBe(8);
    expect(edgeWidth(2.5, 10)).toBeCloseTo(1.5 + 6.5 * 0.5);
    expect(edgeWidth(5, 0)).toBe(1.5);
  });
  it("classes error rates", () => {
    expect(errorClass(0)).toBe("");
    expect(errorClass(0.02)).toBe("warn");
    expect(errorClass(0.2)).toBe("error");
    expect(errorClass(null)).toBe("");
  });
  it("draws forward edges between box sides and loops back edges below", () => {
    expect(edgePath({ x: 0, y: 0 }, { x: 300, y: 100 }, 100, 40)).toBe("M100,20 C200,20 200,120 300,120");
    expect(edgePath({ x: 300, y: 0 }, { x: 0, y: 0 }, 100, 40)).toBe("M400,20 C460,70 -60,70 0,20");
  });
});
