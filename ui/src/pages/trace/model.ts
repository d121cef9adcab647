import type { Span } from "../../api/types";

// One span with times relative to the trace start (ns as plain numbers: offsets inside a trace
// stay far below 2^53) and its place in the tree.
export interface TraceSpan {
  span: Span;
  id: string;
  parentId: string;
  // Index of the parent in `TraceModel.spans`, -1 for a root (or a span whose parent is missing).
  parent: number;
  // Indexes of the children in `TraceModel.spans` (leaves share one empty list).
  children: readonly number[];
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

const NO_CHILDREN: readonly number[] = Object.freeze([]);

// A decimal Unix-nano string as a bigint (0 when malformed).
export function nanos(s: string): bigint {
  try {
    return BigInt(s);
  } catch {
    return 0n;
  }
}

// Span times already known as offsets (a decoded compact trace): `startNs[i]`/`endNs[i]` are span
// i's times in ns after `originNs`.
export interface SpanTimes {
  originNs: bigint;
  startNs: ArrayLike<number>;
  endNs: ArrayLike<number>;
}

// Builds the tree of `spans` (times from `times` when given, else parsed from the spans). Spans
// whose parent is absent become roots; a parent cycle (bad data) is broken by treating the first
// span reached of it as a root. Works iteratively, so very deep traces cannot overflow the stack.
export function buildTraceModel(traceId: string, spans: Span[], times?: SpanTimes): TraceModel {
  // Works on typed arrays and index lists rather than an object per step: a trace is built once,
  // mostly by not-yet-optimised code, so what counts is how little it allocates.
  const n = spans.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  let originNs = 0n;
  if (times) {
    originNs = times.originNs;
    for (let i = 0; i < n; i++) {
      start[i] = times.startNs[i];
      end[i] = Math.max(start[i], times.endNs[i]);
    }
  } else {
    const parsed = spans.map((s) => nanos(s.start_time_unix_nano));
    for (let i = 0; i < n; i++) if (i === 0 || parsed[i] < originNs) originNs = parsed[i];
    for (let i = 0; i < n; i++) {
      start[i] = Number(parsed[i] - originNs);
      end[i] = Math.max(start[i], Number(nanos(spans[i].end_time_unix_nano) - originNs));
    }
  }

  const firstIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (!firstIndex.has(spans[i].span_id)) firstIndex.set(spans[i].span_id, i);
  }
  // Children of each span as a slice of `kidList` (kidStart[p] .. kidStart[p + 1]).
  const parentOfOrig = new Int32Array(n);
  const kidStart = new Int32Array(n + 1);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    const pid = spans[i].parent_span_id;
    const p = pid ? firstIndex.get(pid) : undefined;
    if (p === undefined || p === i) {
      parentOfOrig[i] = -1;
      roots.push(i);
    } else {
      parentOfOrig[i] = p;
      kidStart[p + 1]++;
    }
  }
  for (let i = 0; i < n; i++) kidStart[i + 1] += kidStart[i];
  const fill = kidStart.slice(0, n);
  const kidList = new Int32Array(n);
  for (let i = 0; i < n; i++) if (parentOfOrig[i] >= 0) kidList[fill[parentOfOrig[i]]++] = i;
  const byStart = (a: number, b: number) => start[a] - start[b] || end[a] - end[b] || a - b;
  for (let p = 0; p < n; p++) {
    if (kidStart[p + 1] - kidStart[p] > 1) kidList.subarray(kidStart[p], kidStart[p + 1]).sort(byStart);
  }
  roots.sort(byStart);

  // Depth-first order; spans not reached from a root sit in a cycle: start from them too.
  const order = new Int32Array(n);
  const depthOf = new Int32Array(n);
  const parentOf = new Int32Array(n);
  let count = 0;
  const visited = new Uint8Array(n);
  const stackNode = new Int32Array(n + 1);
  const stackDepth = new Int32Array(n + 1);
  const stackParent = new Int32Array(n + 1);
  const walk = (root: number) => {
    stackNode[0] = root;
    stackDepth[0] = 0;
    stackParent[0] = -1;
    let top = 1;
    while (top > 0) {
      top--;
      const i = stackNode[top];
      if (visited[i]) continue;
      visited[i] = 1;
      order[count] = i;
      depthOf[count] = stackDepth[top];
      parentOf[count] = stackParent[top];
      count++;
      const d = stackDepth[top] + 1;
      for (let j = kidStart[i + 1] - 1; j >= kidStart[i]; j--) {
        const k = kidList[j];
        if (visited[k]) continue;
        stackNode[top] = k;
        stackDepth[top] = d;
        stackParent[top] = i;
        top++;
      }
    }
  };
  for (const r of roots) walk(r);
  for (let i = 0; i < n; i++) if (!visited[i]) walk(i);

  const position = new Int32Array(n);
  for (let pos = 0; pos < n; pos++) position[order[pos]] = pos;
  const ordered: TraceSpan[] = new Array(n);
  const services = new Set<string>();
  let durationNs = 0;
  let errorCount = 0;
  // Children by position: a parent's children are its kids' positions in increasing order.
  const childLists: number[][] = new Array(n);
  for (let pos = 0; pos < n; pos++) {
    const p = parentOf[pos] === -1 ? -1 : position[parentOf[pos]];
    if (p >= 0) (childLists[p] ??= []).push(pos);
  }
  for (let pos = 0; pos < n; pos++) {
    const orig = order[pos];
    const s = spans[orig];
    const error = s.status?.code === "error";
    ordered[pos] = {
      span: s,
      id: s.span_id,
      parentId: s.parent_span_id,
      parent: parentOf[pos] === -1 ? -1 : position[parentOf[pos]],
      children: childLists[pos] ?? NO_CHILDREN,
      startNs: start[orig],
      endNs: end[orig],
      error,
    };
    services.add(s.service);
    if (end[orig] > durationNs) durationNs = end[orig];
    if (error) errorCount++;
  }
  const subtreeEnd = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const c = ordered[i].children;
    subtreeEnd[i] = c.length ? subtreeEnd[c[c.length - 1]] : i + 1;
  }
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!byId.has(ordered[i].id)) byId.set(ordered[i].id, i);
  return {
    traceId,
    originNs,
    durationNs,
    spans: ordered,
    depth: Array.from(depthOf),
    subtreeEnd,
    byId,
    services: Array.from(services).sort(),
    errorCount,
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
