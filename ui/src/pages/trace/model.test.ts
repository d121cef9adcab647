import { describe, expect, it } from "vitest";
import { ancestors, buildTraceModel, visibleRows } from "./model";
import { criticalPath, criticalRows } from "./criticalPath";
import { bigTrace, makeSpan } from "./testSpans";

describe("buildTraceModel", () => {
  it("orders spans depth-first with children by start time", () => {
    const m = buildTraceModel("t", [
      makeSpan("c2", "r", 50, 90),
      makeSpan("r", "", 0, 100),
      makeSpan("c1", "r", 10, 40),
      makeSpan("g1", "c1", 20, 30, { status: { code: "error" } }),
    ]);
    expect(m.spans.map((s) => s.id)).toEqual(["r", "c1", "g1", "c2"]);
    expect(m.depth).toEqual([0, 1, 2, 1]);
    expect(m.subtreeEnd).toEqual([4, 3, 3, 4]);
    expect(m.durationNs).toBe(100e6);
    expect(m.spans[2].startNs).toBe(20e6);
    expect(m.errorCount).toBe(1);
    expect(ancestors(m, 2)).toEqual([1, 0]);
  });

  it("makes spans with a missing parent roots and survives a parent cycle", () => {
    const m = buildTraceModel("t", [
      makeSpan("a", "missing", 5, 10),
      makeSpan("r", "", 0, 20),
      makeSpan("x", "y", 1, 2),
      makeSpan("y", "x", 1, 3),
    ]);
    expect(m.spans).toHaveLength(4);
    expect(new Set(m.spans.map((s) => s.id))).toEqual(new Set(["a", "r", "x", "y"]));
    expect(m.spans[0].id).toBe("r");
    expect(m.spans[0].parent).toBe(-1);
  });

  it("hides collapsed subtrees", () => {
    const m = buildTraceModel("t", [
      makeSpan("r", "", 0, 100),
      makeSpan("c1", "r", 10, 40),
      makeSpan("g1", "c1", 20, 30),
      makeSpan("c2", "r", 50, 90),
    ]);
    expect(visibleRows(m, new Set())).toEqual([0, 1, 2, 3]);
    expect(visibleRows(m, new Set([1]))).toEqual([0, 1, 3]);
    expect(visibleRows(m, new Set([0]))).toEqual([0]);
  });

  it("handles a 10,000-deep chain without recursion", () => {
    const spans = [makeSpan("0", "", 0, 10000)];
    for (let i = 1; i < 10000; i++) spans.push(makeSpan(String(i), String(i - 1), i * 0.1, 10000 - i * 0.1));
    const m = buildTraceModel("t", spans);
    expect(m.depth[9999]).toBe(9999);
    expect(criticalPath(m).length).toBeGreaterThan(0);
  });
});

function total(segs: { startNs: number; endNs: number }[]): number {
  return segs.reduce((a, s) => a + s.endNs - s.startNs, 0);
}

describe("criticalPath", () => {
  it("follows the last-finishing child and the parent's own time between children", () => {
    // r: 0-100; a: 10-40 (fetch), b: 45-90 (process, ends last); b has b1 60-80.
    const m = buildTraceModel("t", [
      makeSpan("r", "", 0, 100),
      makeSpan("a", "r", 10, 40),
      makeSpan("b", "r", 45, 90),
      makeSpan("b1", "b", 60, 80),
    ]);
    const segs = criticalPath(m);
    const byId = segs.map((s) => [m.spans[s.row].id, s.startNs / 1e6, s.endNs / 1e6]);
    expect(byId).toEqual([
      ["r", 90, 100],
      ["b", 80, 90],
      ["b1", 60, 80],
      ["b", 45, 60],
      ["r", 40, 45],
      ["a", 10, 40],
      ["r", 0, 10],
    ]);
    expect(total(segs)).toBe(100e6);
  });

  it("leaves out a parallel child that overlaps the one on the path", () => {
    // Two parallel calls: p1 10-50 and p2 20-80; only p2 determines the end.
    const m = buildTraceModel("t", [
      makeSpan("r", "", 0, 100),
      makeSpan("p1", "r", 10, 50),
      makeSpan("p2", "r", 20, 80),
    ]);
    const rows = criticalRows(criticalPath(m));
    expect([...rows].map((r) => m.spans[r].id).sort()).toEqual(["p2", "r"]);
  });

  it("clips a child that outlives its parent (async work)", () => {
    const m = buildTraceModel("t", [makeSpan("r", "", 0, 100), makeSpan("late", "r", 50, 300)]);
    const segs = criticalPath(m);
    expect(total(segs)).toBe(100e6);
    expect(segs[0]).toMatchObject({ row: 1, startNs: 50e6, endNs: 100e6 });
  });

  it("accounts for the whole root duration in a large trace, and handles zero-length spans", () => {
    const m = buildTraceModel("t", bigTrace(5000, 7));
    expect(total(criticalPath(m))).toBeCloseTo(m.spans[0].endNs - m.spans[0].startNs, -1);
    const z = buildTraceModel("t", [makeSpan("r", "", 0, 10), makeSpan("z", "r", 5, 5), makeSpan("z2", "r", 5, 5)]);
    expect(total(criticalPath(z))).toBe(10e6);
  });
});
