import { useMemo, useRef, useState } from "react";
import { NavLink, Outlet, useNavigate } from "../router";
import { useGlobals, useLinkTo } from "../state/globals";
import { useShortcuts, type Shortcut } from "../state/shortcuts";
import { useTheme } from "../state/theme";
import { ShortcutHelp } from "./ShortcutHelp";
import { TagSelect } from "./TagSelect";
import { TimeRangePicker, type TimeRangePickerHandle } from "./TimeRangePicker";

const NAV = [
  { to: "/services", label: "Services", key: "s" },
  { to: "/traces", label: "Traces", key: "t" },
  { to: "/logs", label: "Logs", key: "l" },
  { to: "/metrics", label: "Metrics", key: "m" },
  { to: "/map", label: "Service map", key: "p" },
];

// The frame around every page: navigation, global time range, env and version filters, theme
// switch and keyboard shortcuts ("?" lists them).
export function Shell() {
  const globals = useGlobals();
  const linkTo = useLinkTo();
  const navigate = useNavigate();
  const [theme, toggleTheme] = useTheme();
  const [help, setHelp] = useState(false);
  const picker = useRef<TimeRangePickerHandle>(null);
  const shortcuts: Shortcut[] = useMemo(
    () => [
      ...NAV.map((n) => ({ keys: `g ${n.key}`, description: `Go to ${n.label}`, run: () => navigate(linkTo(n.to)) })),
      { keys: "t", description: "Open the time range picker", run: () => picker.current?.toggle() },
      { keys: "[", description: "Move the time range earlier", run: () => picker.current?.shift(-1) },
      { keys: "]", description: "Move the time range later", run: () => picker.current?.shift(1) },
      { keys: "-", description: "Zoom out (twice the range)", run: () => picker.current?.zoomOut() },
      { keys: "r", description: "Refresh", run: () => globals.setRange(globals.range) },
      { keys: "T", description: "Switch dark/light theme", run: toggleTheme },
      { keys: "?", description: "Show keyboard shortcuts", run: () => setHelp((h) => !h) },
    ],
    [navigate, linkTo, toggleTheme, globals],
  );
  useShortcuts(shortcuts);
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to={linkTo("/services")} className="brand">
          Periscope
        </NavLink>
        <nav>
          {NAV.map((n) => (
            <NavLink
              key={n.to}
              to={linkTo(n.to)}
              title={`g ${n.key}`}
              className={({ isActive }) => (isActive ? "active" : "")}
            >
              {n.label}
            </NavLink>
          ))}
        </nav>
        <div className="spacer" />
        <TagSelect tag="env" value={globals.env} onChange={globals.setEnv} />
        <TagSelect tag="version" value={globals.version} onChange={globals.setVersion} env={globals.env} />
        <TimeRangePicker ref={picker} />
        <button
          className="icon"
          title="Switch theme (T)"
          aria-label="Switch theme"
          onClick={toggleTheme}
          data-testid="theme-toggle"
        >
          {theme === "dark" ? "☀" : "☾"}
        </button>
        <button className="icon" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onClick={() => setHelp(true)}>
          ?
        </button>
      </header>
      <main className="content">
        <Outlet />
      </main>
      {help && <ShortcutHelp shortcuts={shortcuts} onClose={() => setHelp(false)} />}
    </div>
  );
}
