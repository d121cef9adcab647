import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import { filterNames } from "./filterNames";

export interface MetricPickerProps {
  value: string;
  names: string[];
  loading?: boolean;
  onChange: (metric: string) => void;
}

// A searchable metric-name picker: type to filter, ↑/↓ to move, Enter to pick, Esc to cancel.
export function MetricPicker({ value, names, loading, onChange }: MetricPickerProps) {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const hits = useMemo(() => filterNames(names, filter), [names, filter]);

  const pick = (name: string) => {
    setOpen(false);
    setFilter("");
    input.current?.blur();
    if (name !== value) onChange(name);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      const n = Math.max(1, hits.length);
      setActive((a) => (a + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const hit = hits[active] ?? (names.includes(filter.trim()) ? filter.trim() : undefined);
      if (hit) pick(hit);
    } else if (e.key === "Escape") {
      setOpen(false);
      setFilter("");
      input.current?.blur();
    }
  };

  return (
    <div className="metric-picker">
      <input
        ref={input}
        role="combobox"
        aria-expanded={open}
        aria-label="metric"
        data-testid="metric-picker"
        spellCheck={false}
        autoComplete="off"
        className="mono"
        placeholder={loading ? "loading metrics…" : `metric (${names.length} names) — type to search`}
        value={open ? filter : value}
        onFocus={() => {
          setOpen(true);
          setFilter("");
          setActive(0);
        }}
        onBlur={() => setOpen(false)}
        onChange={(e) => {
          setFilter(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
      />
      {open && (
        <ul className="picker-menu" role="listbox" data-testid="metric-options">
          {hits.length === 0 && <li className="muted">{loading ? "loading…" : "no metric matches"}</li>}
          {hits.map((n, i) => (
            <li
              key={n}
              role="option"
              aria-selected={i === active}
              className={`mono${n === value ? " current" : ""}`}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(n);
              }}
              onMouseEnter={() => setActive(i)}
            >
              {n}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
