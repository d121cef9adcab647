import { useState } from "react";
import { useApi } from "../../api/useApi";
import type { MatchOp, Matcher } from "./metricQuery";

export interface LabelFiltersProps {
  metric: string;
  // Label names of the metric's series.
  labels: string[];
  matchers: Matcher[];
  onChange: (matchers: Matcher[]) => void;
}

const OPS: MatchOp[] = ["=", "!=", "=~", "!~"];

// Label matchers as removable chips, and a form to add one with the label's values suggested
// (from /api/metrics/labels?name=…&match=<metric>).
export function LabelFilters({ metric, labels, matchers, onChange }: LabelFiltersProps) {
  const [adding, setAdding] = useState(false);
  const [label, setLabel] = useState("");
  const [op, setOp] = useState<MatchOp>("=");
  const [value, setValue] = useState("");
  const values = useApi<{ values: string[] }>(adding && label ? "/api/metrics/labels" : null, { name: label, match: metric });
  const choices = labels.filter((l) => l !== "__name__");

  const submit = () => {
    if (!label) return;
    onChange([...matchers.filter((m) => !(m.label === label && m.op === op)), { label, op, value }]);
    setAdding(false);
    setValue("");
  };

  return (
    <div className="label-filters" data-testid="label-filters">
      {matchers.map((m, i) => (
        <span key={`${m.label}${m.op}${m.value}`} className="chip mono" data-testid="matcher">
          {m.label}
          {m.op}"{m.value}"
          <button
            className="chip-x"
            aria-label={`remove filter ${m.label}`}
            onClick={() => onChange(matchers.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </span>
      ))}
      {!adding ? (
        <button onClick={() => setAdding(true)} data-testid="add-filter" disabled={choices.length === 0}>
          + filter
        </button>
      ) : (
        <form
          className="matcher-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") setAdding(false);
          }}
        >
          <select aria-label="filter label" value={label} onChange={(e) => setLabel(e.target.value)} autoFocus>
            <option value="">label…</option>
            {choices.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          <select aria-label="filter operator" value={op} onChange={(e) => setOp(e.target.value as MatchOp)}>
            {OPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {op === "=" || op === "!=" ? (
            <select aria-label="filter value" value={value} onChange={(e) => setValue(e.target.value)} disabled={!label}>
              <option value="">{values.loading ? "loading…" : "value…"}</option>
              {(values.data?.values ?? []).map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          ) : (
            <input aria-label="filter regex" className="mono" placeholder="regex" value={value} onChange={(e) => setValue(e.target.value)} />
          )}
          <button type="submit" disabled={!label}>
            Add
          </button>
          <button type="button" onClick={() => setAdding(false)}>
            Cancel
          </button>
        </form>
      )}
    </div>
  );
}
