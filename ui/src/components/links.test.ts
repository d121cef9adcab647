import { describe, expect, it } from "vitest";
import { logsSearchPath, quoteValue, searchQuery, serviceMetricsPath, servicePath, tracePath, tracesSearchPath } from "./links";

describe("entity paths", () => {
  it("quotes values only when needed", () => {
    expect(quoteValue("checkout")).toBe("checkout");
    expect(quoteValue("1.5.0-canary")).toBe("1.5.0-canary");
    expect(quoteValue("GET /cart")).toBe('"GET /cart"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
  });
  it("builds search queries and paths", () => {
    expect(searchQuery({ service: "cart", name: "GET /cart", env: "" })).toBe('service:cart name:"GET /cart"');
    expect(tracesSearchPath({ service: "cart", name: "GET /cart" })).toBe(
      "/traces?q=service%3Acart%20name%3A%22GET%20%2Fcart%22",
    );
    expect(logsSearchPath({ service: "cart" })).toBe("/logs?q=service%3Acart");
    expect(servicePath("a b")).toBe("/services/a%20b");
    expect(tracePath("abc", "def")).toBe("/traces/abc?span=def");
    expect(tracePath("abc")).toBe("/traces/abc");
  });
  it("links the metrics explorer with the documented parameters", () => {
    const url = new URL(serviceMetricsPath("checkout"), "http://x");
    expect(url.pathname).toBe("/metrics");
    expect(url.searchParams.get("metric")).toBe("traces_spanmetrics_calls_total");
    expect(url.searchParams.get("agg")).toBe("sum");
    expect(url.searchParams.get("by")).toBe("span_name");
    expect(url.searchParams.get("match")).toBe('service="checkout"');
  });
});
