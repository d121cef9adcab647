import { useCallback, useEffect, useRef, useState } from "react";
import { buildUrl } from "../../api/client";
import type { LogRow } from "../../api/types";

export const TAIL_CAP = 1000;

export type TailStatus = "off" | "connecting" | "live" | "error";

export interface LiveTail {
  rows: LogRow[];
  // Rows received while paused, shown on resume.
  pending: number;
  status: TailStatus;
  resume: () => void;
  clear: () => void;
}

// Newest-first buffer of at most `cap` rows: `incoming` (oldest first, as received) goes on top.
export function prependCapped(buffer: LogRow[], incoming: LogRow[], cap = TAIL_CAP): LogRow[] {
  if (incoming.length === 0) return buffer;
  const fresh = incoming.slice(-cap).reverse();
  return [...fresh, ...buffer].slice(0, cap);
}

// Streams /api/logs/tail?q= (Server-Sent Events, one log row JSON per `data:`) while `enabled`;
// while `paused` new rows are held back and counted. Malformed events are skipped. Rows arriving
// within 50 ms are applied together.
export function useLiveTail(q: string, enabled: boolean, paused: boolean): LiveTail {
  const [rows, setRows] = useState<LogRow[]>([]);
  const [pending, setPending] = useState(0);
  const [status, setStatus] = useState<TailStatus>("off");
  const held = useRef<LogRow[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const resume = useCallback(() => {
    const h = held.current;
    held.current = [];
    setPending(0);
    setRows((prev) => prependCapped(prev, h));
  }, []);

  useEffect(() => {
    if (!paused) resume();
  }, [paused, resume]);

  useEffect(() => {
    setRows([]);
    held.current = [];
    setPending(0);
    if (!enabled) {
      setStatus("off");
      return;
    }
    setStatus("connecting");
    const source = new EventSource(buildUrl("/api/logs/tail", { q }));
    let batch: LogRow[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const b = batch;
      batch = [];
      if (pausedRef.current) {
        held.current = held.current.concat(b).slice(-TAIL_CAP);
        setPending(held.current.length);
      } else {
        setRows((prev) => prependCapped(prev, b));
      }
    };
    source.onopen = () => setStatus("live");
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? "error" : "connecting");
    source.onmessage = (e: MessageEvent<string>) => {
      try {
        const row = JSON.parse(e.data) as LogRow;
        if (!row || typeof row !== "object" || typeof row.time !== "string") return;
        batch.push(row);
      } catch {
        return;
      }
      setStatus("live");
      if (timer === undefined) timer = setTimeout(flush, 50);
    };
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [q, enabled]);

  const clear = useCallback(() => {
    held.current = [];
    setPending(0);
    setRows([]);
  }, []);

  return { rows, pending, status, resume, clear };
}
