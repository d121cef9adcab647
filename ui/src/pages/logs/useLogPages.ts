import { useCallback, useEffect, useRef, useState } from "react";
import { apiGet } from "../../api/client";
import { takePrefetched } from "../../api/prefetch";
import type { LogRow, LogsResponse } from "../../api/types";
import { LOG_PAGE_SIZE as PAGE_SIZE } from "./logQuery";

export interface LogPages {
  rows: LogRow[];
  loading: boolean;
  loadingMore: boolean;
  error: string | undefined;
  hasMore: boolean;
  loadMore: () => void;
}

export { LOG_PAGE_SIZE as PAGE_SIZE } from "./logQuery";

// Logs matching `q` in [start, end), newest first, a page at a time with the API's `next`
// cursor. A change of query or range starts over (pending requests are aborted). `enabled`
// false loads nothing.
export function useLogPages(q: string, start: string, end: string, enabled = true, refreshKey: unknown = 0): LogPages {
  const [rows, setRows] = useState<LogRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(enabled);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const controller = useRef<AbortController | null>(null);
  const key = JSON.stringify([q, start, end, enabled, refreshKey]);

  useEffect(() => {
    controller.current?.abort();
    setRows([]);
    setNext(null);
    setError(undefined);
    setLoadingMore(false);
    if (!enabled) {
      setLoading(false);
      return;
    }
    const c = new AbortController();
    controller.current = c;
    setLoading(true);
    const first = { q, start, end, limit: PAGE_SIZE };
    (takePrefetched<LogsResponse>("/api/logs", first) ?? apiGet<LogsResponse>("/api/logs", first, c.signal))
      .then((r) => {
        setRows(r.logs);
        setNext(r.next);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      });
    return () => c.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const loadMore = useCallback(() => {
    if (!next || loading || loadingMore) return;
    const c = controller.current ?? new AbortController();
    setLoadingMore(true);
    apiGet<LogsResponse>("/api/logs", { q, start, end, limit: PAGE_SIZE, cursor: next }, c.signal)
      .then((r) => {
        setRows((prev) => [...prev, ...r.logs]);
        setNext(r.next);
        setLoadingMore(false);
      })
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoadingMore(false);
      });
  }, [next, loading, loadingMore, q, start, end]);

  return { rows, loading, loadingMore, error, hasMore: next !== null, loadMore };
}
