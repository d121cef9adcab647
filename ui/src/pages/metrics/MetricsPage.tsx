import { useCallback, useMemo, useState } from "react";
import { useNavigate, useSearchParams } from "../../router";
import { useApi } from "../../api/useApi";
import type { ExemplarsResponse, QueryRangeResponse } from "../../api/types";
import { PALETTE, TimeSeriesChart, formatValue, type ChartSeries } from "../../components/TimeSeriesChart";
import { useGlobals, useLinkTo } from "../../state/globals";
import { niceStepMs } from "../../state/timeRange";
import { ExemplarList } from "./ExemplarList";
import { parseExemplarId, placeExemplars } from "./exemplarMarkers";
import { GroupByPicker } from "./GroupByPicker";
import { LabelFilters } from "./LabelFilters";
import { MetricControls } from "./MetricControls";
import { MetricPicker } from "./MetricPicker";
import { isBucketMetric, promql, readState, selector, seriesName, withMetric, writeState, type Matcher, type MetricState } from "./metricQuery";
import { exemplarParams, queryRangeParams } from "./metricRequests";
import { SeriesLegend } from "./SeriesLegend";
import { displayUnit, scalePoints, topSeries } from "./seriesStats";
import "./metrics.css";

const MAX_SERIES = 40;

// The matchers sent to the API: the user's, plus the global env/version when the metric has them.
function scopedMatchers(matchers: Matcher[], labels: string[], env: string, version: string): Matcher[] {
  const out = [...matchers];
  const add = (label: string, value: string) => {
    if (value && labels.includes(label) && !out.some((m) => m.label === label)) out.push({ label, op: "=", value });
  };
  add("env", env);
  add("version", version);
  return out;
}

