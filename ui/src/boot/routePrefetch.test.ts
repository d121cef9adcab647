import { describe, expect, it } from "vitest";
import { routeLoad } from "./routePrefetch";

const NOW = Date.parse("2026-01-01T12:00:00.000Z");
const paths = (pathname: string, search = "") => routeLoad(pathname, search, NOW).requests.map((r) => r.path);

describe("routeLoad", () => {
  it("asks for what each page asks for first, plus the shell's tag values", () => {
    expect(paths("/services")).toEqual(["/api/services/overview", "/api/metrics/labels", "/api/metrics/labels"]);
    expect(paths("/")[0]).toBe("/api/services/overview");
    expect(paths("/services/check%20out")[0]).toBe("/api/services/check%20out/overview");
    expect(paths("/map")[0]).toBe("/api/service-map");
    expect(paths("/traces").slice(0, 2)).toEqual(["/api/traces", "/api/traces/facets"]);
    expect(paths("/traces/0123456789abcdef0123456789abcdef")[0]).toBe("/api/traces/0123456789abcdef0123456789abcdef");
    expect(paths("/logs").slice(0, 3)).toEqual(["/api/logs/histogram", "/api/logs/facets", "/api/logs"]);
    expect(paths("/logs", "?live=1")).not.toContain("/api/logs");
    expect(paths("/metrics").slice(0, 4)).toEqual(["/api/metrics", "/api/metrics/labels", "/api/metrics/query_range", "/api/metrics/exemplars"]);
    expect(paths("/metrics", "?env=prod").slice(0, 3)).toEqual(["/api/metrics", "/api/metrics/labels", "/api/metrics/labels"]);
    expect(routeLoad("/nope", "", NOW)).toEqual({ requests: [] });
  });

  it("resolves the URL's range, env, version and page parameters like the pages do", () => {
    const [overview] = routeLoad("/services", "?from=now-6h&env=prod&version=2.0", NOW).requests;
    expect(overview.params).toEqual({
      start: "2026-01-01T06:00:00.000Z",
      end: "2026-01-01T12:00:00.000Z",
      env: "prod",
      version: "2.0",
    });
    const [traces, facets] = routeLoad("/traces", "?q=status:error&version=2.1&limit=100&facets=db.system", NOW).requests;
    expect(traces.params).toMatchObject({ q: "status:error version:2.1", limit: 100 });
    expect(String(facets.params.fields)).toMatch(/,db\.system$/);
    const [histogram, , logs] = routeLoad("/logs", "?q=timeout&env=prod", NOW).requests;
    expect(histogram.params).toMatchObject({ q: "timeout env:prod", step: "1m" });
    expect(logs.params).toMatchObject({ q: "timeout env:prod", limit: 200 });
    const [, labels, chart, exemplars] = routeLoad("/metrics", "?from=now-6h", NOW).requests;
    expect(labels.params).toEqual({ match: "traces_spanmetrics_calls_total" });
    expect(chart.params).toMatchObject({ query: "traces_spanmetrics_calls_total", fn: "rate", window: "5m", agg: "sum", by: "service", step: "120s" });
    expect(exemplars.params).toMatchObject({ query: "traces_spanmetrics_calls_total", limit: 200, start: "2026-01-01T06:00:00.000Z" });
    const version = routeLoad("/map", '?env=a"b', NOW).requests[2];
    expect(version.params).toEqual({ name: "version", match: 'traces_spanmetrics_calls_total{env="a\\"b"}' });
  });
});
