// Boot-time prefetch: as soon as the entry script runs (before React and the page are loaded),
// starts loading the chunk of the page the URL opens and the page's main API requests, with the
// parameters the page itself will ask for (api/prefetch.ts hands the answers over).
import { prefetch } from "../api/prefetch";
import type { Params } from "../api/client";
import { formatTerm } from "../components/search/query";
import { formatStep } from "../pages/logs/histogramData";
import { facetFields, LOG_PAGE_SIZE, parseFacetKeys, scopedQuery } from "../pages/logs/logQuery";
import { readState, selector } from "../pages/metrics/metricQuery";
import { exemplarParams, queryRangeParams } from "../pages/metrics/metricRequests";
import { facetFieldsParam, parseExtraFacets } from "../pages/traces/facetFields";
import { DEFAULT_RANGE, niceStepMs, resolveRange, toApiTime } from "../state/timeRange";

export interface PrefetchRequest {
  path: string;
  params: Params;
}

// What a page route loads first: its chunk and its first requests.
interface RouteLoad {
  pattern: RegExp;
  chunk: () => Promise<unknown>;
  requests: (match: RegExpExecArray, url: URLSearchParams, nowMs: number) => PrefetchRequest[];
}

const TRACE_PAGE = 50;
const TRACE_MAX_LIMIT = 1000;

function globalsOf(url: URLSearchParams, nowMs: number) {
  const resolved = resolveRange(
    { from: url.get("from") ?? DEFAULT_RANGE.from, to: url.get("to") ?? DEFAULT_RANGE.to },
    nowMs,
  );
  return {
    resolved,
    env: url.get("env") ?? "",
    version: url.get("version") ?? "",
    start: toApiTime(resolved.startMs),
    end: toApiTime(resolved.endMs),
  };
}

const ROUTES: RouteLoad[] = [
  {
    pattern: /^\/services\/?$/,
    chunk: () => import("../pages/services/ServicesPage"),
    requests: (_m, url, now) => {
      const g = globalsOf(url, now);
      return [{ path: "/api/services/overview", params: { start: g.start, end: g.end, env: g.env, version: g.version } }];
    },
  },
  {
    pattern: /^\/services\/([^/]+)\/?$/,
    chunk: () => import("../pages/service/ServicePage"),
    requests: (m, url, now) => {
      const g = globalsOf(url, now);
      const service = decodeURIComponent(m[1]);
      return [
        {
          path: `/api/services/${encodeURIComponent(service)}/overview`,
          params: { start: g.start, end: g.end, env: g.env, version: g.version },
        },
      ];
    },
  },
  {
    pattern: /^\/map\/?$/,
    chunk: () => import("../pages/map/ServiceMapPage"),
    requests: (_m, url, now) => {
      const g = globalsOf(url, now);
      return [{ path: "/api/service-map", params: { start: g.start, end: g.end, env: g.env } }];
    },
  },
  {
    pattern: /^\/traces\/?$/,
    chunk: () => import("../pages/traces/TracesPage"),
    requests: (_m, url, now) => {
      const g = globalsOf(url, now);
      const q = url.get("q") ?? "";
      const apiQ = [q, g.version ? formatTerm("version", g.version) : ""].filter(Boolean).join(" ");
      const common = { q: apiQ, env: g.env, start: g.start, end: g.end };
      const limit = Math.min(TRACE_MAX_LIMIT, Math.max(1, Number(url.get("limit")) || TRACE_PAGE));
      const fields = facetFieldsParam(parseExtraFacets(url.get("facets") ?? ""));
      return [
        { path: "/api/traces", params: { ...common, limit } },
        { path: "/api/traces/facets", params: { ...common, fields } },
      ];
    },
  },
  {
    pattern: /^\/traces\/([^/]+)\/?$/,
    chunk: () => import("../pages/trace/TracePage"),
    requests: (m) => [{ path: `/api/traces/${encodeURIComponent(decodeURIComponent(m[1]))}`, params: { format: "compact" } }],
  },
  {
    pattern: /^\/logs\/?$/,
    chunk: () => import("../pages/logs/LogsPage"),
    requests: (_m, url, now) => {
      const g = globalsOf(url, now);
      const q = scopedQuery(url.get("q") ?? "", g.env, g.version);
      const out: PrefetchRequest[] = [
        { path: "/api/logs/histogram", params: { q, start: g.start, end: g.end, step: formatStep(niceStepMs(g.resolved, 90)) } },
        { path: "/api/logs/facets", params: { q, start: g.start, end: g.end, fields: facetFields(parseFacetKeys(url.get("facets") ?? "")) } },
      ];
      if (url.get("live") !== "1") out.push({ path: "/api/logs", params: { q, start: g.start, end: g.end, limit: LOG_PAGE_SIZE } });
      return out;
    },
  },
  {
    pattern: /^\/metrics\/?$/,
    chunk: () => import("../pages/metrics/MetricsPage"),
    requests: (_m, url, now) => {
      const g = globalsOf(url, now);
      const state = readState(url);
      const out: PrefetchRequest[] = [
        { path: "/api/metrics", params: {} },
        { path: "/api/metrics/labels", params: { match: state.metric } },
      ];
      // With a global env or version the page scopes the query by the metric's labels first.
      if (g.env || g.version) return out;
      const query = selector(state.metric, state.matchers);
      out.push(
        { path: "/api/metrics/query_range", params: queryRangeParams(state, query, g.start, g.end, niceStepMs(g.resolved, 240)) },
        { path: "/api/metrics/exemplars", params: exemplarParams(query, g.start, g.end) },
      );
      return out;
    },
  },
];

// The requests the shell and the page at `pathname`/`search` make first, and the page's chunk
// loader; no requests for an unknown page.
export function routeLoad(pathname: string, search: string, nowMs: number): { chunk?: () => Promise<unknown>; requests: PrefetchRequest[] } {
  const url = new URLSearchParams(search);
  const env = url.get("env") ?? "";
  // The shell's env and version selectors (shell/TagSelect.tsx).
  const shell: PrefetchRequest[] = [
    { path: "/api/metrics/labels", params: { name: "env" } },
    {
      path: "/api/metrics/labels",
      params: { name: "version", match: env ? `traces_spanmetrics_calls_total{env="${env.replace(/(["\\])/g, "\\$1")}"}` : undefined },
    },
  ];
  const path = pathname === "/" ? "/services" : pathname;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m) return { chunk: r.chunk, requests: [...r.requests(m, url, nowMs), ...shell] };
  }
  return { requests: [] };
}

// Starts the chunk and the requests of the page `location` opens.
export function startRoutePrefetch(location: { pathname: string; search: string }): void {
  const now = Date.now();
  const load = routeLoad(location.pathname, location.search, now);
  load.chunk?.().catch(() => undefined); // React.lazy reports a failed chunk itself
  for (const r of load.requests) prefetch(r.path, r.params, now);
}
