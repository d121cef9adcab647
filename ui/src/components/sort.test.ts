import { describe, expect, it } from "vitest";
import { compareValues, formatSort, parseSort, sortRows } from "./sort";

describe("sortRows", () => {
  const rows = [
    { n: "b", v: 2 as number | null },
    { n: "a10", v: null },
    { n: "a9", v: 10 },
    { n: "c", v: 2 },
  ];
  it("sorts numbers both ways with missing values last and stable ties", () => {
    expect(sortRows(rows, (r) => r.v, false).map((r) => r.n)).toEqual(["b", "c", "a9", "a10"]);
    expect(sortRows(rows, (r) => r.v, true).map((r) => r.n)).toEqual(["a9", "b", "c", "a10"]);
  });
  it("sorts strings naturally", () => {
    expect(sortRows(rows, (r) => r.n, false).map((r) => r.n)).toEqual(["a9", "a10", "b", "c"]);
    expect(compareValues("B", "a")).toBeGreaterThan(0);
  });
  it("does not modify its input", () => {
    const copy = [...rows];
    sortRows(rows, (r) => r.v, true);
    expect(rows).toEqual(copy);
  });
});

describe("parseSort", () => {
  it("round-trips", () => {
    expect(parseSort("-p95_ms", { key: "x", desc: false })).toEqual({ key: "p95_ms", desc: true });
    expect(parseSort("name", { key: "x", desc: true })).toEqual({ key: "name", desc: false });
    expect(parseSort("", { key: "x", desc: true })).toEqual({ key: "x", desc: true });
    expect(formatSort({ key: "rate", desc: true })).toBe("-rate");
  });
});
