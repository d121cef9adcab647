import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { loadHistory, pushHistory } from "./history";
import { wordAt } from "./query";
import "./search.css";

export interface SearchBarProps {
  // The committed query (usually the page's `q` URL parameter).
  value: string;
  // Called with the draft on Enter, or with "" when cleared.
  onSubmit: (query: string) => void;
  placeholder?: string;
  // Field names offered as suggestions while typing a word (`service`, `@http.route`, ...).
  fields?: readonly string[];
  // localStorage key of the recent-queries list; no history without it.
  historyKey?: string;
  // A server error about the query (shown under the input, which turns red).
  error?: string;
  autoFocus?: boolean;
}

interface Suggestion {
  text: string;
  kind: "field" | "recent";
}

// A query input in the documented search syntax: Enter submits, Esc reverts, × clears, `/`
// focuses it from anywhere; suggests field names while typing and recent queries when empty.
export function SearchBar(props: SearchBarProps) {
  const { value, onSubmit, placeholder, fields = [], historyKey, error, autoFocus } = props;
  const [draft, setDraft] = useState(value);
  const [cursor, setCursor] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [history, setHistory] = useState<string[]>(() => (historyKey ? loadHistory(historyKey) : []));
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setDraft(value), [value]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const suggestions = useMemo<Suggestion[]>(() => {
    if (!draft.trim()) return history.slice(0, 8).map((text) => ({ text, kind: "recent" as const }));
    const { word } = wordAt(draft, cursor);
    if (!word || word.includes(":") || word.includes('"')) return [];
    const lower = word.toLowerCase();
    return fields
      .filter((f) => f.toLowerCase().startsWith(lower) && f.toLowerCase() !== lower)
      .slice(0, 8)
      .map((f) => ({ text: f, kind: "field" as const }));
  }, [draft, cursor, fields, history]);

  const showMenu = open && suggestions.length > 0;

  const submit = (q: string) => {
    setOpen(false);
    if (historyKey) setHistory(pushHistory(historyKey, q));
    onSubmit(q.trim());
  };

  const accept = (s: Suggestion) => {
    if (s.kind === "recent") {
      setDraft(s.text);
      submit(s.text);
      return;
    }
    const { start } = wordAt(draft, cursor);
    const next = `${draft.slice(0, start)}${s.text}:${draft.slice(cursor)}`;
    const pos = start + s.text.length + 1;
    setDraft(next);
    setCursor(pos);
    setActive(0);
    requestAnimationFrame(() => input.current?.setSelectionRange(pos, pos));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (showMenu && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      const n = suggestions.length;
      setActive((a) => (a + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
      return;
    }
    if (showMenu && e.key === "Tab") {
      e.preventDefault();
      accept(suggestions[Math.min(active, suggestions.length - 1)]);
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      if (showMenu && suggestions[active]?.kind === "field") accept(suggestions[active]);
      else submit(draft);
      return;
    }
    if (e.key === "Escape") {
      if (showMenu) setOpen(false);
      else setDraft(value);
    }
  };

  return (
    <div className="searchbar">
      <div className="searchbar-input">
        <span className="searchbar-icon" aria-hidden>
          ⌕
        </span>
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-label="search query"
          aria-expanded={showMenu}
          aria-invalid={error ? true : undefined}
          className={error ? "invalid" : undefined}
          data-testid="search-input"
          spellCheck={false}
          autoComplete="off"
          autoFocus={autoFocus}
          placeholder={placeholder ?? "Search…   (press / to focus, Enter to run)"}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setCursor(e.target.selectionStart ?? e.target.value.length);
            setActive(0);
            setOpen(true);
          }}
          onSelect={(e) => setCursor(e.currentTarget.selectionStart ?? draft.length)}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {draft && (
          <button
            type="button"
            className="searchbar-clear"
            aria-label="clear query"
            title="Clear"
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              setDraft("");
              submit("");
              input.current?.focus();
            }}
          >
            ×
          </button>
        )}
        {showMenu && (
          <ul className="searchbar-menu" role="listbox">
            {suggestions.map((s, i) => (
              <li
                key={`${s.kind}:${s.text}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(s);
                }}
              >
                {s.kind === "field" ? `${s.text}:` : s.text}
                <span className="kind">{s.kind === "field" ? "field" : "recent"}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && (
        <div className="searchbar-error" role="alert" data-testid="search-error">
          {error}
        </div>
      )}
    </div>
  );
}
