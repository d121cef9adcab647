import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "../../router";
import { useApi } from "../../api/useApi";
import type { LogFacetsResponse, LogHistogramResponse, LogRow, LogsResponse } from "../../api/types";
import { FacetList, type FacetGroup } from "../../components/search/FacetList";
import { SearchBar } from "../../components/search/SearchBar";
import { formatCount } from "../../components/search/format";
import { LOG_FIELDS, toggleTerm } from "../../components/search/query";
import { useGlobals } from "../../state/globals";
import { niceStepMs } from "../../state/timeRange";
import { formatStep, toVolume } from "./histogramData";
import { LogDetail } from "./LogDetail";
import { LogList } from "./LogList";
import { timeNs } from "./logFormat";
import { DEFAULT_FACETS, facetFields, parseFacetKeys, scopedQuery } from "./logQuery";
import { LiveTailBar } from "./LiveTailBar";
import { TAIL_CAP, useLiveTail } from "./useLiveTail";
import { useLogPages } from "./useLogPages";
import { VolumeHistogram } from "./VolumeHistogram";
import "./logs.css";
import { groupDigits } from "../../components/format";

function facetValues(facets: LogFacetsResponse["facets"] | undefined, key: string) {
  if (!facets) return [];
  return facets[key] ?? facets[`@${key}`] ?? facets[key.replace(/^@/, "")] ?? [];
}

// One row by its exact time, for a `log=` deep link whose row is not among the loaded ones.
function useRowAt(time: string, known: LogRow | undefined): LogRow | undefined {
  const ns = time && !known ? timeNs(time) : undefined;
  const params = ns ? { start: ns, end: (BigInt(ns) + 1n).toString(), limit: 10 } : {};
  const found = useApi<LogsResponse>(ns ? "/api/logs" : null, params);
  return known ?? found.data?.logs.find((r) => r.time === time) ?? found.data?.logs[0];
}

