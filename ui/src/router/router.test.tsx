import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "../test/dom";
import { Link, MemoryRouter, NavLink, Navigate, Outlet, Route, Routes, matchPath, useLocation, useParams, useSearchParams } from ".";

function Where() {
  const l = useLocation();
  return <div data-testid="where">{l.pathname + l.search}</div>;
}

function Params() {
  return <div data-testid="params">{JSON.stringify(useParams())}</div>;
}

describe("matchPath", () => {
  it.each([
    ["/traces", "/traces", {}],
    ["/traces", "/traces/", {}],
    ["/traces/:id", "/traces/ab%2Fc", { id: "ab/c" }],
    ["/services/:service", "/services", null],
    ["/services", "/services/x", null],
    ["*", "/any/thing", { "*": "any/thing" }],
    ["/a/*", "/a", { "*": "" }],
    ["/traces/:id", "/traces/%E0%A4%A", { id: "%E0%A4%A" }],
  ])("%s against %s", (pattern, path, want) => {
    expect(matchPath(pattern, path)).toEqual(want);
  });
});

describe("Routes", () => {
  it("renders the first match inside its layout, with params", () => {
    render(
      <MemoryRouter initialEntries={["/traces/t1?x=1"]}>
        <Routes>
          <Route element={<section data-testid="layout"><Outlet /></section>}>
            <Route path="/traces" element={<div>list</div>} />
            <Route path="/traces/:traceId" element={<Params />} />
            <Route path="*" element={<div>nothing</div>} />
          </Route>
        </Routes>
      </MemoryRouter>,
    );
    expect(screen.getByTestId("layout").textContent).toBe('{"traceId":"t1"}');
  });

  it("falls back to the catch-all and renders nothing without a match", () => {
    const { container } = render(
      <MemoryRouter initialEntries={["/nope"]}>
        <Routes>
          <Route path="/a" element={<div>a</div>} />
        </Routes>
      </MemoryRouter>,
    );
    expect(container.textContent).toBe("");
  });

  it("Navigate redirects", () => {
    render(
      <MemoryRouter initialEntries={["/"]}>
        <Routes>
          <Route path="/" element={<Navigate to="/services" replace />} />
          <Route path="/services" element={<div>services</div>} />
        </Routes>
        <Where />
      </MemoryRouter>,
    );
    expect(screen.getByText("services")).toBeTruthy();
    expect(screen.getByTestId("where").textContent).toBe("/services");
  });
});

describe("links", () => {
  it("a plain click navigates in the app; a modified click is left to the browser", () => {
    render(
      <MemoryRouter initialEntries={["/services?env=prod"]}>
        <Link to="/traces?env=prod">traces</Link>
        <Where />
      </MemoryRouter>,
    );
    const a = screen.getByText("traces");
    expect(a.getAttribute("href")).toBe("/traces?env=prod");
    fireEvent.click(a, { ctrlKey: true });
    expect(screen.getByTestId("where").textContent).toBe("/services?env=prod");
    fireEvent.click(a);
    expect(screen.getByTestId("where").textContent).toBe("/traces?env=prod");
  });

  it("NavLink is active at its path and below it", () => {
    render(
      <MemoryRouter initialEntries={["/services/cart"]}>
        <NavLink to="/services?env=x">services</NavLink>
        <NavLink to="/traces" className={({ isActive }) => (isActive ? "on" : "off")}>
          traces
        </NavLink>
        <NavLink to="/serv" className="nav">serv</NavLink>
      </MemoryRouter>,
    );
    expect(screen.getByText("services").className).toBe("active");
    expect(screen.getByText("traces").className).toBe("off");
    expect(screen.getByText("serv").className).toBe("nav");
  });
});

function TwoUpdates() {
  const [params, setParams] = useSearchParams();
  return (
    <button
      onClick={() => {
        setParams((p) => (p.set("a", "1"), p));
        setParams((p) => (p.set("b", "2"), p), { replace: true });
      }}
    >
      {params.toString() || "empty"}
    </button>
  );
}

describe("useSearchParams", () => {
  it("updates in one event compose, keeping the path", () => {
    render(
      <MemoryRouter initialEntries={["/logs?q=x"]}>
        <TwoUpdates />
        <Where />
      </MemoryRouter>,
    );
    fireEvent.click(screen.getByText("q=x"));
    expect(screen.getByTestId("where").textContent).toBe("/logs?q=x&a=1&b=2");
    expect(screen.getByRole("button").textContent).toBe("q=x&a=1&b=2");
  });
});
