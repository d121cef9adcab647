import { useEffect, useState } from "react";
import { apiGet, type Params } from "./client";
import { takePrefetched } from "./prefetch";

export interface ApiState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

// Loads `path` with `params` whenever they change; the previous request is aborted.
// `path` null skips loading.
export function useApi<T>(path: string | null, params: Params = {}, refreshKey: unknown = 0): ApiState<T> {
  const [state, setState] = useState<ApiState<T>>({ data: undefined, error: undefined, loading: path !== null });
  const key = JSON.stringify([path, params, refreshKey]);
  useEffect(() => {
    if (path === null) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    (takePrefetched<T>(path, params) ?? apiGet<T>(path, params, controller.signal))
      .then((data) => setState({ data, error: undefined, loading: false }))
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setState({ data: undefined, error: e instanceof Error ? e.message : String(e), loading: false });
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state;
}
