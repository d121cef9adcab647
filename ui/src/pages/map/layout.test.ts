import { describe, expect, it } from "vitest";
import { acyclicEdges, countCrossings, layoutGraph, longestPathLayers, reduceCrossings } from "./layout";

const e = (from: string, to: string) => ({ from, to });

describe("layering", () => {
  it("puts callers left of callees by the longest path", () => {
    const nodes = ["user", "frontend", "checkout", "payment", "db"];
    const edges = [e("user", "frontend"), e("frontend", "checkout"), e("checkout", "payment"), e("frontend", "db"), e("payment", "db")];
    const layers = longestPathLayers(nodes, edges);
    expect(Object.fromEntries(layers)).toEqual({ user: 0, frontend: 1, checkout: 2, payment: 3, db: 4 });
  });
  it("breaks cycles and drops self loops", () => {
    const nodes = ["a", "b", "c"];
    const dag = acyclicEdges(nodes, [e("a", "b"), e("b", "c"), e("c", "a"), e("b", "b"), e("a", "b")]);
    expect(dag).toEqual([e("a", "b"), e("b", "c"), e("a", "c")]);
    const layers = longestPathLayers(nodes, dag);
    expect([layers.get("a"), layers.get("b"), layers.get("c")]).toEqual([0, 1, 2]);
  });
  it("handles a long chain without recursion limits", () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => `n${i}`);
    const edges = nodes.slice(1).map((n, i) => e(nodes[i], n));
    expect(longestPathLayers(nodes, acyclicEdges(nodes, edges)).get("n4999")).toBe(4999);
  });
});

describe("crossing reduction", () => {
  it("untangles two crossed pairs", () => {
    const dag = [e("a", "y"), e("b", "x")];
    const initial = [["a", "b"], ["x", "y"]];
    expect(countCrossings(initial, dag)).toBe(1);
    const better = reduceCrossings(initial, dag, 4);
    expect(countCrossings(better, dag)).toBe(0);
  });
  it("never makes an ordering worse", () => {
    const dag = [e("a", "x"), e("a", "y"), e("b", "x"), e("b", "y"), e("c", "z")];
    const initial = [["a", "b", "c"], ["x", "y", "z"]];
    const start = countCrossings(initial, dag);
    expect(countCrossings(reduceCrossings(initial, dag, 6), dag)).toBeLessThanOrEqual(start);
  });
});

describe("layoutGraph", () => {
  it("gives every node a position in its column, without overlaps", () => {
    const nodes = ["frontend", "cart", "checkout", "payment", "inventory", "user"];
    const edges = [e("user", "frontend"), e("frontend", "cart"), e("frontend", "checkout"), e("checkout", "payment"), e("checkout", "inventory"), e("cart", "inventory")];
    const g = layoutGraph(nodes, edges, { nodeWidth: 100, columnGap: 50, nodeHeight: 40, rowGap: 10 });
    expect(g.positions.size).toBe(6);
    expect(g.positions.get("user")!.x).toBe(0);
    expect(g.positions.get("frontend")!.x).toBe(150);
    expect(g.positions.get("inventory")!.layer).toBe(3);
    const seen = new Set([...g.positions.values()].map((p) => `${p.x}/${p.y}`));
    expect(seen.size).toBe(6);
    expect(g.width).toBe(4 * 150 - 50);
    expect(g.height).toBe(2 * 50 - 10);
    expect(countCrossings(g.layers, acyclicEdges([...nodes].sort(), edges))).toBe(0);
  });
  it("lays out an empty graph", () => {
    expect(layoutGraph([], [])).toMatchObject({ width: 0, layers: [] });
  });
});
