import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "../../test/dom";
import { MemoryRouter, Route, Routes, useLocation } from "../../router";
import type { AttributeKeysResponse, TraceFacetsResponse, TraceSearchResponse } from "../../api/types";
import { TracesPage } from "./TracesPage";

let location = "";
let requests: URL[] = [];

function LocationProbe() {
  const l = useLocation();
  location = l.pathname + l.search;
  return null;
}

const NOW_NS = BigInt(Date.now()) * 1000000n;
const search: TraceSearchResponse = {
  traces: [
    {
      trace_id: "aa".repeat(16),
      root_service: "frontend",
      root_name: "GET /cart",
      start_time_unix_nano: String(NOW_NS - 30_000_000_000n),
      duration_ns: 120_000_000,
      span_count: 7,
      error_count: 1,
      services: ["cart", "frontend"],
    },
    {
      trace_id: "bb".repeat(16),
      root_service: "frontend",
      root_name: "POST /checkout",
      start_time_unix_nano: String(NOW_NS - 90_000_000_000n),
      duration_ns: 480_000_000,
      span_count: 21,
      error_count: 0,
      services: ["checkout", "frontend", "payment"],
    },
  ],
};
const facets: TraceFacetsResponse = {
  total_spans: 1234,
  sampled: false,
  facets: {
    service: [
      { value: "frontend", count: 800 },
      { value: "cart", count: 434 },
    ],
    status: [{ value: "error", count: 12 }],
    "http.route": [{ value: "/cart", count: 300 }],
  },
  duration: { buckets_ms: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], counts: [0, 1, 5, 20, 100, 300, 500, 200, 100, 8, 0] },
};

const attributeKeys: AttributeKeysResponse = {
  total_spans: 50,
  sampled: false,
  keys: [
    { key: "service.name", source: "resource", count: 50 },
    { key: "http.route", source: "span", count: 30 },
    { key: "db.system", source: "span", count: 12 },
    { key: "db.system", source: "resource", count: 2 },
  ],
};

function mockApi(overrides: { traces?: Response } = {}) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string) => {
      const url = new URL(input, "http://localhost");
      requests.push(url);
      if (url.pathname === "/api/traces/facets") return new Response(JSON.stringify(facets));
      if (url.pathname === "/api/traces/attributes") return new Response(JSON.stringify(attributeKeys));
      if (url.pathname === "/api/traces") return overrides.traces ?? new Response(JSON.stringify(search));
      return new Response(JSON.stringify({ error: "no" }), { status: 404 });
    }),
  );
}

function renderAt(url: string) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route path="/traces" element={<TracesPage />} />
        <Route path="/traces/:id" element={<div>trace page</div>} />
      </Routes>
      <LocationProbe />
    </MemoryRouter>,
  );
}

beforeEach(() => {
  requests = [];
  location = "";
});
afterEach(() => vi.unstubAllGlobals());

