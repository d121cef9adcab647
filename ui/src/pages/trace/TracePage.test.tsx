import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "../../test/dom";
import { MemoryRouter, Route, Routes, useLocation } from "../../router";
import type { Span } from "../../api/types";
import { TracePage } from "./TracePage";
import { bigTrace, compactTrace, makeSpan } from "./testSpans";
import { DEFER_CRITICAL_SPANS } from "./useCriticalPath";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";
let location = "";

function LocationProbe() {
  const l = useLocation();
  location = l.pathname + l.search;
  return null;
}

function mockTrace(spans: Span[] | null) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () =>
      spans
        ? new Response(JSON.stringify(compactTrace(TRACE_ID, spans)), { status: 200 })
        : new Response(JSON.stringify({ error: "trace not found" }), { status: 404 }),
    ),
  );
}

function renderAt(url: string) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route path="/traces/:traceId" element={<TracePage />} />
      </Routes>
      <LocationProbe />
    </MemoryRouter>,
  );
}

const small = [
  makeSpan("aaaaaaaaaaaaaaa1", "", 0, 100, { service: "frontend", name: "GET /cart", kind: "server" }),
  makeSpan("aaaaaaaaaaaaaaa2", "aaaaaaaaaaaaaaa1", 10, 40, {
    service: "cart",
    name: "load cart",
    attributes: { "http.route": "/cart", "cart.items": 3 },
    resource: { "service.name": "cart", "host.name": "h1" },
    events: [{ time_unix_nano: "1795661040020000000", name: "exception", attributes: { "exception.message": "boom" } }],
    links: [{ trace_id: "0123456789abcdef0123456789abcdef", span_id: "0123456789abcdef", trace_state: "", attributes: {} }],
  }),
  makeSpan("aaaaaaaaaaaaaaa3", "aaaaaaaaaaaaaaa2", 15, 30, { service: "db", name: "SELECT", status: { code: "error", message: "deadlock" } }),
  makeSpan("aaaaaaaaaaaaaaa4", "aaaaaaaaaaaaaaa1", 50, 95, { service: "payment", name: "charge" }),
];

beforeEach(() => {
  location = "";
});
afterEach(() => vi.unstubAllGlobals());

