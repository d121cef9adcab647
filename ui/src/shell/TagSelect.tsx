import { useApi } from "../api/useApi";

export interface TagSelectProps {
  // The unified tag: env or version.
  tag: "env" | "version";
  value: string;
  onChange: (value: string) => void;
  // Only values seen together with this env (for version).
  env?: string;
}

// A selector of one unified tag's values, read from the span metrics' label values.
export function TagSelect({ tag, value, onChange, env }: TagSelectProps) {
  const match = env ? `traces_spanmetrics_calls_total{env="${env.replace(/(["\\])/g, "\\$1")}"}` : undefined;
  const values = useApi<{ values: string[] }>("/api/metrics/labels", { name: tag, match });
  const options = values.data?.values ?? [];
  return (
    <label className="tag-select">
      <span className="muted">{tag}</span>
      <select aria-label={tag} value={value} onChange={(e) => onChange(e.target.value)} data-testid={`${tag}-select`}>
        <option value="">all</option>
        {value && !options.includes(value) && <option value={value}>{value}</option>}
        {options.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}
