import { afterEach, describe, expect, it, vi } from "vitest";
import { fireEvent, screen, waitFor, within } from "../../test/dom";
import { fakeApi, renderAt } from "../../components/testing/fakeApi";
import { ServicesPage } from "./ServicesPage";
import type { ServicesOverviewResponse } from "../../api/types";

const T = 1795665600000;
function row(service: string, requests: number, errorRate: number, p95: number | null, versions: string[]) {
  return {
    service,
    envs: ["prod"],
    versions,
    requests,
    rate: requests / 3600,
    errors: Math.round(requests * errorRate),
    error_rate: errorRate,
    p50_ms: p95 == null ? null : p95 / 4,
    p95_ms: p95,
    p99_ms: p95 == null ? null : p95 * 2,
    log_errors: service === "payment" ? 7 : 0,
    series: { rate: [[T, 1], [T + 60000, 2]], error_rate: [[T, 0.1]], p95_ms: [[T, 50]] },
  };
}
const OVERVIEW = {
  step: 60000,
  services: [
    row("frontend", 9000, 0.01, 120, ["1.0"]),
    row("payment", 3000, 0.08, 300, ["2.0", "2.1-canary"]),
    row("cart", 5000, 0, null, ["1.0"]),
  ],
} as unknown as ServicesOverviewResponse;

afterEach(() => vi.unstubAllGlobals());

function names() {
  return screen.getAllByTestId("service-row").map((r) => within(r).getByTestId("service-link").textContent);
}

describe("ServicesPage", () => {
  it("lists services by requests with formatted figures and links", async () => {
    const api = fakeApi({ "/api/services/overview": OVERVIEW });
    renderAt(<ServicesPage />, "/services?env=prod&from=now-1h&to=now");
    await waitFor(() => expect(screen.getAllByTestId("service-row")).toHaveLength(3));
    expect(names()).toEqual(["frontend", "cart", "payment"]);
    const payment = screen.getAllByTestId("service-row")[2];
    expect(within(payment).getByText("8.0%")).toBeTruthy();
    expect(within(payment).getByText("300ms")).toBeTruthy();
    expect(within(payment).getByText("2.1-canary").className).toContain("canary");
    expect(within(payment).getByTestId("service-link").getAttribute("href")).toBe(
      "/services/payment?from=now-1h&to=now&env=prod",
    );
    const traces = new URL(within(payment).getByTestId("service-traces-link").getAttribute("href")!, "http://x");
    expect([traces.pathname, traces.searchParams.get("q"), traces.searchParams.get("env")]).toEqual([
      "/traces",
      "service:payment",
      "prod",
    ]);
    const logs = new URL(within(payment).getByText("7").getAttribute("href")!, "http://x");
    expect([logs.pathname, logs.searchParams.get("q")]).toEqual(["/logs", "service:payment level:error"]);
    const url = new URL(String(api.mock.calls[0][0]), "http://x");
    expect(url.searchParams.get("env")).toBe("prod");
    expect(url.searchParams.get("start")).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("sorts by any column, missing values last, and keeps the sort in the URL", async () => {
    fakeApi({ "/api/services/overview": OVERVIEW });
    renderAt(<ServicesPage />, "/services");
    await waitFor(() => expect(screen.getAllByTestId("service-row")).toHaveLength(3));
    fireEvent.click(screen.getByTestId("sort-p95_ms"));
    expect(names()).toEqual(["payment", "frontend", "cart"]);
    expect(screen.getByTestId("location").textContent).toContain("sort=-p95_ms");
    fireEvent.click(screen.getByTestId("sort-p95_ms"));
    expect(names()).toEqual(["frontend", "payment", "cart"]);
    fireEvent.keyDown(screen.getByTestId("sort-service"), { key: "Enter" });
    expect(names()).toEqual(["cart", "frontend", "payment"]);
  });

  it("filters by name and version from the URL", async () => {
    const api = fakeApi({ "/api/services/overview": OVERVIEW });
    renderAt(<ServicesPage />, "/services?version=2.1-canary");
    await waitFor(() => expect(screen.getAllByTestId("service-row")).toHaveLength(1));
    expect(names()).toEqual(["payment"]);
    // The API computes the figures of that version alone.
    expect(new URL(String(api.mock.calls[0][0]), "http://test").searchParams.get("version")).toBe("2.1-canary");
    expect(screen.getByTestId("version-note").textContent).toContain("2.1-canary");
  });

  it("says what to do when there is no data, and shows API errors", async () => {
    fakeApi({ "/api/services/overview": { step: 60000, services: [] } });
    const { unmount } = renderAt(<ServicesPage />, "/services");
    await waitFor(() => expect(screen.getByTestId("empty-state").textContent).toContain("Send traces over OTLP"));
    unmount();
    fakeApi({ "/api/services/overview": () => ({ status: 400, body: { error: "bad start" } }) });
    renderAt(<ServicesPage />, "/services?from=x");
    await waitFor(() => expect(screen.getByTestId("error-state").textContent).toContain("bad start"));
  });
});
