import { describe, expect, it } from "vitest";
import { withGlobals } from "./globals";

describe("withGlobals", () => {
  const current = new URLSearchParams("from=now-15m&to=now&env=prod&version=2.0&sort=-rate&q=x");
  it("keeps only the global parameters of the current URL", () => {
    expect(withGlobals("/logs", current)).toBe("/logs?from=now-15m&to=now&env=prod&version=2.0");
  });
  it("lets the path's own query win and sets or removes extras", () => {
    expect(withGlobals("/logs?env=staging&q=a", current)).toBe("/logs?env=staging&q=a&from=now-15m&to=now&version=2.0");
    expect(withGlobals("/services/x", current, { version: "" })).toBe("/services/x?from=now-15m&to=now&env=prod");
    expect(withGlobals("", current, { version: "3.0" })).toBe("?from=now-15m&to=now&env=prod&version=3.0");
  });
});
