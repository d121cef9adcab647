import { useCallback, useMemo, useState } from "react";
import type { AttributeKeysResponse, TraceFacetsResponse, TraceSearchResponse } from "../../api/types";
import { useApi } from "../../api/useApi";
import { FacetList, type FacetGroup } from "../../components/search/FacetList";
import { formatCount } from "../../components/search/format";
import { TRACE_FIELDS, formatTerm, replaceFieldTerms } from "../../components/search/query";
import { SearchBar } from "../../components/search/SearchBar";
import { useGlobals, useParam } from "../../state/globals";
import { DurationHistogram } from "./DurationHistogram";
import { selectedBuckets, selectionTerms } from "./durations";
import { DEFAULT_FACETS, facetFieldsParam, parseExtraFacets } from "./facetFields";
import { formatSort, parseSort } from "./sortTraces";
import { TraceResultList } from "./TraceResultList";
import "../trace/trace.css";
import "./traces.css";

const SUGGESTED_FIELDS = [...TRACE_FIELDS, "@http.route", "@http.response.status_code", "@http.request.method"];
const PAGE = 50;
const MAX_LIMIT = 1000;

// The trace explorer (/traces): search bar (`q`), facets, span-duration histogram (drag to filter)
// and the matching traces, newest first. Everything lives in the URL.
export function TracesPage() {
  const globals = useGlobals();
  const [q, setQ] = useParam("q");
  const [facetsParam, setFacetsParam] = useParam("facets");
  const [sortParam, setSortParam] = useParam("sort");
  const [limitParam, setLimitParam] = useParam("limit");
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(limitParam) || PAGE));
  const extra = useMemo(() => parseExtraFacets(facetsParam), [facetsParam]);
  const sort = parseSort(sortParam);

  // The global `version` filter is a term of the query sent to the API.
  const apiQ = [q, globals.version ? formatTerm("version", globals.version) : ""].filter(Boolean).join(" ");
  const common = { q: apiQ, env: globals.env, ...globals.apiRange };
  const traces = useApi<TraceSearchResponse>("/api/traces", { ...common, limit });
  const facets = useApi<TraceFacetsResponse>("/api/traces/facets", { ...common, fields: facetFieldsParam(extra) });
  // Attribute keys for the facet picker, loaded once the picker is focused.
  const [wantKeys, setWantKeys] = useState(false);
  const keys = useApi<AttributeKeysResponse>(wantKeys ? "/api/traces/attributes" : null, common);
  const suggestions = useMemo(() => {
    const shown = new Set([...DEFAULT_FACETS.map((f) => f.field), ...extra]);
    const out: { key: string; count: number }[] = [];
    for (const k of keys.data?.keys ?? []) {
      if (!shown.has(k.key) && !out.some((o) => o.key === k.key)) out.push({ key: k.key, count: k.count });
    }
    return out;
  }, [keys.data, extra]);

  const groups: FacetGroup[] = [
    ...DEFAULT_FACETS.map((f) => ({ field: f.field, label: f.label, values: facets.data?.facets[f.field] ?? [] })),
    ...extra.map((f) => ({ field: f, label: `@${f}`, values: facets.data?.facets[f] ?? [], removable: true })),
  ];

  const submit = useCallback((next: string) => setQ(next), [setQ]);
  const bounds = facets.data?.duration.buckets_ms ?? [];
  const counts = facets.data?.duration.counts ?? [];
  const onDurationSelect = useCallback(
    (lo: number, hi: number) => setQ(replaceFieldTerms(q, "duration", selectionTerms(bounds, lo, hi))),
    [q, bounds, setQ],
  );
  const durationSel = bounds.length ? selectedBuckets(bounds, q) : undefined;
  // A bad query fails both requests with the same message: the search bar shows it once.
  const queryError = traces.error;
  const facetsError = facets.error && facets.error !== queryError ? facets.error : undefined;
  const list = traces.data?.traces ?? [];

  return (
    <div className="traces-page" data-testid="traces-page">
      <aside className="traces-side">
        <div className="summary" data-testid="span-total">
          {facets.data
            ? `${formatCount(facets.data.total_spans)} matching spans${facets.data.sampled ? " (sampled)" : ""}`
            : facets.loading
              ? "Counting spans…"
              : "\u00a0"}
        </div>
        <FacetList
          groups={groups}
          query={q}
          onQueryChange={setQ}
          builtinFields={TRACE_FIELDS}
          loading={facets.loading}
          error={facetsError}
          onAddField={(f) => setFacetsParam([...extra, f].join(","))}
          onRemoveField={(f) => setFacetsParam(extra.filter((x) => x !== f).join(","))}
          fieldSuggestions={keys.data ? suggestions : undefined}
          onAddFocus={() => setWantKeys(true)}
        />
      </aside>
      <section className="traces-main">
        <div className="traces-search">
          <SearchBar
            value={q}
            onSubmit={submit}
            fields={SUGGESTED_FIELDS}
            historyKey="traces"
            error={queryError}
            placeholder='Search spans: service:checkout status:error @http.route:/cart duration:>300ms "GET /cart"'
          />
        </div>
        <div className="panel">
          <div className="panel-head">
            <h2>Span duration</h2>
            <span className="muted">drag across bars to filter by duration</span>
            <span className="right">
              {durationSel && (
                <button onClick={() => setQ(replaceFieldTerms(q, "duration", []))} data-testid="clear-duration">
                  Clear duration filter
                </button>
              )}
            </span>
          </div>
          {bounds.length > 0 ? (
            <DurationHistogram
              bounds={bounds}
              counts={counts}
              selected={durationSel}
              onSelect={onDurationSelect}
              loading={facets.loading}
            />
          ) : (
            <div className="muted" style={{ height: 110 }}>
              {facets.loading ? "Loading…" : facets.error ? "" : "No spans in this range."}
            </div>
          )}
        </div>
        <div className="panel">
          <div className="panel-head">
            <h2>Traces</h2>
            <span className="muted" data-testid="trace-count">
              {traces.loading && !traces.data ? "loading…" : `${list.length}${list.length >= limit ? "+" : ""} traces, newest first`}
            </span>
            <span className="right muted">j/k to move, Enter to open</span>
          </div>
          {traces.error ? (
            <div className="error-text">{traces.error}</div>
          ) : list.length > 0 ? (
            <TraceResultList traces={list} sort={sort} onSort={(s) => setSortParam(formatSort(s))} />
          ) : traces.loading ? (
            <div className="muted">Searching…</div>
          ) : (
            <div className="empty" data-testid="no-traces">
              No traces match in this time range. Widen the time range, remove a filter, or send spans with
              OTLP to <code>/v1/traces</code>.
            </div>
          )}
          {list.length >= limit && limit < MAX_LIMIT && (
            <div className="traces-more">
              <button onClick={() => setLimitParam(String(Math.min(MAX_LIMIT, limit + PAGE * 2)))}>Load more</button>
            </div>
          )}
        </div>
      </section>
    </div>
  );
}
