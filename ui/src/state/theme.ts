import { useCallback, useEffect, useState } from "react";

export type Theme = "dark" | "light";

const KEY = "periscope.theme";

// The saved theme, else the system preference, else dark.
export function initialTheme(): Theme {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(KEY) : null;
  if (saved === "dark" || saved === "light") return saved;
  if (typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: light)").matches) return "light";
  return "dark";
}

// The current theme, applied as <html data-theme> (the CSS variables follow) and remembered.
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
    window.dispatchEvent(new Event("periscope-theme"));
  }, [theme]);
  const toggle = useCallback(() => setTheme((t) => (t === "dark" ? "light" : "dark")), []);
  return [theme, toggle];
}

// A number that changes whenever the theme does, for canvases that bake colours in.
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    window.addEventListener("periscope-theme", bump);
    return () => window.removeEventListener("periscope-theme", bump);
  }, []);
  return version;
}