// The metrics explorer: metric and label pickers, function, aggregation and grouping, line or
// stacked chart with a legend, and exemplars as points that open their traces. State in the URL
// (metric, match, fn, window, agg, by, q, stacked).
export function MetricsPage() {
  const globals = useGlobals();
  const linkTo = useLinkTo();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const state = readState(params);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const update = useCallback(
    (next: MetricState) => {
      setParams((prev) => writeState(prev, next));
      setHidden(new Set());
    },
    [setParams],
  );

  const names = useApi<{ metrics: string[] }>("/api/metrics");
  const labelsState = useApi<{ labels: string[] }>("/api/metrics/labels", { match: state.metric });
  const labels = labelsState.data?.labels ?? [];
  const matchers = scopedMatchers(state.matchers, labels, globals.env, globals.version);
  const query = selector(state.metric, matchers);
  const { start, end } = globals.apiRange;
  const stepMs = niceStepMs(globals.resolved, 240);
  const quantile = state.fn === "histogram_quantile";
  // The global env/version apply only to metrics with those labels, so they wait for the labels.
  const waitForLabels = (globals.env !== "" || globals.version !== "") && labelsState.loading;
  const range = useApi<QueryRangeResponse>(
    waitForLabels ? null : "/api/metrics/query_range",
    queryRangeParams(state, query, start, end, stepMs),
  );
  const exemplars = useApi<ExemplarsResponse>(waitForLabels ? null : "/api/metrics/exemplars", exemplarParams(query, start, end));

  const { scale, unit } = displayUnit(state.metric, state.fn);
  const { shown, dropped } = useMemo(() => topSeries(range.data?.series ?? [], MAX_SERIES), [range.data]);
  const entries = useMemo(
    () =>
      shown.map((s, i) => {
        const name = seriesName(s.labels, state.metric);
        return { key: name, name, color: PALETTE[i % PALETTE.length], points: scalePoints(s.points, scale), hidden: hidden.has(name) };
      }),
    [shown, state.metric, scale, hidden],
  );
  const visible = useMemo(() => entries.filter((e) => !e.hidden), [entries]);
  const chartSeries = useMemo<ChartSeries[]>(() => visible.map((e) => ({ label: e.name, points: e.points, color: e.color })), [visible]);
  const visibleSeries = useMemo(() => shown.filter((s) => !hidden.has(seriesName(s.labels, state.metric))), [shown, hidden, state.metric]);
  const markers = useMemo(() => {
    const placed = placeExemplars(exemplars.data?.exemplars ?? [], visibleSeries, {
      ownValue: quantile,
      stacked: state.stacked,
      stepMs: range.data?.step ?? stepMs,
      startMs: globals.resolved.startMs,
      endMs: globals.resolved.endMs,
    });
    return placed.map((m) => ({ ...m, value: quantile ? m.value * scale : m.value }));
  }, [exemplars.data, visibleSeries, quantile, state.stacked, range.data, stepMs, globals.resolved, scale]);

  const exemplarLabels = state.by.length ? state.by : labels.includes("service") ? ["service"] : [];
  const exemplarRows = (exemplars.data?.exemplars ?? []).slice(0, 20);

  return (
    <div className="page metrics-page">
      <div className="panel metrics-query">
        <div className="metrics-row">
          <MetricPicker value={state.metric} names={names.data?.metrics ?? []} loading={names.loading} onChange={(m) => update(withMetric(state, m))} />
          <MetricControls state={state} bucket={isBucketMetric(state.metric)} onChange={update} />
          <GroupByPicker
            labels={labels}
            value={state.by}
            disabled={!state.agg && !quantile}
            onChange={(by) => update({ ...state, by })}
          />
          <div className="spacer" />
          <div className="segmented" role="group" aria-label="chart type">
            <button className={!state.stacked ? "active" : ""} onClick={() => update({ ...state, stacked: false })}>
              Lines
            </button>
            <button className={state.stacked ? "active" : ""} onClick={() => update({ ...state, stacked: true })} data-testid="stacked">
              Stacked
            </button>
          </div>
        </div>
        <div className="metrics-row">
          <LabelFilters metric={state.metric} labels={labels} matchers={state.matchers} onChange={(m) => update({ ...state, matchers: m })} />
        </div>
        <code className="promql" data-testid="promql" title="The same query in PromQL">
          {promql(state, matchers)}
        </code>
      </div>
      <div className="panel">
        <div className="panel-head">
          <h2 className="mono">{state.metric}</h2>
          <span className="muted" data-testid="series-count">
            {range.data
              ? `${range.data.series.length} series${dropped ? ` (top ${MAX_SERIES} shown)` : ""} · step ${Math.round((range.data.step ?? stepMs) / 1000)}s`
              : ""}
          </span>
          <div className="spacer" />
          {markers.length > 0 && (
            <span className="muted">
              <span className="exemplar-dot" /> {markers.length} exemplars — click one to open its trace
            </span>
          )}
        </div>
        {range.error ? (
          <div className="chart-state error-text">Query failed: {range.error}</div>
        ) : !range.data ? (
          <div className="chart-state muted">Loading…</div>
        ) : range.data.series.length === 0 ? (
          <div className="chart-state muted" data-testid="metrics-empty">
            No data for <code>{query}</code> in this time range. Widen the time range, remove a filter, or pick another
            metric.
          </div>
        ) : (
          <TimeSeriesChart
            series={chartSeries}
            height={300}
            stacked={state.stacked}
            unit={unit}
            markers={markers}
            onMarkerClick={(id) => {
              const { traceId, spanId } = parseExemplarId(id);
              navigate(linkTo(`/traces/${traceId}`, spanId ? { span: spanId } : {}));
            }}
            onZoom={(a, b) => globals.setRange({ from: String(a), to: String(b) })}
          />
        )}
        {entries.length > 0 && (
          <SeriesLegend
            entries={entries}
            unit={unit}
            onToggle={(key) => {
              const next = new Set(hidden);
              if (next.has(key)) next.delete(key);
              else next.add(key);
              setHidden(next);
            }}
            onIsolate={(key) => {
              const others = entries.filter((e) => e.key !== key).map((e) => e.key);
              const isolated = others.every((k) => hidden.has(k)) && !hidden.has(key);
              setHidden(isolated ? new Set() : new Set(others));
            }}
          />
        )}
      </div>
      <div className="panel">
        <div className="panel-head">
          <h2>Exemplars</h2>
          <span className="muted">recent spans behind this metric</span>
        </div>
        {exemplars.error ? (
          <div className="error-text">{exemplars.error}</div>
        ) : exemplarRows.length === 0 ? (
          <div className="muted" data-testid="exemplars-empty">
            {exemplars.loading || waitForLabels ? "Loading…" : "No exemplars for this metric in the time range (only metrics sent with exemplars, such as the span metrics, have them)."}
          </div>
        ) : (
          <ExemplarList
            exemplars={exemplarRows}
            labels={exemplarLabels}
            formatValue={(v) => (scale === 1000 ? formatValue(v * 1000, "ms") : formatValue(v))}
          />
        )}
      </div>
    </div>
  );
}
