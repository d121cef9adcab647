import { useCallback, useContext, useMemo } from "react";
import { useRouter, type Location, type NavigateOptions } from "./history";
import { RouteContext } from "./routes";

// The current location.
export function useLocation(): Location {
  return useRouter().location;
}

// navigate(to, {replace}) to a path (may carry a query), or to "?query" on the current path.
export function useNavigate(): (to: string, options?: NavigateOptions) => void {
  return useRouter().navigate;
}

// The `:name` parameters of the matched route.
export function useParams(): Record<string, string | undefined> {
  return useContext(RouteContext).params;
}

export type SearchParamsUpdate = URLSearchParams | ((prev: URLSearchParams) => URLSearchParams);

// The URL's query and a setter; a function setter gets the latest query (earlier updates of the
// same event included). A new query is a new history entry unless `replace`.
export function useSearchParams(): [URLSearchParams, (next: SearchParamsUpdate, options?: NavigateOptions) => void] {
  const { location, latest, navigate } = useRouter();
  const params = useMemo(() => new URLSearchParams(location.search), [location.search]);
  const set = useCallback(
    (next: SearchParamsUpdate, options?: NavigateOptions) => {
      const current = latest();
      const value = typeof next === "function" ? next(new URLSearchParams(current.search)) : next;
      const qs = value.toString();
      navigate(`${current.pathname}${qs ? `?${qs}` : ""}${current.hash}`, options);
    },
    [latest, navigate],
  );
  return [params, set];
}
