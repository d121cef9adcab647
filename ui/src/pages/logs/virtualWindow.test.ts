// @vitest-environment node
import { describe, expect, test } from "vitest";
import { scrollToRow, visibleRange } from "./virtualWindow";

describe("visibleRange", () => {
  test("covers the viewport plus overscan, clamped to the list", () => {
    expect(visibleRange(0, 240, 24, 1000, 5)).toEqual({ first: 0, last: 15 });
    expect(visibleRange(2400, 240, 24, 1000, 5)).toEqual({ first: 95, last: 115 });
    expect(visibleRange(23900, 240, 24, 1000, 5)).toEqual({ first: 990, last: 999 });
    expect(visibleRange(0, 240, 24, 0)).toEqual({ first: 0, last: -1 });
  });
});

describe("scrollToRow", () => {
  test("scrolls only when the row is outside the viewport", () => {
    expect(scrollToRow(240, 240, 24, 12)).toBe(240);
    expect(scrollToRow(240, 240, 24, 5)).toBe(120);
    expect(scrollToRow(240, 240, 24, 25)).toBe(384);
  });
});
