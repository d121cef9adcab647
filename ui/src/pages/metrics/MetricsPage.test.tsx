import { fireEvent, render, screen, waitFor, within } from "../../test/dom";
import { MemoryRouter, Route, Routes, useLocation } from "../../router";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { TimeSeriesChartProps } from "../../components/TimeSeriesChart";
import { MetricsPage } from "./MetricsPage";

// uPlot reads matchMedia when loaded and draws on a canvas, neither of which jsdom has;
vi.hoisted(() => {
  window.matchMedia ??= ((query: string) =>
    ({ matches: false, media: query, addEventListener() {}, removeEventListener() {} }) as unknown as MediaQueryList);
});
// the stand-in shows what the page hands to the chart.
vi.mock("../../components/TimeSeriesChart", async (importOriginal) => {
  const orig = await importOriginal<typeof import("../../components/TimeSeriesChart")>();
  return {
    ...orig,
    TimeSeriesChart: (p: TimeSeriesChartProps) => (
      <div data-testid="chart" data-stacked={String(!!p.stacked)} data-unit={p.unit ?? ""}>
        {p.series.map((s) => (
          <span key={s.label} data-testid="chart-series">
            {s.label}:{s.points.map((x) => x[1]).join(",")}
          </span>
        ))}
        {(p.markers ?? []).map((m) => (
          <button key={m.id} data-testid="marker" data-value={m.value} onClick={() => p.onMarkerClick?.(m.id)}>
            marker
          </button>
        ))}
      </div>
    ),
  };
});

const NOW = Date.now();
const T0 = Math.floor((NOW - 10 * 60000) / 60000) * 60000;
const TRACE = "a".repeat(32);
const SPAN = "b".repeat(16);
let requests: URL[] = [];

function respond(url: URL): unknown {
  const p = url.searchParams;
  switch (url.pathname) {
    case "/api/metrics":
      return { metrics: ["traces_spanmetrics_calls_total", "traces_spanmetrics_latency_bucket", "up"] };
    case "/api/metrics/labels":
      if (p.get("name") === "service") return { values: ["cart", "checkout"] };
      return { labels: ["__name__", "env", "service", "span_name", ...(p.get("match")?.includes("bucket") ? ["le"] : [])] };
    case "/api/metrics/query_range":
      if (p.get("fn") === "histogram_quantile") {
        return { start: T0, end: NOW, step: 60000, series: [{ labels: { service: "checkout" }, points: [[T0, 0.12], [T0 + 60000, 0.2]] }] };
      }
      return {
        start: T0,
        end: NOW,
        step: 60000,
        series: [
          { labels: { service: "cart" }, points: [[T0, 1], [T0 + 60000, 3]] },
          { labels: { service: "checkout" }, points: [[T0, 2], [T0 + 60000, 4]] },
        ],
      };
    case "/api/metrics/exemplars":
      return {
        exemplars: [
          { labels: { __name__: "x", service: "checkout", span_name: "POST /checkout" }, time: T0 + 55000, value: 0.3, trace_id: TRACE, span_id: SPAN },
        ],
      };
    default:
      return { error: "unexpected" };
  }
}

function Where() {
  const loc = useLocation();
  return <div data-testid="where">{loc.pathname + loc.search}</div>;
}

function renderAt(url: string) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route path="/metrics" element={<MetricsPage />} />
        <Route path="*" element={<div>elsewhere</div>} />
      </Routes>
      <Where />
    </MemoryRouter>,
  );
}