describe("TracesPage", () => {
  it("sends q, env, version and the range, and lists the traces", async () => {
    mockApi();
    renderAt("/traces?q=status:error&env=prod&version=1.2&from=now-15m");
    await screen.findByText("POST /checkout");
    const traceReq = requests.find((r) => r.pathname === "/api/traces")!;
    expect(traceReq.searchParams.get("q")).toBe("status:error version:1.2");
    expect(traceReq.searchParams.get("env")).toBe("prod");
    expect(traceReq.searchParams.get("start")).toMatch(/^\d{4}-/);
    const facetReq = requests.find((r) => r.pathname === "/api/traces/facets")!;
    expect(facetReq.searchParams.get("fields")).toBe("service,name,status,kind,http.route,env,version");
    expect(screen.getByTestId("span-total").textContent).toBe("1.2k matching spans");
    const rows = document.querySelectorAll("tr.trace-row");
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toMatch(/^3\ds ago/);
    expect(rows[0].textContent).toContain("120ms");
    expect(rows[1].textContent).toContain("480ms");
    fireEvent.click(rows[1].querySelector("td:nth-child(4)")!);
    expect(location).toBe(`/traces/${"bb".repeat(16)}?from=now-15m&env=prod&version=1.2`);
  });

  it("adds a facet value to the query and an attribute facet to the URL", async () => {
    mockApi();
    renderAt("/traces?q=timeout");
    await screen.findByText("POST /checkout");
    fireEvent.click(screen.getByTitle(/^@http.route:\/cart/));
    await waitFor(() => expect(new URLSearchParams(location.split("?")[1]).get("q")).toBe("timeout @http.route:/cart"));
    const input = screen.getByLabelText("add facet");
    fireEvent.change(input, { target: { value: "order.id" } });
    fireEvent.submit(input.closest("form")!);
    await waitFor(() => expect(location).toContain("facets=order.id"));
    await waitFor(() =>
      expect(requests.some((r) => r.searchParams.get("fields")?.endsWith(",version,order.id"))).toBe(true),
    );
  });

  it("offers the attribute keys of the matching spans once the facet picker is focused", async () => {
    mockApi();
    renderAt("/traces?q=service:cart");
    await screen.findByText("POST /checkout");
    expect(requests.some((r) => r.pathname === "/api/traces/attributes")).toBe(false);
    fireEvent.focus(screen.getByLabelText("add facet"));
    const list = await screen.findByTestId("facet-key-suggestions");
    await waitFor(() => expect(list.querySelectorAll("option")).toHaveLength(2));
    // Shown facets (http.route) are left out; a key both span and resource attribute comes once.
    expect([...list.querySelectorAll("option")].map((o) => o.getAttribute("value"))).toEqual(["service.name", "db.system"]);
    const asked = requests.find((r) => r.pathname === "/api/traces/attributes")!;
    expect(asked.searchParams.get("q")).toBe("service:cart");
  });

    it("sorts by duration on a header click", async () => {
    mockApi();
    renderAt("/traces");
    await screen.findByText("POST /checkout");
    fireEvent.click(screen.getByText("Duration"));
    await waitFor(() => expect(location).toContain("sort=duration"));
    const rows = document.querySelectorAll("tr.trace-row");
    expect(rows[0].getAttribute("data-trace-id")).toBe("bb".repeat(16));
  });

  it("turns a drag on the histogram into duration terms", async () => {
    mockApi();
    renderAt("/traces?q=service:cart");
    const hist = await screen.findByTestId("duration-histogram");
    hist.getBoundingClientRect = () => ({ left: 0, width: 1100, top: 0, height: 96, right: 1100, bottom: 96, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.pointerDown(hist, { clientX: 450 }); // bucket 4: (10, 20]
    fireEvent.pointerMove(hist, { clientX: 650 }); // bucket 6: (50, 100]
    fireEvent.pointerUp(window);
    await waitFor(() =>
      expect(new URLSearchParams(location.split("?")[1]).get("q")).toBe("service:cart duration:>10ms duration:<=100ms"),
    );
    await waitFor(() => expect(document.querySelectorAll(".duration-hist .col.sel")).toHaveLength(3));
    fireEvent.click(screen.getByTestId("clear-duration"));
    await waitFor(() => expect(new URLSearchParams(location.split("?")[1]).get("q")).toBe("service:cart"));
  });

  it("shows a query error in the search bar and an empty state", async () => {
    mockApi({ traces: new Response(JSON.stringify({ error: "position 3: unterminated quote" }), { status: 400 }) });
    renderAt('/traces?q=a%20"b');
    expect((await screen.findByTestId("search-error")).textContent).toBe("position 3: unterminated quote");
  });

  it("says what to do when nothing matches", async () => {
    mockApi({ traces: new Response(JSON.stringify({ traces: [] })) });
    renderAt("/traces");
    expect((await screen.findByTestId("no-traces")).textContent).toContain("Widen the time range");
  });
});
