import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "./router";
import { Shell } from "./shell/Shell";

// Each page is its own chunk, loaded when first visited, so the first render only pays for the
// shell and the page shown.
const ServicesPage = lazy(() => import("./pages/services/ServicesPage").then((m) => ({ default: m.ServicesPage })));
const ServicePage = lazy(() => import("./pages/service/ServicePage").then((m) => ({ default: m.ServicePage })));
const TracesPage = lazy(() => import("./pages/traces/TracesPage").then((m) => ({ default: m.TracesPage })));
const TracePage = lazy(() => import("./pages/trace/TracePage").then((m) => ({ default: m.TracePage })));
const LogsPage = lazy(() => import("./pages/logs/LogsPage").then((m) => ({ default: m.LogsPage })));
const MetricsPage = lazy(() => import("./pages/metrics/MetricsPage").then((m) => ({ default: m.MetricsPage })));
const ServiceMapPage = lazy(() => import("./pages/map/ServiceMapPage").then((m) => ({ default: m.ServiceMapPage })));

function Page({ children }: { children: React.ReactNode }) {
  return <Suspense fallback={<div className="page muted">Loading…</div>}>{children}</Suspense>;
}

// Routes of the console; every page lives inside the shell (navigation, time range, env, theme).
export function App() {
  return (
    <Routes>
      <Route element={<Shell />}>
        <Route path="/" element={<Navigate to="/services" replace />} />
        <Route path="/services" element={<Page><ServicesPage /></Page>} />
        <Route path="/services/:service" element={<Page><ServicePage /></Page>} />
        <Route path="/traces" element={<Page><TracesPage /></Page>} />
        <Route path="/traces/:traceId" element={<Page><TracePage /></Page>} />
        <Route path="/logs" element={<Page><LogsPage /></Page>} />
        <Route path="/metrics" element={<Page><MetricsPage /></Page>} />
        <Route path="/map" element={<Page><ServiceMapPage /></Page>} />
        <Route path="*" element={<div className="page empty">No such page.</div>} />
      </Route>
    </Routes>
  );
}
