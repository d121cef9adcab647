import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor } from "../../test/dom";
import { fakeApi, renderAt } from "../../components/testing/fakeApi";
import { ServiceMapPage } from "./ServiceMapPage";

const MAP = {
  nodes: [
    { service: "user", requests: 100, rate: 1, error_rate: 0, p95_ms: null, virtual: true },
    { service: "frontend", requests: 100, rate: 1, error_rate: 0.01, p95_ms: 90, virtual: false },
    { service: "checkout", requests: 50, rate: 0.5, error_rate: 0.02, p95_ms: 120, virtual: false },
    { service: "payment", requests: 40, rate: 0.4, error_rate: 0.1, p95_ms: 300, virtual: false },
  ],
  edges: [
    { client: "user", server: "frontend", requests: 100, rate: 1, error_rate: 0.01, p95_ms: 90 },
    { client: "frontend", server: "checkout", requests: 50, rate: 0.5, error_rate: 0.02, p95_ms: 120 },
    { client: "checkout", server: "payment", requests: 40, rate: 0.4, error_rate: 0.1, p95_ms: 300 },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("ServiceMapPage", () => {
  it("draws nodes and edges, coloured by errors, and opens a service on click", async () => {
    const api = fakeApi({ "/api/service-map": MAP });
    renderAt(<ServiceMapPage />, "/map?env=prod");
    await waitFor(() => expect(screen.getAllByTestId("map-node")).toHaveLength(4));
    expect(new URL(String(api.mock.calls[0][0]), "http://x").searchParams.get("env")).toBe("prod");
    const edges = screen.getAllByTestId("map-edge");
    expect(edges).toHaveLength(3);
    const pay = edges.find((e) => e.getAttribute("data-server") === "payment")!;
    expect(pay.getAttribute("class")).toContain("error");
    const widths = edges.map((e) => Number(e.querySelector("path.line")!.getAttribute("stroke-width")));
    expect(widths[0]).toBeGreaterThan(widths[2]);
    const user = screen.getAllByTestId("map-node").find((n) => n.getAttribute("data-service") === "user")!;
    expect(user.getAttribute("class")).toContain("virtual");
    fireEvent.click(user);
    expect(screen.getByTestId("location").textContent).toBe("/map?env=prod");
    const checkout = screen.getAllByTestId("map-node").find((n) => n.getAttribute("data-service") === "checkout")!;
    fireEvent.mouseMove(checkout, { clientX: 10, clientY: 10 });
    expect(screen.getByTestId("map-tooltip").textContent).toContain("p95 120ms");
    fireEvent.click(checkout);
    expect(screen.getByTestId("location").textContent).toBe("/services/checkout?env=prod");
  });

  it("lists the connections in a sortable table", async () => {
    fakeApi({ "/api/service-map": MAP });
    renderAt(<ServiceMapPage />, "/map");
    await waitFor(() => expect(screen.getAllByTestId("edge-row")).toHaveLength(3));
    fireEvent.click(screen.getByTestId("sort-error_rate"));
    expect(screen.getAllByTestId("edge-row")[0].textContent).toContain("payment");
  });

  it("explains an empty map", async () => {
    fakeApi({ "/api/service-map": { nodes: [], edges: [] } });
    renderAt(<ServiceMapPage />, "/map");
    await waitFor(() => expect(screen.getByTestId("empty-state").textContent).toContain("client and server spans"));
  });
});
