import type { Span } from "../../api/types";

// Links from a trace to the other pages. Paths only: the caller appends the global parameters.

const MARGIN_MS = 5 * 60e3;

// The logs explorer filtered on the trace (and span), over a window around the trace's spans so
// the logs show even when the trace is outside the current time range.
export function logsLink(traceId: string, spanId: string | undefined, startMs: number, endMs: number): string {
  const q = spanId ? `trace_id:${traceId} span_id:${spanId}` : `trace_id:${traceId}`;
  const params = new URLSearchParams({
    q,
    from: String(Math.floor(startMs - MARGIN_MS)),
    to: String(Math.ceil(endMs + MARGIN_MS)),
  });
  return `/logs?${params.toString()}`;
}

// The service page of `service`.
export function serviceLink(service: string): string {
  return `/services/${encodeURIComponent(service)}`;
}

// Another trace, with the linked span selected.
export function traceLink(traceId: string, spanId?: string): string {
  return spanId ? `/traces/${traceId}?span=${spanId}` : `/traces/${traceId}`;
}

// The span's start and end in Unix ms.
export function spanRangeMs(span: Span): [number, number] {
  const ms = (s: string) => {
    try {
      return Number(BigInt(s) / 1000000n);
    } catch {
      return 0;
    }
  };
  return [ms(span.start_time_unix_nano), ms(span.end_time_unix_nano)];
}
