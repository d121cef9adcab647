import { AGGS, FNS, WINDOWS, type Agg, type Fn, type MetricState } from "./metricQuery";

export interface MetricControlsProps {
  state: MetricState;
  // The metric is a histogram bucket series (histogram_quantile applies).
  bucket: boolean;
  onChange: (state: MetricState) => void;
}

const FN_LABEL: Record<Fn, string> = { "": "raw value", rate: "rate", increase: "increase", histogram_quantile: "quantile" };
const QUANTILES = ["0.5", "0.75", "0.9", "0.95", "0.99", "0.999"];

// Function (with its window and quantile) and aggregation selects.
export function MetricControls({ state, bucket, onChange }: MetricControlsProps) {
  const quantile = state.fn === "histogram_quantile";
  return (
    <>
      <label className="control">
        fn
        <select aria-label="function" data-testid="fn" value={state.fn} onChange={(e) => onChange({ ...state, fn: e.target.value as Fn })}>
          {FNS.filter((f) => f !== "histogram_quantile" || bucket).map((f) => (
            <option key={f} value={f}>
              {FN_LABEL[f]}
            </option>
          ))}
        </select>
      </label>
      {quantile && (
        <label className="control">
          q
          <select aria-label="quantile" data-testid="quantile" value={state.q} onChange={(e) => onChange({ ...state, q: e.target.value })}>
            {Array.from(new Set([...QUANTILES, state.q])).map((q) => (
              <option key={q} value={q}>
                p{(Number(q) * 100).toString()}
              </option>
            ))}
          </select>
        </label>
      )}
      {state.fn && (
        <label className="control">
          over
          <select aria-label="window" value={state.window} onChange={(e) => onChange({ ...state, window: e.target.value })}>
            {Array.from(new Set([...WINDOWS, state.window])).map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
      )}
      {!quantile && (
        <label className="control">
          agg
          <select aria-label="aggregation" data-testid="agg" value={state.agg} onChange={(e) => onChange({ ...state, agg: e.target.value as Agg })}>
            {AGGS.map((a) => (
              <option key={a} value={a}>
                {a || "none"}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
