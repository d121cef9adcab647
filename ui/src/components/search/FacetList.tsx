import { useState, type MouseEvent } from "react";
import type { FacetValue } from "../../api/types";
import { formatCount } from "./format";
import { splitTerms, termField, termState, toggleTerm } from "./query";
import "./search.css";

export interface FacetGroup {
  // The facet key as the API names it (`service`, `http.route`, `@order.id`).
  field: string;
  label?: string;
  values: FacetValue[];
  // User-added groups get a remove button.
  removable?: boolean;
}

export interface FacetListProps {
  groups: FacetGroup[];
  // The current query; rows show whether their term is in it.
  query: string;
  onQueryChange: (query: string) => void;
  // Fields the search syntax knows without `@` (TRACE_FIELDS or LOG_FIELDS).
  builtinFields: readonly string[];
  loading?: boolean;
  error?: string;
  // When given, an input to add a facet for any attribute key.
  onAddField?: (field: string) => void;
  onRemoveField?: (field: string) => void;
  // Keys offered while typing a new facet (e.g. from /api/traces/attributes).
  fieldSuggestions?: { key: string; count: number }[];
  // Called when the new-facet input gets focus (to load the suggestions only when wanted).
  onAddFocus?: () => void;
}

// Values of `field` that the query filters on at top level (so an excluded value stays visible).
function queriedValues(query: string, field: string): string[] {
  const out: string[] = [];
  for (let t of splitTerms(query)) {
    if (t.startsWith("-")) t = t.slice(1);
    if (!t.startsWith(`${field}:`)) continue;
    let v = t.slice(field.length + 1);
    if (v.startsWith("<") || v.startsWith(">")) continue;
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    out.push(v);
  }
  return out;
}

// The rows of one group: the answer's values plus values the query names that the answer lacks.
export function facetRows(group: FacetGroup, query: string, builtins: readonly string[]): FacetValue[] {
  const field = termField(group.field, builtins);
  const rows = [...group.values];
  for (const v of queriedValues(query, field)) {
    if (!rows.some((r) => r.value === v)) rows.push({ value: v, count: 0 });
  }
  return rows;
}

// Facet groups with value/count rows: click a row to filter on `field:value`, Alt-click (or ⊖)
// to exclude it with `-field:value`, click again to remove; counts are drawn as bars.
export function FacetList(props: FacetListProps) {
  const { groups, query, onQueryChange, builtinFields, loading, error, onAddField, onRemoveField } = props;
  const { fieldSuggestions, onAddFocus } = props;
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const [newField, setNewField] = useState("");

  return (
    <div className="facets" data-testid="facets" aria-busy={loading || undefined}>
      {error && <div className="error-text">{error}</div>}
      {groups.map((g) => {
        const field = termField(g.field, builtinFields);
        const rows = facetRows(g, query, builtinFields);
        const max = Math.max(1, ...rows.map((r) => r.count));
        const isCollapsed = collapsed[g.field] ?? false;
        return (
          <section className="facet-group" key={g.field} data-facet={g.field}>
            <h4 onClick={() => setCollapsed({ ...collapsed, [g.field]: !isCollapsed })}>
              <span className="chev">{isCollapsed ? "▸" : "▾"}</span>
              {g.label ?? g.field}
              {g.removable && onRemoveField && (
                <button
                  className="remove"
                  title="Remove facet"
                  aria-label={`remove facet ${g.field}`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onRemoveField(g.field);
                  }}
                >
                  ×
                </button>
              )}
            </h4>
            {!isCollapsed && rows.length === 0 && <div className="facet-empty">{loading ? "…" : "no values"}</div>}
            {!isCollapsed &&
              rows.map((r) => {
                const state = termState(query, field, r.value);
                const click = (e: MouseEvent, negate: boolean) => {
                  e.stopPropagation();
                  onQueryChange(toggleTerm(query, field, r.value, negate || e.altKey));
                };
                return (
                  <div
                    key={r.value}
                    className={`facet-row${state ? ` ${state}` : ""}`}
                    role="checkbox"
                    aria-checked={state === "include"}
                    tabIndex={0}
                    title={`${field}:${r.value} — click to filter, Alt-click to exclude`}
                    onClick={(e) => click(e, false)}
                    onKeyDown={(e) => {
                      if (e.key === "Enter" || e.key === " ") {
                        e.preventDefault();
                        onQueryChange(toggleTerm(query, field, r.value, e.altKey));
                      }
                    }}
                  >
                    <span className="bar" style={{ width: `${(100 * r.count) / max}%` }} />
                    <input type="checkbox" readOnly checked={state === "include"} tabIndex={-1} aria-hidden />
                    <span className="value">{r.value === "" ? "(empty)" : r.value}</span>
                    <button
                      className="neg"
                      title={`Exclude ${field}:${r.value}`}
                      aria-label={`exclude ${r.value}`}
                      tabIndex={-1}
                      onClick={(e) => click(e, true)}
                    >
                      ⊖
                    </button>
                    <span className="count">{state === "exclude" && r.count === 0 ? "–" : formatCount(r.count)}</span>
                  </div>
                );
              })}
          </section>
        );
      })}
      {onAddField && (
        <form
          className="facet-add"
          onSubmit={(e) => {
            e.preventDefault();
            const f = newField.trim().replace(/^@/, "");
            if (f) onAddField(f);
            setNewField("");
          }}
        >
          <input
            aria-label="add facet"
            placeholder="+ facet on attribute key"
            value={newField}
            onChange={(e) => setNewField(e.target.value)}
            onFocus={onAddFocus}
            list={fieldSuggestions ? "facet-key-suggestions" : undefined}
          />
          {fieldSuggestions && (
            <datalist id="facet-key-suggestions" data-testid="facet-key-suggestions">
              {fieldSuggestions.map((k) => (
                <option key={k.key} value={k.key} label={`${k.key} (${formatCount(k.count)})`} />
              ))}
            </datalist>
          )}
        </form>
      )}
    </div>
  );
}
