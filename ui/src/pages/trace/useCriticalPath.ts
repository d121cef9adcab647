import { useEffect, useMemo, useState } from "react";
import { criticalPath, type CriticalSegment } from "./criticalPath";
import type { TraceModel } from "./model";

// Traces with more spans than this get their critical path after the first paint.
export const DEFER_CRITICAL_SPANS = 2000;

// The critical-path segments of `model` by row.
export function criticalByRow(model: TraceModel): Map<number, CriticalSegment[]> {
  const byRow = new Map<number, CriticalSegment[]>();
  for (const seg of criticalPath(model)) {
    const list = byRow.get(seg.row);
    if (list) list.push(seg);
    else byRow.set(seg.row, [seg]);
  }
  return byRow;
}

// The critical path of `model` by row while `enabled`, else undefined. For a large trace it is
// computed in a task after the waterfall's first paint (undefined until then), so the first
// screen of spans does not wait for a walk of the whole tree.
export function useCriticalPath(model: TraceModel | undefined, enabled: boolean): Map<number, CriticalSegment[]> | undefined {
  const large = (model?.spans.length ?? 0) > DEFER_CRITICAL_SPANS;
  const now = useMemo(() => (model && enabled && !large ? criticalByRow(model) : undefined), [model, enabled, large]);
  const [later, setLater] = useState<{ model: TraceModel; byRow: Map<number, CriticalSegment[]> }>();
  useEffect(() => {
    if (!model || !enabled || !large || later?.model === model) return;
    const timer = setTimeout(() => setLater({ model, byRow: criticalByRow(model) }), 0);
    return () => clearTimeout(timer);
  }, [model, enabled, large, later]);
  if (!enabled || !model) return undefined;
  return large ? (later?.model === model ? later.byRow : undefined) : now;
}
