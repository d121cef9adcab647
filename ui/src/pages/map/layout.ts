// Layered left-to-right layout of a directed graph (callers left of callees): cycles broken by
// a DFS, longest-path layering, then barycenter sweeps to reduce edge crossings.

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface NodePosition {
  layer: number;
  order: number;
  x: number;
  y: number;
}

export interface GraphLayout {
  positions: Map<string, NodePosition>;
  layers: string[][];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  columnGap: number;
  rowGap: number;
  sweeps: number;
}

const DEFAULTS: LayoutOptions = { nodeWidth: 170, nodeHeight: 46, columnGap: 110, rowGap: 26, sweeps: 8 };

// The edges with every cycle broken: an edge that closes a cycle in a DFS (from nodes in the
// given order) is reversed; self loops are dropped.
export function acyclicEdges(nodes: readonly string[], edges: readonly LayoutEdge[]): LayoutEdge[] {
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) if (e.from !== e.to) out.get(e.from)?.push(e.to);
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const back = new Set<string>();
  for (const root of nodes) {
    if (state.has(root)) continue;
    // Iterative DFS so deep graphs cannot overflow the stack.
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const targets = out.get(top.node) ?? [];
      if (top.next >= targets.length) {
        state.set(top.node, 2);
        stack.pop();
        continue;
      }
      const to = targets[top.next++];
      const s = state.get(to);
      if (s === 1) back.add(`${top.node}\u0000${to}`);
      else if (s === undefined) {
        state.set(to, 1);
        stack.push({ node: to, next: 0 });
      }
    }
  }
  const result: LayoutEdge[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    const d = back.has(`${e.from}\u0000${e.to}`) ? { from: e.to, to: e.from } : e;
    const key = `${d.from}\u0000${d.to}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.push(d);
    }
  }
  return result;
}

// Longest-path layering of a DAG: sources in layer 0, every node one layer right of its
// furthest caller.
export function longestPathLayers(nodes: readonly string[], dag: readonly LayoutEdge[]): Map<string, number> {
  const indeg = new Map<string, number>(nodes.map((n) => [n, 0]));
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of dag) {
    out.get(e.from)?.push(e.to);
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  }
  const layer = new Map<string, number>(nodes.map((n) => [n, 0]));
  const queue = nodes.filter((n) => indeg.get(n) === 0);
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    for (const t of out.get(n) ?? []) {
      layer.set(t, Math.max(layer.get(t) ?? 0, (layer.get(n) ?? 0) + 1));
      indeg.set(t, (indeg.get(t) ?? 0) - 1);
      if (indeg.get(t) === 0) queue.push(t);
    }
  }
  return layer;
}

// Number of crossings between edges of adjacent layers for the given orders.
export function countCrossings(layers: readonly string[][], dag: readonly LayoutEdge[]): number {
  const where = new Map<string, { layer: number; order: number }>();
  layers.forEach((l, li) => l.forEach((n, oi) => where.set(n, { layer: li, order: oi })));
  let crossings = 0;
  for (let li = 0; li + 1 < layers.length; li++) {
    const between = dag
      .map((e) => [where.get(e.from), where.get(e.to)] as const)
      .filter(([a, b]) => a && b && a.layer === li && b.layer === li + 1)
      .map(([a, b]) => [a!.order, b!.order] as const);
    for (let i = 0; i < between.length; i++) {
      for (let j = i + 1; j < between.length; j++) {
        const [a1, b1] = between[i];
        const [a2, b2] = between[j];
        if ((a1 - a2) * (b1 - b2) < 0) crossings++;
      }
    }
  }
  return crossings;
}

// Reorders each layer by the mean order of its neighbours in the layer before (down sweeps) or
// after (up sweeps), keeping the best ordering seen.
export function reduceCrossings(initial: string[][], dag: readonly LayoutEdge[], sweeps: number): string[][] {
  let layers = initial.map((l) => [...l]);
  let best = layers.map((l) => [...l]);
  let bestCount = countCrossings(best, dag);
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of dag) {
    (preds.get(e.to) ?? preds.set(e.to, []).get(e.to)!).push(e.from);
    (succs.get(e.from) ?? succs.set(e.from, []).get(e.from)!).push(e.to);
  }
  for (let s = 0; s < sweeps && bestCount > 0; s++) {
    const down = s % 2 === 0;
    const range = down ? layers.map((_, i) => i).slice(1) : layers.map((_, i) => i).reverse().slice(1);
    for (const li of range) {
      const ref = layers[down ? li - 1 : li + 1];
      const pos = new Map(ref.map((n, i) => [n, i]));
      const bary = new Map<string, number>();
      layers[li].forEach((n, i) => {
        const ns = ((down ? preds : succs).get(n) ?? []).filter((m) => pos.has(m)).map((m) => pos.get(m)!);
        bary.set(n, ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : i);
      });
      layers[li] = [...layers[li]].sort((a, b) => bary.get(a)! - bary.get(b)!);
    }
    const count = countCrossings(layers, dag);
    if (count < bestCount) {
      bestCount = count;
      best = layers.map((l) => [...l]);
    }
    layers = layers.map((l) => [...l]);
  }
  return best;
}

// Positions for every node: columns by layer, rows by order, each column centred vertically.
export function layoutGraph(
  nodes: readonly string[],
  edges: readonly LayoutEdge[],
  options: Partial<LayoutOptions> = {},
): GraphLayout {
  const o = { ...DEFAULTS, ...options };
  const sortedNodes = [...nodes].sort();
  const dag = acyclicEdges(sortedNodes, edges);
  const layerOf = longestPathLayers(sortedNodes, dag);
  const layerCount = Math.max(0, ...layerOf.values()) + (sortedNodes.length ? 1 : 0);
  const initial: string[][] = Array.from({ length: layerCount }, () => []);
  for (const n of sortedNodes) initial[layerOf.get(n)!].push(n);
  const layers = reduceCrossings(initial, dag, o.sweeps);
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const rowPitch = o.nodeHeight + o.rowGap;
  const height = Math.max(o.nodeHeight, tallest * rowPitch - o.rowGap);
  const positions = new Map<string, NodePosition>();
  layers.forEach((l, li) => {
    const top = (height - (l.length * rowPitch - o.rowGap)) / 2;
    l.forEach((n, oi) => positions.set(n, { layer: li, order: oi, x: li * (o.nodeWidth + o.columnGap), y: top + oi * rowPitch }));
  });
  const width = layerCount ? layerCount * (o.nodeWidth + o.columnGap) - o.columnGap : 0;
  return { positions, layers, width, height };
}