beforeEach(() => {
  requests = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string) => {
      const url = new URL(input, "http://x");
      requests.push(url);
      const body = respond(url);
      return new Response(JSON.stringify(body), { status: "error" in (body as object) ? 404 : 200 });
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

function lastQuery(): URLSearchParams {
  return requests.filter((u) => u.pathname === "/api/metrics/query_range").at(-1)!.searchParams;
}

describe("MetricsPage", () => {
  test("opens on calls per service by rate, with legend, exemplar markers and the global env", async () => {
    renderAt("/metrics?env=prod");
    const series = await screen.findAllByTestId("chart-series", {}, { timeout: 5000 });
    expect(series.map((s) => s.textContent)).toEqual(["service=cart:1,3", "service=checkout:2,4"]);
    const q = lastQuery();
    expect(q.get("query")).toBe('traces_spanmetrics_calls_total{env="prod"}');
    expect(q.get("fn")).toBe("rate");
    expect(q.get("agg")).toBe("sum");
    expect(q.get("by")).toBe("service");
    expect(screen.getByTestId("promql").textContent).toBe(
      'sum by (service) (rate(traces_spanmetrics_calls_total{env="prod"}[5m]))',
    );
    const legend = screen.getByTestId("series-legend");
    expect(within(legend).getByText("service=checkout")).toBeTruthy();
    const marker = await screen.findByTestId("marker");
    expect(marker.getAttribute("data-value")).toBe("4");
    fireEvent.click(marker);
    await waitFor(() => expect(screen.getByTestId("where").textContent).toBe(`/traces/${TRACE}?env=prod&span=${SPAN}`));
  });

  test("a bucket metric charts quantiles in ms and places exemplars at their value", async () => {
    renderAt("/metrics?metric=traces_spanmetrics_latency_bucket&fn=histogram_quantile&q=0.99&by=service");
    const series = await screen.findAllByTestId("chart-series", {}, { timeout: 5000 });
    expect(series.map((s) => s.textContent)).toEqual(["service=checkout:120,200"]);
    expect(screen.getByTestId("chart").getAttribute("data-unit")).toBe("ms");
    const q = lastQuery();
    expect(q.get("fn")).toBe("histogram_quantile");
    expect(q.get("q")).toBe("0.99");
    expect(q.get("agg")).toBeNull();
    expect((await screen.findByTestId("marker")).getAttribute("data-value")).toBe("300");
    const link = within(screen.getByTestId("exemplar-list")).getByTestId("exemplar-link");
    expect(link.getAttribute("href")).toBe(`/traces/${TRACE}?span=${SPAN}`);
  });

  test("controls write the URL: stacked, aggregation, label filter", async () => {
    renderAt("/metrics");
    await screen.findAllByTestId("chart-series", {}, { timeout: 5000 });
    fireEvent.click(screen.getByTestId("stacked"));
    await waitFor(() => expect(screen.getByTestId("chart").getAttribute("data-stacked")).toBe("true"));
    fireEvent.change(screen.getByTestId("agg"), { target: { value: "max" } });
    await waitFor(() => expect(lastQuery().get("agg")).toBe("max"));
    fireEvent.click(screen.getByTestId("add-filter"));
    fireEvent.change(screen.getByLabelText("filter label"), { target: { value: "service" } });
    const value = screen.getByLabelText("filter value");
    await within(value).findByText("checkout");
    fireEvent.change(value, { target: { value: "checkout" } });
    fireEvent.click(screen.getByText("Add"));
    await waitFor(() => expect(lastQuery().get("query")).toBe('traces_spanmetrics_calls_total{service="checkout"}'));
    const where = new URLSearchParams(screen.getByTestId("where").textContent!.split("?")[1]);
    expect(where.get("match")).toBe('service="checkout"');
    expect(where.get("stacked")).toBe("1");
    expect(where.get("agg")).toBe("max");
    expect(screen.getAllByTestId("matcher")).toHaveLength(1);
  });

  test("the metric picker filters names and switches the function to fit", async () => {
    renderAt("/metrics");
    const picker = await screen.findByTestId("metric-picker");
    await waitFor(() => expect(picker.getAttribute("placeholder")).toMatch(/\d+ names/));
    fireEvent.focus(picker);
    fireEvent.change(picker, { target: { value: "latency" } });
    const options = within(screen.getByTestId("metric-options")).getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["traces_spanmetrics_latency_bucket"]);
    fireEvent.keyDown(picker, { key: "Enter" });
    await waitFor(() => expect(lastQuery().get("fn")).toBe("histogram_quantile"));
    expect(screen.getByTestId("where").textContent).toContain("metric=traces_spanmetrics_latency_bucket");
  });

  test("an empty answer says what to do", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: string) => {
        const url = new URL(input, "http://x");
        const body = url.pathname === "/api/metrics/query_range" ? { start: 0, end: 0, step: 1000, series: [] } : respond(url);
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );
    renderAt("/metrics?metric=up");
    expect((await screen.findByTestId("metrics-empty")).textContent).toContain("Widen the time range");
  });
});
