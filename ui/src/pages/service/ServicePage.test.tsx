import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor, within } from "../../test/dom";
import { fakeApi, renderAt } from "../../components/testing/fakeApi";
import { ServicePage } from "./ServicePage";
import { bodyText, orderedLevelCounts, versionSeries } from "./serviceSeries";

// uPlot needs a real canvas; the charts are covered by the browser tests.
vi.mock("../../components/TimeSeriesChart", () => ({
  TimeSeriesChart: (p: { title?: string }) => <div data-testid="chart">{p.title}</div>,
}));

const T = 1795665600000;
const red = { requests: 1200, rate: 0.333, errors: 36, error_rate: 0.03, p50_ms: 12, p95_ms: 80, p99_ms: 240 };
const OVERVIEW = {
  service: "checkout",
  step: 60000,
  summary: { service: "checkout", envs: ["prod"], versions: ["2.0", "2.1-canary"], ...red, log_errors: 4 },
  series: { rate: [[T, 0.3]], errors: [[T, 1]], error_rate: [[T, 0.03]], p50_ms: [[T, 12]], p95_ms: [[T, 80]], p99_ms: [[T, 240]] },
  operations: [
    { name: "POST /checkout", span_kind: "server", ...red, requests: 1000 },
    { name: "GET /health", span_kind: "server", ...red, requests: 200, p95_ms: 2, error_rate: 0 },
  ],
  versions: [
    { version: "2.0", ...red, series: { rate: [[T, 1]], error_rate: [[T, 0.01]], p95_ms: [[T, 70]] } },
    { version: "2.1-canary", ...red, requests: 100, error_rate: 0.2, series: { rate: [], error_rate: [], p95_ms: [] } },
  ],
  upstream: [{ service: "frontend", requests: 1200, rate: 0.33, errors: 1, error_rate: 0.001, p95_ms: 90 }],
  downstream: [{ service: "payment", requests: 900, rate: 0.25, errors: 30, error_rate: 0.09, p95_ms: 60 }],
  recent_errors: [
    {
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
      root_service: "frontend",
      root_name: "POST /api/checkout",
      start_time_unix_nano: String(T * 1e6),
      duration_ns: 250e6,
      span_count: 9,
      error_count: 2,
      services: ["frontend", "checkout"],
    },
  ],
  logs: {
    counts: { info: 5000, error: 4, warn: 20 },
    recent_errors: [
      {
        time: "2026-11-26T03:50:01.000000007Z",
        severity: "ERROR",
        severity_number: 17,
        level: "error",
        body: "payment failed: card declined",
        service: "checkout",
        env: "prod",
        version: "2.0",
        host: "h1",
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        span_id: "00f067aa0ba902b7",
        attributes: {},
      },
    ],
  },
};

afterEach(() => vi.unstubAllGlobals());

describe("ServicePage", () => {
  it("shows tiles, operations, versions, dependencies, errors and logs, all linked", async () => {
    const api = fakeApi({ "/api/services/checkout/overview": OVERVIEW });
    renderAt(<ServicePage />, "/services/checkout?env=prod&version=2.0", "/services/:service");
    await waitFor(() => expect(screen.getByTestId("summary-tiles")).toBeTruthy());
    const url = new URL(String(api.mock.calls[0][0]), "http://x");
    expect([url.searchParams.get("env"), url.searchParams.get("version")]).toEqual(["prod", "2.0"]);
    expect(screen.getByTestId("tile-requests").textContent).toContain("1.2k");
    expect(screen.getByTestId("tile-error-rate").textContent).toContain("3.0%");
    expect(screen.getByTestId("tile-p99").textContent).toContain("240ms");

    const ops = screen.getAllByTestId("operation-row");
    expect(ops.map((r) => within(r).getByTestId("operation-link").textContent)).toEqual(["POST /checkout", "GET /health"]);
    const opLink = new URL(within(ops[0]).getByTestId("operation-link").getAttribute("href")!, "http://x");
    expect([opLink.pathname, opLink.searchParams.get("q")]).toEqual(["/traces", 'service:checkout name:"POST /checkout"']);
    fireEvent.click(screen.getAllByTestId("sort-p95_ms")[0]);
    expect(screen.getAllByTestId("operation-row")[0].textContent).toContain("POST /checkout");
    fireEvent.click(screen.getAllByTestId("sort-p95_ms")[0]);
    expect(screen.getAllByTestId("operation-row")[0].textContent).toContain("GET /health");

    const canary = screen.getAllByTestId("version-link")[1];
    expect(canary.textContent).toBe("2.1-canary");
    expect(new URL(canary.getAttribute("href")!, "http://x").searchParams.get("version")).toBe("2.1-canary");
    expect(screen.getByTestId("all-versions")).toBeTruthy();

    expect(within(screen.getByTestId("upstream-table")).getByText("frontend").getAttribute("href")).toContain("/services/frontend");
    expect(within(screen.getByTestId("downstream-table")).getByText("9.0%").className).toContain("err");

    const trace = within(screen.getByTestId("error-trace-row")).getByTestId("trace-link");
    expect(trace.getAttribute("href")).toMatch(/^\/traces\/4bf92f3577b34da6a3ce929d0e0e4736\?/);
    expect(screen.getByTestId("error-trace-row").textContent).toContain("250ms");

    const levels = screen.getAllByTestId("log-level-count").map((a) => a.textContent);
    expect(levels).toEqual(["error 4", "warn 20", "info 5k"]);
    expect(screen.getByTestId("error-log-row").textContent).toContain("card declined");
    const metrics = new URL(screen.getByTestId("metrics-link").getAttribute("href")!, "http://x");
    expect(metrics.searchParams.get("match")).toBe('service="checkout"');
  });

  it("says what to do when the service has no data", async () => {
    fakeApi({
      "/api/services/ghost/overview": () => ({ status: 404, body: { error: "service ghost has no data in the range" } }),
    });
    renderAt(<ServicePage />, "/services/ghost?env=prod", "/services/:service");
    await waitFor(() => expect(screen.getByTestId("empty-state").textContent).toContain("clear the env filter (prod)"));
    expect(screen.queryByTestId("error-state")).toBeNull();
  });
});

describe("service helpers", () => {
  it("orders levels by severity and stringifies structured bodies", () => {
    expect(orderedLevelCounts({ info: 1, custom: 3, fatal: 2, other: 5 }).map((l) => l.level)).toEqual([
      "fatal",
      "info",
      "other",
      "custom",
    ]);
    expect(bodyText({ a: 1 })).toBe('{"a":1}');
    expect(bodyText(null)).toBe("");
  });
  it("makes one series per version", () => {
    const s = versionSeries(OVERVIEW.versions as never, "p95_ms");
    expect(s.map((x) => [x.label, x.points.length])).toEqual([
      ["2.0", 1],
      ["2.1-canary", 0],
    ]);
  });
});
