import type { Span } from "../../api/types";

// One span with times relative to the trace start (ns as plain numbers: offsets inside a trace
// stay far below 2^53) and its place in the tree.
export interface TraceSpan {
  span: Span;
  id: string;
  parentId: string;
  // Index of the parent in `TraceModel.spans`, -1 for a root (or a span whose parent is missing).
  parent: number;
  children: number[];
  startNs: number;
  endNs: number;
  error: boolean;
}

// A trace ready for display: spans in tree order (depth-first, children by start time).
export interface TraceModel {
  traceId: string;
  // Absolute start of the earliest span (Unix ns).
  originNs: bigint;
  durationNs: number;
  spans: TraceSpan[];
  depth: number[];
  // Row i's subtree is rows i .. subtreeEnd[i]-1.
  subtreeEnd: number[];
  byId: Map<string, number>;
  services: string[];
  errorCount: number;
}

// A decimal Unix-nano string as a bigint (0 when malformed).
export function nanos(s: string): bigint {
  try {
    return BigInt(s);
  } catch {
    return 0n;
  }
}

// Builds the tree of `spans`. Spans whose parent is absent become roots; a parent cycle (bad
// data) is broken by treating the first span reached of it as a root. Works iteratively, so
// very deep traces cannot overflow the stack.
export function buildTraceModel(traceId: string, spans: Span[]): TraceModel {
  let origin: bigint | undefined;
  for (const s of spans) {
    const t = nanos(s.start_time_unix_nano);
    if (origin === undefined || t < origin) origin = t;
  }
  const originNs = origin ?? 0n;
  const flat: TraceSpan[] = spans.map((s) => {
    const startNs = Number(nanos(s.start_time_unix_nano) - originNs);
    const endNs = Math.max(startNs, Number(nanos(s.end_time_unix_nano) - originNs));
    return {
      span: s,
      id: s.span_id,
      parentId: s.parent_span_id,
      parent: -1,
      children: [],
      startNs,
      endNs,
      error: s.status?.code === "error",
    };
  });
  const firstIndex = new Map<string, number>();
  flat.forEach((s, i) => {
    if (!firstIndex.has(s.id)) firstIndex.set(s.id, i);
  });
  const byStart = (a: number, b: number) =>
    flat[a].startNs - flat[b].startNs || flat[a].endNs - flat[b].endNs || a - b;

  const kids: number[][] = flat.map(() => []);
  const roots: number[] = [];
  flat.forEach((s, i) => {
    const p = s.parentId ? firstIndex.get(s.parentId) : undefined;
    if (p === undefined || p === i) roots.push(i);
    else kids[p].push(i);
  });
  kids.forEach((k) => k.sort(byStart));
  roots.sort(byStart);

  // Depth-first order; spans not reached from a root sit in a cycle: start from them too.
  const order: number[] = [];
  const depthOf: number[] = [];
  const parentOf: number[] = [];
  const visited = new Uint8Array(flat.length);
  const walk = (root: number) => {
    const stack: [number, number, number][] = [[root, 0, -1]];
    while (stack.length) {
      const [i, d, p] = stack.pop()!;
      if (visited[i]) continue;
      visited[i] = 1;
      order.push(i);
      depthOf.push(d);
      parentOf.push(p);
      const k = kids[i];
      for (let j = k.length - 1; j >= 0; j--) if (!visited[k[j]]) stack.push([k[j], d + 1, i]);
    }
  };
  for (const r of roots) walk(r);
  for (let i = 0; i < flat.length; i++) if (!visited[i]) walk(i);

  const position = new Array<number>(flat.length);
  order.forEach((orig, pos) => (position[orig] = pos));
  const ordered = order.map((orig, pos) => {
    const s = flat[orig];
    s.parent = parentOf[pos] === -1 ? -1 : position[parentOf[pos]];
    return s;
  });
  ordered.forEach((s, pos) => {
    if (s.parent >= 0) ordered[s.parent].children.push(pos);
  });
  const subtreeEnd = new Array<number>(ordered.length);
  for (let i = ordered.length - 1; i >= 0; i--) {
    const c = ordered[i].children;
    subtreeEnd[i] = c.length ? subtreeEnd[c[c.length - 1]] : i + 1;
  }
  const byId = new Map<string, number>();
  ordered.forEach((s, i) => {
    if (!byId.has(s.id)) byId.set(s.id, i);
  });
  const services = Array.from(new Set(ordered.map((s) => s.span.service))).sort();
  return {
    traceId,
    originNs,
    durationNs: ordered.reduce((m, s) => Math.max(m, s.endNs), 0),
    spans: ordered,
    depth: depthOf,
    subtreeEnd,
    byId,
    services,
    errorCount: ordered.filter((s) => s.error).length,
  };
}

// Row indices shown when the spans in `collapsed` (by row index) hide their descendants.
export function visibleRows(model: TraceModel, collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const n = model.spans.length;
  for (let i = 0; i < n; ) {
    out.push(i);
    i = collapsed.has(i) ? model.subtreeEnd[i] : i + 1;
  }
  return out;
}

// Row indices of the ancestors of `row`, nearest first.
export function ancestors(model: TraceModel, row: number): number[] {
  const out: number[] = [];
  for (let p = model.spans[row]?.parent ?? -1; p >= 0; p = model.spans[p].parent) out.push(p);
  return out;
}
