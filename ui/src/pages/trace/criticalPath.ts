import type { TraceModel } from "./model";

// A stretch of time during which a span is on the critical path (ns relative to the trace start).
export interface CriticalSegment {
  row: number;
  startNs: number;
  endNs: number;
}

// The critical path of a trace: the chain of work that determines when the trace ends. Starting
// at the root that ends last, walk back from its end: the child that finished last (before the
// current point) is on the path, recursively, and the parent's own time between children is too
// (the algorithm of Jaeger's UI). Children are clipped to their parent's interval; children
// starting after the parent's end are ignored. Returns segments, latest first; their lengths sum
// to the root's duration.
export function criticalPath(model: TraceModel): CriticalSegment[] {
  const spans = model.spans;
  if (spans.length === 0) return [];
  let root = -1;
  for (let i = 0; i < spans.length; i++) {
    if (spans[i].parent === -1 && (root === -1 || spans[i].endNs > spans[root].endNs)) root = i;
  }
  if (root === -1) return [];

  // Clipped intervals, computed top-down as the path descends.
  const clipStart = new Float64Array(spans.length);
  const clipEnd = new Float64Array(spans.length);
  clipStart[root] = spans[root].startNs;
  clipEnd[root] = spans[root].endNs;
  // Per span: its children ordered by clipped end (latest first) and a cursor into that list.
  const sortedKids: (number[] | undefined)[] = new Array(spans.length);
  const nextKid = new Int32Array(spans.length);
  const kidsOf = (i: number): number[] => {
    let list = sortedKids[i];
    if (list) return list;
    const s0 = clipStart[i];
    const e0 = clipEnd[i];
    list = [];
    for (const c of spans[i].children) {
      if (spans[c].startNs > e0 || spans[c].endNs < s0) continue;
      clipStart[c] = Math.max(spans[c].startNs, s0);
      clipEnd[c] = Math.min(spans[c].endNs, e0);
      list.push(c);
    }
    list.sort((a, b) => clipEnd[b] - clipEnd[a] || clipStart[b] - clipStart[a]);
    sortedKids[i] = list;
    return list;
  };

  const out: CriticalSegment[] = [];
  let cur = root;
  let cursor = spans[root].endNs;
  for (;;) {
    const list = kidsOf(cur);
    let k = nextKid[cur];
    // Children ending after the cursor overlap work already on the path: skip them for good
    // (the cursor only moves back in time for this span).
    while (k < list.length && clipEnd[list[k]] > cursor) k++;
    if (k < list.length) {
      const child = list[k];
      nextKid[cur] = k + 1;
      const childEnd = clipEnd[child];
      if (childEnd < cursor) out.push({ row: cur, startNs: childEnd, endNs: cursor });
      cur = child;
      cursor = childEnd;
      continue;
    }
    nextKid[cur] = k;
    const start = clipStart[cur];
    if (start < cursor) out.push({ row: cur, startNs: start, endNs: cursor });
    if (cur === root) break;
    cursor = start;
    cur = spans[cur].parent;
  }
  return out;
}

// Row indices that appear on the critical path.
export function criticalRows(segments: CriticalSegment[]): Set<number> {
  return new Set(segments.map((s) => s.row));
}
