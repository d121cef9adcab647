import { afterEach, describe, expect, it } from "vitest";
import { fakeApi } from "../components/testing/fakeApi";
import { clearPrefetched, PREFETCH_MAX_AGE_MS, prefetch, sameRequest, takePrefetched } from "./prefetch";

afterEach(() => clearPrefetched());

describe("sameRequest", () => {
  it("treats absent and empty values alike and compares the rest exactly", () => {
    expect(sameRequest({ env: "", q: "a" }, { q: "a", version: undefined })).toBe(true);
    expect(sameRequest({ q: "a" }, { q: "b" })).toBe(false);
    expect(sameRequest({ limit: 50 }, { limit: "50" })).toBe(true);
    expect(sameRequest({ env: "prod" }, {})).toBe(false);
  });

  it("lets start and end differ by a few seconds only", () => {
    const a = { start: "2026-01-01T10:00:00.000Z", end: "2026-01-01T11:00:00.000Z" };
    expect(sameRequest(a, { start: "2026-01-01T10:00:00.800Z", end: "2026-01-01T11:00:00.800Z" })).toBe(true);
    expect(sameRequest(a, { start: "2026-01-01T10:01:00.000Z", end: "2026-01-01T11:00:00.000Z" })).toBe(false);
    expect(sameRequest(a, { start: "yesterday", end: a.end })).toBe(false);
  });
});

describe("prefetch", () => {
  it("hands a prefetched answer to the first matching request only", async () => {
    const api = fakeApi({ "/api/services/overview": { step: 60000, services: [] } });
    prefetch("/api/services/overview", { env: "prod" }, 1000);
    expect(api).toHaveBeenCalledTimes(1);
    expect(takePrefetched("/api/services/overview", { env: "staging" }, 1100)).toBeUndefined();
    expect(takePrefetched("/api/service-map", { env: "prod" }, 1100)).toBeUndefined();
    const p = takePrefetched<{ step: number }>("/api/services/overview", { env: "prod" }, 1100);
    expect(p).toBeDefined();
    expect((await p!).step).toBe(60000);
    expect(takePrefetched("/api/services/overview", { env: "prod" }, 1200)).toBeUndefined();
  });

  it("does not hand out an old answer", () => {
    fakeApi({ "/api/metrics": { metrics: [] } });
    prefetch("/api/metrics", {}, 1000);
    expect(takePrefetched("/api/metrics", {}, 1000 + PREFETCH_MAX_AGE_MS + 1)).toBeUndefined();
  });
});
