import { useEffect, useRef } from "react";

export interface TraceKeyHandlers {
  up: () => void;
  down: () => void;
  left: () => void;
  right: () => void;
  escape: () => void;
}

// Keyboard navigation of the trace view (↑/↓ or k/j, ←/→ or h/l, Esc), ignored while typing.
export function useTraceKeys(handlers: TraceKeyHandlers) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) {
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const h = ref.current;
      const action: Record<string, () => void> = {
        ArrowUp: h.up,
        k: h.up,
        ArrowDown: h.down,
        j: h.down,
        ArrowLeft: h.left,
        h: h.left,
        ArrowRight: h.right,
        l: h.right,
        Escape: h.escape,
      };
      const fn = action[e.key];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