// The logs explorer: search, facets, volume by level, the newest-first list with paging or live
// tail, and a detail panel. Its whole state is in the URL (q, facets, live, log).
export function LogsPage() {
  const globals = useGlobals();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const extraKeys = parseFacetKeys(params.get("facets") ?? "");
  const live = params.get("live") === "1";
  const selectedTime = params.get("log") ?? "";
  const [paused, setPaused] = useState(false);

  const setPage = useCallback(
    (changes: Record<string, string>) =>
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      }),
    [setParams],
  );

  const scoped = scopedQuery(q, globals.env, globals.version);
  const { start, end } = globals.apiRange;
  const stepMs = niceStepMs(globals.resolved, 90);
  const histogram = useApi<LogHistogramResponse>("/api/logs/histogram", { q: scoped, start, end, step: formatStep(stepMs) });
  const facets = useApi<LogFacetsResponse>("/api/logs/facets", { q: scoped, start, end, fields: facetFields(extraKeys) });
  const pages = useLogPages(scoped, start, end, !live);
  const tail = useLiveTail(scoped, live, paused);

  const rows = live ? tail.rows : pages.rows;
  const selectedIndex = selectedTime ? rows.findIndex((r) => r.time === selectedTime) : -1;
  const detailRow = useRowAt(selectedTime, selectedIndex >= 0 ? rows[selectedIndex] : undefined);
  const volume = useMemo(() => (histogram.data ? toVolume(histogram.data) : undefined), [histogram.data]);

  const groups: FacetGroup[] = [
    ...DEFAULT_FACETS.map((f) => ({ field: f, values: facetValues(facets.data?.facets, f) })),
    ...extraKeys.map((k) => ({ field: `@${k}`, label: k, values: facetValues(facets.data?.facets, k), removable: true })),
  ];
  const setQuery = (next: string) => setPage({ q: next, log: "" });
  const queryError = !live ? (pages.error ?? histogram.error) : histogram.error;
  const loading = live ? tail.status === "connecting" && rows.length === 0 : pages.loading;

  let endText = "";
  if (!live && !pages.loading && rows.length > 0) endText = `End of results · ${groupDigits(rows.length)} logs`;

  return (
    <div className={`logs-page${detailRow ? " with-detail" : ""}`}>
      <aside className="logs-facets" aria-label="facets">
        <FacetList
          groups={groups}
          query={q}
          onQueryChange={setQuery}
          builtinFields={LOG_FIELDS}
          loading={facets.loading}
          error={facets.error && !queryError ? facets.error : undefined}
          onAddField={(f) => setPage({ facets: [...extraKeys, f.replace(/^@/, "")].join(",") })}
          onRemoveField={(f) => setPage({ facets: extraKeys.filter((k) => k !== f.replace(/^@/, "")).join(",") })}
        />
      </aside>
      <section className="logs-main">
        <div className="logs-toolbar">
          <SearchBar
            value={q}
            onSubmit={setQuery}
            fields={[...LOG_FIELDS, ...extraKeys.map((k) => `@${k}`)]}
            historyKey="logs"
            error={queryError}
            placeholder='Search logs: service:checkout level:error "card declined" @http.status_code:>=500'
          />
          <LiveTailBar
            live={live}
            paused={paused}
            status={tail.status}
            pending={tail.pending}
            count={tail.rows.length}
            onLive={(on) => {
              setPaused(false);
              setPage({ live: on ? "1" : "", log: "" });
            }}
            onPause={(p) => setPaused(p)}
            onClear={tail.clear}
          />
        </div>
        <div className="panel volume-panel">
          <div className="panel-head">
            <h2>Log volume</h2>
            <span className="muted" data-testid="log-total">
              {volume ? `${formatCount(volume.total)} logs · per ${formatStep(volume.stepMs)}` : histogram.loading ? "…" : ""}
            </span>
            <div className="spacer" />
            {volume?.levels.map((l) => (
              <span key={l} className="legend-item">
                <span className={`dot sev-bg-${l}`} /> {l}
              </span>
            ))}
          </div>
          {volume ? (
            <VolumeHistogram
              volume={volume}
              startMs={globals.resolved.startMs}
              endMs={globals.resolved.endMs}
              onZoom={(a, b) => globals.setRange({ from: String(a), to: String(b) })}
            />
          ) : (
            <div className="volume-placeholder muted">{histogram.error ? "" : "Loading…"}</div>
          )}
        </div>
        <div className="panel list-panel">
          <div className="loglist-head">
            <span className="logrow-time">Time</span>
            <span className="logrow-level">Level</span>
            <span className="logrow-service">Service</span>
            <span className="logrow-body">Body</span>
          </div>
          {loading ? (
            <div className="list-state muted" data-testid="logs-loading">
              Loading logs…
            </div>
          ) : queryError && !live ? (
            <div className="list-state error-text">Query failed: {queryError}</div>
          ) : rows.length === 0 ? (
            <div className="list-state muted" data-testid="logs-empty">
              {live
                ? "Waiting for new logs that match the query… (send logs to /v1/logs via OTLP)"
                : q
                  ? "No logs match this query in the time range. Widen the time range or remove a filter."
                  : "No logs in this time range. Widen the time range, or send logs via OTLP (POST /v1/logs, or gRPC :4317)."}
            </div>
          ) : (
            <LogList
              rows={rows}
              selected={selectedIndex >= 0 ? selectedIndex : undefined}
              onSelect={(i) => setPage({ log: i === undefined ? "" : rows[i].time })}
              hasMore={!live && pages.hasMore}
              loadingMore={pages.loadingMore}
              onLoadMore={pages.loadMore}
              endText={live ? `${groupDigits(rows.length)} streamed rows (the newest ${groupDigits(TAIL_CAP)} are kept)` : endText}
            />
          )}
        </div>
      </section>
      {detailRow && (
        <LogDetail
          row={detailRow}
          onClose={() => setPage({ log: "" })}
          onFilter={(field, value) => setPage({ q: toggleTerm(q, field, value) })}
        />
      )}
    </div>
  );
}
