import { act, fireEvent, render, screen, waitFor, within } from "../../test/dom";
import { MemoryRouter, Route, Routes, useLocation } from "../../router";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { LogRow } from "../../api/types";
import { LogsPage } from "./LogsPage";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function row(i: number, extra: Partial<LogRow> = {}): LogRow {
  return {
    time: `2026-11-26T03:50:${String(59 - i).padStart(2, "0")}.000000007Z`,
    severity: "INFO",
    severity_number: 9,
    level: "info",
    body: `request ${i} served`,
    service: "cart",
    env: "prod",
    version: "1.0",
    host: "h1",
    trace_id: "",
    span_id: "",
    attributes: { "http.route": "/cart" },
    resource: { "service.name": "cart" },
    ...extra,
  };
}

const PAGE1 = [
  row(0, {
    severity: "ERROR",
    severity_number: 17,
    level: "error",
    service: "checkout",
    body: '{"msg":"payment failed","code":402}',
    trace_id: TRACE,
    span_id: "00f067aa0ba902b7",
    attributes: { "order.id": "ord-42" },
  }),
  row(1),
  row(2),
];

let requests: URL[] = [];

function respond(url: URL): unknown {
  switch (url.pathname) {
    case "/api/logs":
      if (url.searchParams.get("cursor") === "c1") return { logs: [row(3, { body: "from page two" })], next: null };
      return { logs: PAGE1, next: "c1" };
    case "/api/logs/histogram":
      return {
        step_ns: 60e9,
        buckets: [
          { time: "2026-11-26T03:49:00Z", counts: { info: 5 } },
          { time: "2026-11-26T03:50:00Z", counts: { info: 2, error: 1 } },
        ],
      };
    case "/api/logs/facets":
      return {
        total: 8,
        facets: {
          service: [
            { value: "cart", count: 7 },
            { value: "checkout", count: 1 },
          ],
          level: [
            { value: "info", count: 7 },
            { value: "error", count: 1 },
          ],
        },
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
        <Route path="/logs" element={<LogsPage />} />
        <Route path="*" element={<div>elsewhere</div>} />
      </Routes>
      <Where />
    </MemoryRouter>,
  );
}

class FakeEventSource {
  static instances: FakeEventSource[] = [];
  static CLOSED = 2;
  readyState = 1;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: MessageEvent<string>) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  emit(data: string) {
    this.onmessage?.({ data } as MessageEvent<string>);
  }
  close() {
    this.closed = true;
  }
}

beforeEach(() => {
  requests = [];
  FakeEventSource.instances = [];
  vi.stubGlobal("EventSource", FakeEventSource);
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

describe("LogsPage", () => {
  test("shows rows, volume and facets, scoped by the global env", async () => {
    renderAt("/logs?q=served&env=prod");
    expect(await screen.findByText("request 1 served", {}, { timeout: 5000 })).toBeTruthy();
    expect(screen.getAllByTestId("log-row")).toHaveLength(3);
    expect(screen.getByTestId("log-total").textContent).toContain("8 logs");
    const facets = screen.getByTestId("facets");
    expect(within(facets).getByText("checkout")).toBeTruthy();
    const logsCall = requests.find((u) => u.pathname === "/api/logs")!;
    expect(logsCall.searchParams.get("q")).toBe("served env:prod");
  });

  test("loads the next page with the cursor", async () => {
    renderAt("/logs");
    await screen.findByText("request 1 served");
    expect(await screen.findByText("from page two")).toBeTruthy();
    const paged = requests.filter((u) => u.pathname === "/api/logs" && u.searchParams.get("cursor") === "c1");
    expect(paged).toHaveLength(1);
    expect(await screen.findByText(/End of results · 4 logs/)).toBeTruthy();
  });

  test("a facet click adds its term to q", async () => {
    renderAt("/logs");
    const facets = await screen.findByTestId("facets");
    fireEvent.click(await within(facets).findByText("checkout"));
    await waitFor(() => expect(screen.getByTestId("where").textContent).toContain("q=service%3Acheckout"));
  });

  test("a row opens its detail with the JSON body, attributes and trace link", async () => {
    renderAt("/logs");
    fireEvent.click(await screen.findByText('{"msg":"payment failed","code":402}'));
    const detail = await screen.findByTestId("log-detail");
    expect(within(detail).getByTestId("log-body").textContent).toBe('{\n  "msg": "payment failed",\n  "code": 402\n}');
    expect(within(detail).getByText("ord-42")).toBeTruthy();
    const link = within(detail).getByTestId("view-trace") as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe(`/traces/${TRACE}?span=00f067aa0ba902b7`);
    expect(screen.getByTestId("where").textContent).toContain("log=2026-11-26T03%3A50%3A59.000000007Z");
    fireEvent.click(within(detail).getByLabelText("close detail"));
    await waitFor(() => expect(screen.queryByTestId("log-detail")).toBeNull());
  });

  test("a bad query shows the server's error", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ error: "position 0: unterminated quote" }), { status: 400 })),
    );
    renderAt('/logs?q="oops');
    expect((await screen.findByTestId("search-error")).textContent).toContain("unterminated quote");
  });

  test("live tail prepends streamed rows, skips malformed ones and holds rows while paused", async () => {
    renderAt("/logs?live=1&q=level:error");
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    const source = FakeEventSource.instances[0];
    expect(source.url).toBe("/api/logs/tail?q=level%3Aerror");
    act(() => {
      source.onopen?.();
      source.emit(JSON.stringify(row(10, { body: "older streamed" })));
      source.emit("not json");
      source.emit(JSON.stringify(row(11, { body: "newer streamed" })));
    });
    await screen.findByText("newer streamed");
    const bodies = screen.getAllByTestId("log-row").map((r) => r.textContent);
    expect(bodies[0]).toContain("newer streamed");
    expect(bodies[1]).toContain("older streamed");
    expect(bodies).toHaveLength(2);

    fireEvent.click(screen.getByTestId("live-pause"));
    act(() => source.emit(JSON.stringify(row(12, { body: "held back" }))));
    expect(await screen.findByText("Resume (1 new)")).toBeTruthy();
    expect(screen.queryByText("held back")).toBeNull();
    fireEvent.click(screen.getByTestId("live-pause"));
    expect(await screen.findByText("held back")).toBeTruthy();

    fireEvent.click(screen.getByTestId("live-toggle"));
    await waitFor(() => expect(source.closed).toBe(true));
  });
});
