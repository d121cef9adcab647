import { useEffect, useRef } from "react";

// Keyboard shortcuts of the console: two-key "g x" sequences go to a page, single keys act.
export interface Shortcut {
  keys: string; // "g s", "t", "?"
  description: string;
  run: () => void;
}

// True when the key event comes from a field the user types into.
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || !(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable === true;
}

// Given the keys pressed so far (the pending prefix plus `key`), the shortcut they complete, or
// "prefix" when they start one, or undefined.
export function matchShortcut(shortcuts: Shortcut[], pending: string, key: string): Shortcut | "prefix" | undefined {
  const typed = pending ? `${pending} ${key}` : key;
  const exact = shortcuts.find((s) => s.keys === typed);
  if (exact) return exact;
  return shortcuts.some((s) => s.keys.startsWith(`${typed} `)) ? "prefix" : undefined;
}

// Listens for `shortcuts` on the window while mounted; ignored while typing or with modifiers.
export function useShortcuts(shortcuts: Shortcut[]): void {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    let pending = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      const m = matchShortcut(ref.current, pending, e.key);
      clearTimeout(timer);
      if (m === "prefix") {
        pending = pending ? `${pending} ${e.key}` : e.key;
        timer = setTimeout(() => (pending = ""), 1200);
        return;
      }
      pending = "";
      if (m) {
        e.preventDefault();
        m.run();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("keydown", onKey);
    };
  }, []);
}
