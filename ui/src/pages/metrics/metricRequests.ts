// The parameters of the explorer's chart and exemplar requests (shared by the page and the boot
// prefetch, which must ask for exactly the same thing).
import type { Params } from "../../api/client";
import type { MetricState } from "./metricQuery";

export const EXEMPLAR_LIMIT = 200;

// GET /api/metrics/query_range parameters for `state` over [start, end] with `stepMs`.
export function queryRangeParams(state: MetricState, query: string, start: string, end: string, stepMs: number): Params {
  const quantile = state.fn === "histogram_quantile";
  return {
    query,
    start,
    end,
    step: `${stepMs / 1000}s`,
    fn: state.fn,
    window: state.fn ? state.window : undefined,
    agg: quantile ? undefined : state.agg,
    by: quantile || state.agg ? state.by.join(",") : undefined,
    q: quantile ? state.q : undefined,
  };
}

// GET /api/metrics/exemplars parameters.
export function exemplarParams(query: string, start: string, end: string): Params {
  return { query, start, end, limit: EXEMPLAR_LIMIT };
}
