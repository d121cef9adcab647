// Responses requested before the page that needs them has loaded (boot/routePrefetch.ts starts
// them while React is still loading); useApi and the logs pager take them instead of asking again.
import { apiGet, type Params } from "./client";

interface Entry {
  path: string;
  params: Params;
  at: number;
  promise: Promise<unknown>;
}

const entries: Entry[] = [];
// A prefetched answer is only used during the first load of the app.
export const PREFETCH_MAX_AGE_MS = 10_000;
// `start`/`end` of a relative range resolve a little later in the page than at boot.
const TIME_SLACK_MS = 10_000;
const TIME_PARAMS = new Set(["start", "end"]);

function norm(v: Params[string]): string {
  if (v === undefined || v === null) return "";
  return Array.isArray(v) ? v.join("\u0000") : String(v);
}

// Whether two parameter sets ask for the same thing: equal values (absent = empty), with
// `start`/`end` times at most TIME_SLACK_MS apart.
export function sameRequest(a: Params, b: Params): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = norm(a[k]);
    const y = norm(b[k]);
    if (TIME_PARAMS.has(k) && x && y) {
      const d = Math.abs(Date.parse(x) - Date.parse(y));
      if (!(d <= TIME_SLACK_MS)) return false;
    } else if (x !== y) {
      return false;
    }
  }
  return true;
}

// Starts GET `path` now and keeps the answer for the first matching takePrefetched.
export function prefetch(path: string, params: Params = {}, now: number = Date.now()): void {
  const promise = apiGet<unknown>(path, params);
  promise.catch(() => undefined); // a failed prefetch is asked again by its taker
  entries.push({ path, params, at: now, promise });
}

// The prefetched answer for this request (removed from the registry), or undefined.
export function takePrefetched<T>(path: string, params: Params = {}, now: number = Date.now()): Promise<T> | undefined {
  if (entries.length === 0) return undefined;
  const i = entries.findIndex((e) => e.path === path && now - e.at <= PREFETCH_MAX_AGE_MS && sameRequest(e.params, params));
  if (i < 0) return undefined;
  const [e] = entries.splice(i, 1);
  return e.promise as Promise<T>;
}

// Forgets every prefetched answer (tests).
export function clearPrefetched(): void {
  entries.length = 0;
}
