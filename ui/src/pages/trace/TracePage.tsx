import { useCallback, useMemo, useRef, useState } from "react";
import { Link, useParams } from "../../router";
import { decodeCompactTrace, type CompactTraceResponse } from "../../api/compactTrace";
import { useApi } from "../../api/useApi";
import { useLinkTo, useParam } from "../../state/globals";
import { findSpans, nextMatch } from "./findSpans";
import { buildTraceModel, visibleRows } from "./model";
import { SpanDetails } from "./SpanDetails";
import { TraceHeader } from "./TraceHeader";
import { useCriticalPath } from "./useCriticalPath";
import { useTraceKeys } from "./useTraceKeys";
import { Waterfall } from "./Waterfall";
import "./trace.css";

// The trace is asked for in the compact form: a third of the bytes of the full one for a large
// trace, and no per-span time strings to parse.
const TRACE_PARAMS = { format: "compact" };

// The trace view (/traces/:traceId): header, collapsible virtualised waterfall with the critical
// path, and the selected span's details (`span` URL parameter).
export function TracePage() {
  const { traceId = "" } = useParams();
  const linkTo = useLinkTo();
  const state = useApi<CompactTraceResponse>(`/api/traces/${encodeURIComponent(traceId)}`, TRACE_PARAMS);
  const decoded = useMemo(() => {
    if (!state.data) return undefined;
    try {
      return { trace: decodeCompactTrace(state.data) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }, [state.data]);
  const model = useMemo(() => {
    const t = decoded?.trace;
    return t ? buildTraceModel(t.trace_id || traceId, t.spans, t) : undefined;
  }, [decoded, traceId]);
  const loadError = state.error ?? decoded?.error;
  const [spanParam, setSpanParam] = useParam("span");
  const [criticalParam, setCriticalParam] = useParam("critical", "1");
  const showCritical = criticalParam !== "0";
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const [find, setFind] = useParam("find");
  const matchList = useMemo(() => (model ? findSpans(model, find) : []), [model, find]);
  const matches = useMemo(() => (matchList.length ? new Set(matchList) : undefined), [matchList]);

  const critical = useCriticalPath(model, showCritical);

  const selected = model && spanParam ? (model.byId.get(spanParam) ?? -1) : -1;
  // A deep-linked span inside a collapsed subtree is shown by expanding its ancestors.
  const effectiveCollapsed = useMemo(() => {
    if (!model || selected < 0) return collapsed;
    let changed = false;
    const next = new Set(collapsed);
    for (let p = model.spans[selected].parent; p >= 0; p = model.spans[p].parent) {
      if (next.delete(p)) changed = true;
    }
    return changed ? next : collapsed;
  }, [model, selected, collapsed]);
  const visible = useMemo(() => (model ? visibleRows(model, effectiveCollapsed) : []), [model, effectiveCollapsed]);

  // The selection as of the last key press: a second key can arrive after the URL changed but
  // before React rendered the new selection.
  const selectedNow = useRef(selected);
  selectedNow.current = selected;
  const select = useCallback(
    (row: number) => {
      if (!model) return;
      selectedNow.current = row;
      setSpanParam(model.spans[row].id);
    },
    [model, setSpanParam],
  );
  const toggle = useCallback(
    (row: number) =>
      setCollapsed((prev) => {
        const next = new Set(prev);
        if (!next.delete(row)) next.add(row);
        return next;
      }),
    [],
  );

  useTraceKeys({
    up: () => {
      if (!model || visible.length === 0) return;
      const p = visible.indexOf(selectedNow.current);
      select(visible[p <= 0 ? 0 : p - 1]);
    },
    down: () => {
      if (!model || visible.length === 0) return;
      const p = visible.indexOf(selectedNow.current);
      select(visible[p < 0 ? 0 : Math.min(visible.length - 1, p + 1)]);
    },
    left: () => {
      if (!model || selected < 0) return;
      const hasKids = model.spans[selected].children.length > 0;
      if (hasKids && !effectiveCollapsed.has(selected)) toggle(selected);
      else if (model.spans[selected].parent >= 0) select(model.spans[selected].parent);
    },
    right: () => {
      if (!model || selected < 0) return;
      const kids = model.spans[selected].children;
      if (kids.length === 0) return;
      if (effectiveCollapsed.has(selected)) toggle(selected);
      else select(kids[0]);
    },
    escape: () => setSpanParam(""),
  });

  if (state.loading && !model) return <div className="page muted">Loading trace {traceId}…</div>;
  if (loadError || !model) {
    const notFound = /not found|404|no span/i.test(loadError ?? "");
    return (
      <div className="page">
        <div className="panel">
          <h2>{notFound ? "Trace not found" : "Could not load the trace"}</h2>
          <p className={notFound ? "muted" : "error-text"}>
            {notFound
              ? `No span of trace ${traceId} is stored. It may be older than the retention window or not ingested yet.`
              : loadError}
          </p>
          <Link to={linkTo("/traces")}>Search traces</Link>
        </div>
      </div>
    );
  }
  if (model.spans.length === 0) return <div className="page muted">Trace {traceId} has no spans.</div>;

  return (
    <div className="trace-page" data-testid="trace-page">
      <TraceHeader model={model}>
        <input
          className="find-span"
          aria-label="find span"
          placeholder="Find span (Enter: next)"
          value={find}
          onChange={(e) => setFind(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setFind("");
            if (e.key !== "Enter") return;
            const row = nextMatch(matchList, selected, e.shiftKey);
            if (row !== undefined) select(row);
          }}
        />
        {find && (
          <span className="muted" data-testid="find-count">
            {matchList.length ? `${Math.max(0, matchList.indexOf(selected)) + 1}/${matchList.length}` : "0 found"}
          </span>
        )}
        <button
          className={showCritical ? "active" : ""}
          onClick={() => setCriticalParam(showCritical ? "0" : "")}
          title="Highlight the chain of spans that determines when the trace ends"
          data-testid="critical-toggle"
        >
          Critical path
        </button>
        <button onClick={() => setCollapsed(new Set())} title="Expand every span">
          Expand all
        </button>
        <button
          onClick={() => setCollapsed(new Set(model.spans.map((_, i) => i).filter((i) => model.depth[i] >= 1 && model.spans[i].children.length > 0)))}
          title="Show only the root and its children"
          data-testid="collapse-all"
        >
          Collapse
        </button>
      </TraceHeader>
      <div className="trace-main">
        <Waterfall
          model={model}
          visible={visible}
          collapsed={effectiveCollapsed}
          selected={selected}
          onToggle={toggle}
          onSelect={select}
          critical={critical}
          matches={matches}
        />
        {selected >= 0 && (
          <SpanDetails model={model} row={selected} onClose={() => setSpanParam("")} onSelect={select} />
        )}
      </div>
    </div>
  );
}
