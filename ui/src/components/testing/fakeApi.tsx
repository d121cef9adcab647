import { render } from "../../test/dom";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "../../router";
import { vi } from "vitest";

// Test helpers: a fetch that answers /api paths from fixtures, and rendering inside a router.

export type Fixture = unknown | ((url: URL) => { status: number; body: unknown });

// Replaces global fetch: the longest fixture path that prefixes the request path answers it;
// unknown paths get a 404. Returns the mock so tests can inspect the requested URLs.
export function fakeApi(fixtures: Record<string, Fixture>) {
  const mock = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), "http://test");
    const key = Object.keys(fixtures)
      .filter((k) => url.pathname === k || url.pathname.startsWith(`${k}?`))
      .sort((a, b) => b.length - a.length)[0];
    let status = 200;
    let body: unknown = { error: `no fixture for ${url.pathname}` };
    if (key === undefined) status = 404;
    else if (typeof fixtures[key] === "function") ({ status, body } = (fixtures[key] as (u: URL) => { status: number; body: unknown })(url));
    else body = fixtures[key];
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", mock);
  return mock;
}

function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname + location.search}</div>;
}

// Renders `element` at `url` under `path`, with a probe showing the current location.
export function renderAt(element: ReactElement, url: string, path = "*") {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route path={path} element={element} />
      </Routes>
      <LocationProbe />
    </MemoryRouter>,
  );
}
