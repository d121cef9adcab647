import { useEffect, useRef } from "react";

export interface GroupByPickerProps {
  labels: string[];
  value: string[];
  onChange: (by: string[]) => void;
  disabled?: boolean;
}

// Multi-select of the label names to group by, as a dropdown of checkboxes (closes on a click
// outside).
export function GroupByPicker({ labels, value, onChange, disabled }: GroupByPickerProps) {
  const details = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (details.current?.open && !details.current.contains(e.target as Node)) details.current.open = false;
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, []);
  const choices = Array.from(new Set([...value, ...labels.filter((l) => l !== "__name__" && l !== "le")]));
  return (
    <details ref={details} className={`groupby${disabled ? " disabled" : ""}`} data-testid="group-by">
      <summary aria-disabled={disabled}>
        by <span className="mono">{value.length ? value.join(", ") : "(everything)"}</span> ▾
      </summary>
      <div className="groupby-menu">
        {choices.length === 0 && <div className="muted">no labels</div>}
        {choices.map((l) => (
          <label key={l}>
            <input
              type="checkbox"
              checked={value.includes(l)}
              disabled={disabled}
              onChange={(e) => onChange(e.target.checked ? [...value, l] : value.filter((v) => v !== l))}
            />
            <span className="mono">{l}</span>
          </label>
        ))}
        {value.length > 0 && (
          <button className="link-button" onClick={() => onChange([])}>
            clear
          </button>
        )}
      </div>
    </details>
  );
}
