import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

// Where the app is: the path and query of the URL.
export interface Location {
  pathname: string;
  search: string;
  hash: string;
}

export interface NavigateOptions {
  replace?: boolean;
}

// What the routers give the hooks: the rendered location, the latest one (updated synchronously
// by navigate, so several updates in one event compose) and navigation.
export interface RouterValue {
  location: Location;
  latest: () => Location;
  navigate: (to: string, options?: NavigateOptions) => void;
}

export const RouterContext = createContext<RouterValue | null>(null);

// The router of the closest BrowserRouter or MemoryRouter; throws outside of one.
export function useRouter(): RouterValue {
  const router = useContext(RouterContext);
  if (!router) throw new Error("router hooks need a BrowserRouter or MemoryRouter above them");
  return router;
}

// `to` ("/path?query#hash", or "?query" for the current path) resolved against `from`.
export function resolveTo(to: string, from: Location): Location {
  const url = new URL(to, `http://x${from.pathname}${from.search}`);
  return { pathname: url.pathname, search: url.search, hash: url.hash };
}

function sameLocation(a: Location, b: Location): boolean {
  return a.pathname === b.pathname && a.search === b.search && a.hash === b.hash;
}

function useRouterValue(initial: Location, write: (to: Location, replace: boolean) => void) {
  const [location, setLocation] = useState(initial);
  const latest = useRef(initial);
  const navigate = useCallback(
    (to: string, options: NavigateOptions = {}) => {
      const next = resolveTo(to, latest.current);
      if (sameLocation(next, latest.current) && !options.replace) return;
      latest.current = next;
      write(next, options.replace ?? false);
      setLocation(next);
    },
    [write],
  );
  const value = useMemo<RouterValue>(() => ({ location, latest: () => latest.current, navigate }), [location, navigate]);
  return { value, latest, setLocation };
}

function windowLocation(): Location {
  const { pathname, search, hash } = window.location;
  return { pathname, search, hash };
}

function writeHistory(to: Location, replace: boolean): void {
  const url = `${to.pathname}${to.search}${to.hash}`;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
}

// Routes on the browser's URL (History API); back/forward re-render.
export function BrowserRouter({ children }: { children?: ReactNode }) {
  const { value, latest, setLocation } = useRouterValue(windowLocation(), writeHistory);
  useEffect(() => {
    const onPop = () => {
      latest.current = windowLocation();
      setLocation(latest.current);
    };
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [latest, setLocation]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

const noWrite = () => undefined;

// Routes on an in-memory location starting at the first of `initialEntries` (tests).
export function MemoryRouter({ initialEntries = ["/"], children }: { initialEntries?: string[]; children?: ReactNode }) {
  const [initial] = useState(() => resolveTo(initialEntries[0] ?? "/", { pathname: "/", search: "", hash: "" }));
  const { value } = useRouterValue(initial, noWrite);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}
