import { describe, expect, it } from "vitest";
import { findSpans, nextMatch } from "./findSpans";
import { buildTraceModel } from "./model";
import { makeSpan } from "./testSpans";

const model = buildTraceModel("t", [
  makeSpan("r", "", 0, 100, { service: "frontend", name: "GET /cart" }),
  makeSpan("a", "r", 10, 40, { service: "cart", name: "load", attributes: { "db.statement": "SELECT * FROM carts" } }),
  makeSpan("b", "r", 50, 90, { service: "payment", name: "charge" }),
]);

describe("findSpans", () => {
  it("matches names, services and attributes case-insensitively", () => {
    expect(findSpans(model, "cart")).toEqual([0, 1]);
    expect(findSpans(model, "select")).toEqual([1]);
    expect(findSpans(model, "PAYMENT")).toEqual([2]);
    expect(findSpans(model, "  ")).toEqual([]);
  });

  it("steps through matches with wrap-around", () => {
    expect(nextMatch([0, 1], -1)).toBe(0);
    expect(nextMatch([0, 1], 0)).toBe(1);
    expect(nextMatch([0, 1], 1)).toBe(0);
    expect(nextMatch([0, 2], 2, true)).toBe(0);
    expect(nextMatch([0, 2], 0, true)).toBe(2);
    expect(nextMatch([], 0)).toBeUndefined();
  });
});
