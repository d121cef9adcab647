import { useCallback, useMemo } from "react";
import { useSearchParams } from "../router";
import {
  DEFAULT_RANGE,
  resolveRange,
  toApiTime,
  zoomRange,
  type ResolvedRange,
  type TimeRange,
} from "./timeRange";

// Query parameters every page keeps when the user navigates: the time range, env and the
// unified-tag filters. Everything else in the URL belongs to the page.
export const GLOBAL_PARAMS = ["from", "to", "env", "version"] as const;

export interface Globals {
  range: TimeRange;
  resolved: ResolvedRange;
  env: string;
  version: string;
  // Start/end as the API wants them.
  apiRange: { start: string; end: string };
  setRange: (range: TimeRange) => void;
  setEnv: (env: string) => void;
  setVersion: (version: string) => void;
}

export function useGlobals(): Globals {
  const [params, setParams] = useSearchParams();
  const from = params.get("from") ?? DEFAULT_RANGE.from;
  const to = params.get("to") ?? DEFAULT_RANGE.to;
  const env = params.get("env") ?? "";
  const version = params.get("version") ?? "";
  // Relative ranges resolve once per URL change; the refresh button re-sets the URL.
  const refresh = params.get("_r") ?? "";
  const resolved = useMemo(() => resolveRange({ from, to }), [from, to, refresh]);
  const update = useCallback(
    (changes: Record<string, string>) =>
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      }),
    [setParams],
  );
  return {
    range: { from, to },
    resolved,
    env,
    version,
    apiRange: { start: toApiTime(resolved.startMs), end: toApiTime(resolved.endMs) },
    setRange: (r) => update({ from: r.from, to: r.to, _r: String(Date.now()) }),
    setEnv: (e) => update({ env: e }),
    setVersion: (v) => update({ version: v }),
  };
}

// One page parameter kept in the URL.
export function useParam(name: string, fallback = ""): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(name) ?? fallback;
  const set = useCallback(
    (v: string) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (v) next.set(name, v);
          else next.delete(name);
          return next;
        },
        { replace: true },
      ),
    [name, setParams],
  );
  return [value, set];
}

// `path` (which may carry its own query) with the current global parameters appended, then
// `extra` set (an empty value removes the parameter).
export function withGlobals(path: string, current: URLSearchParams, extra: Record<string, string> = {}): string {
  const [base, query = ""] = path.split("?");
  const next = new URLSearchParams(query);
  for (const key of GLOBAL_PARAMS) {
    const v = current.get(key);
    if (v && !next.has(key)) next.set(key, v);
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  const qs = next.toString();
  return qs ? `${base}?${qs}` : base;
}

export function useLinkTo(): (path: string, extra?: Record<string, string>) => string {
  const [params] = useSearchParams();
  return useCallback((path, extra = {}) => withGlobals(path, params, extra), [params]);
}

// The handler charts pass as onZoom: the dragged span becomes the global (absolute) range.
export function useZoomToRange(): (startMs: number, endMs: number) => void {
  const { setRange } = useGlobals();
  return useCallback((startMs, endMs) => setRange(zoomRange(startMs, endMs)), [setRange]);
}