describe("TracePage", () => {
  it("renders a 10,000-span trace with fewer than 200 rows in the DOM", async () => {
    mockTrace(bigTrace(10000));
    const t0 = performance.now();
    renderAt(`/traces/${TRACE_ID}`);
    await screen.findByTestId("waterfall", {}, { timeout: 20000 });
    console.log(`10k-span trace rendered in jsdom in ${Math.round(performance.now() - t0)} ms`);
    expect(screen.getByTestId("trace-span-count").textContent).toBe("10,000");
    const rows = document.querySelectorAll(".wf-row");
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(200);
    expect(screen.getByTestId("waterfall").getAttribute("aria-rowcount")).toBe("10000");
    // Scrolling far down renders the rows there, still only a window of them.
    const body = screen.getByTestId("waterfall-body");
    act(() => {
      body.scrollTop = 24 * 9000;
      fireEvent.scroll(body);
    });
    const after = document.querySelectorAll(".wf-row");
    expect(after.length).toBeLessThan(200);
    const shown = Array.from(after).map((r) => Number(r.getAttribute("data-row")));
    expect(Math.min(...shown)).toBeGreaterThan(8900);
  }, 30000);

  it("shows the header, selects a span into the URL and shows its details", async () => {
    mockTrace(small);
    renderAt(`/traces/${TRACE_ID}?env=prod`);
    await screen.findByTestId("waterfall");
    expect(screen.getByTestId("trace-root-name").textContent).toBe("GET /cart");
    expect(screen.getByTestId("trace-error-count").textContent).toBe("1");
    expect(screen.getByTestId("trace-duration").textContent).toBe("100ms");
    fireEvent.click(document.querySelector('[data-span-id="aaaaaaaaaaaaaaa2"]')!);
    expect(location).toContain("span=aaaaaaaaaaaaaaa2");
    const details = await screen.findByTestId("span-details");
    expect(details.textContent).toContain("load cart");
    expect(screen.getByTestId("span-attributes").textContent).toContain("cart.items3");
    expect(screen.getByTestId("span-resource").textContent).toContain("host.nameh1");
    expect(details.textContent).toContain("exception");
    expect(details.textContent).toContain("+10ms into the span");
    const logs = screen.getByTestId("span-logs-link").getAttribute("href")!;
    const url = new URL(logs, "http://x");
    expect(url.pathname).toBe("/logs");
    expect(url.searchParams.get("q")).toBe(`trace_id:${TRACE_ID} span_id:aaaaaaaaaaaaaaa2`);
    expect(url.searchParams.get("env")).toBe("prod");
    expect(screen.getByTestId("service-metrics-link").getAttribute("href")).toBe("/services/cart?env=prod");
    expect(screen.getByText(/0123456789abcdef0123456789abcdef/).closest("a")!.getAttribute("href")).toBe(
      "/traces/0123456789abcdef0123456789abcdef?span=0123456789abcdef&env=prod",
    );
  });

  it("moves the selection with the keyboard and folds with left/right", async () => {
    mockTrace(small);
    renderAt(`/traces/${TRACE_ID}?span=aaaaaaaaaaaaaaa1`);
    await screen.findByTestId("span-details");
    fireEvent.keyDown(window, { key: "ArrowDown" });
    await waitFor(() => expect(location).toContain("span=aaaaaaaaaaaaaaa2"));
    fireEvent.keyDown(window, { key: "j" });
    await waitFor(() => expect(location).toContain("span=aaaaaaaaaaaaaaa3"));
    fireEvent.keyDown(window, { key: "ArrowLeft" }); // leaf: go to the parent
    await waitFor(() => expect(location).toContain("span=aaaaaaaaaaaaaaa2"));
    fireEvent.keyDown(window, { key: "ArrowLeft" }); // collapse it
    await waitFor(() => expect(document.querySelector('[data-span-id="aaaaaaaaaaaaaaa3"]')).toBeNull());
    expect(document.querySelectorAll(".wf-row")).toHaveLength(3);
    fireEvent.keyDown(window, { key: "ArrowRight" });
    await waitFor(() => expect(document.querySelectorAll(".wf-row")).toHaveLength(4));
    fireEvent.keyDown(window, { key: "Escape" });
    await waitFor(() => expect(screen.queryByTestId("span-details")).toBeNull());
  });

  it("draws the critical path of a large trace once the waterfall is shown", async () => {
    mockTrace(bigTrace(DEFER_CRITICAL_SPANS + 500));
    renderAt(`/traces/${TRACE_ID}`);
    await screen.findByTestId("waterfall", {}, { timeout: 20000 });
    // In this trace each child ends before the next starts: every span is on the path.
    await waitFor(() => expect(document.querySelector('.wf-row[data-row="0"] .wf-crit')).not.toBeNull(), { timeout: 10000 });
    expect(document.querySelectorAll(".wf-crit").length).toBeGreaterThan(10);
    fireEvent.click(screen.getByTestId("critical-toggle"));
    await waitFor(() => expect(document.querySelectorAll(".wf-crit")).toHaveLength(0));
  }, 30000);

  it("marks the critical path and lets the user turn it off", async () => {
    mockTrace(small);
    renderAt(`/traces/${TRACE_ID}`);
    await screen.findByTestId("waterfall");
    // payment (50-95) ends last: root, payment on the path; cart and db too (root's 0-50 is
    // covered by cart 10-40 and db 15-30).
    const dimmed = Array.from(document.querySelectorAll(".wf-row.critical-dim")).map((r) => r.getAttribute("data-span-id"));
    expect(dimmed).toEqual([]);
    expect(document.querySelectorAll(".wf-crit").length).toBeGreaterThanOrEqual(4);
    fireEvent.click(screen.getByTestId("critical-toggle"));
    await waitFor(() => expect(document.querySelectorAll(".wf-crit")).toHaveLength(0));
    expect(location).toContain("critical=0");
  });

  it("finds spans by text and jumps to them with Enter", async () => {
    mockTrace(small);
    renderAt(`/traces/${TRACE_ID}`);
    await screen.findByTestId("waterfall");
    const find = screen.getByLabelText("find span");
    fireEvent.change(find, { target: { value: "charge" } });
    await waitFor(() => expect(document.querySelectorAll(".wf-row.match")).toHaveLength(1));
    expect(location).toContain("find=charge");
    fireEvent.keyDown(find, { key: "Enter" });
    await waitFor(() => expect(location).toContain("span=aaaaaaaaaaaaaaa4"));
    expect(screen.getByTestId("find-count").textContent).toBe("1/1");
  });

  it("says when the trace does not exist", async () => {
    mockTrace(null);
    renderAt(`/traces/${TRACE_ID}`);
    expect(await screen.findByText("Trace not found")).toBeTruthy();
  });
});
