// @vitest-environment node
import { describe, expect, test } from "vitest";
import {
  DEFAULT_STATE,
  formatMatchers,
  parseMatchers,
  promql,
  readState,
  selector,
  seriesName,
  withMetric,
  writeState,
} from "./metricQuery";

describe("matchers", () => {
  test("parse and format round-trip with escapes and every operator", () => {
    const text = 'service="checkout",env!="dev",span_name=~"GET .*",x!~"a\\"b\\\\c"';
    const ms = parseMatchers(text);
    expect(ms).toEqual([
      { label: "service", op: "=", value: "checkout" },
      { label: "env", op: "!=", value: "dev" },
      { label: "span_name", op: "=~", value: "GET .*" },
      { label: "x", op: "!~", value: 'a"b\\c' },
    ]);
    expect(formatMatchers(ms)).toBe(text);
  });

  test("parse accepts braces and spaces, stops at garbage", () => {
    expect(parseMatchers('{ a = "1" , b="2" }')).toEqual([
      { label: "a", op: "=", value: "1" },
      { label: "b", op: "=", value: "2" },
    ]);
    expect(parseMatchers('a="1",oops')).toEqual([{ label: "a", op: "=", value: "1" }]);
    expect(parseMatchers("")).toEqual([]);
  });

  test("selector", () => {
    expect(selector("up", [])).toBe("up");
    expect(selector("up", [{ label: "job", op: "=", value: "a" }])).toBe('up{job="a"}');
  });
});

describe("URL state", () => {
  test("an empty URL gives the default view", () => {
    expect(readState(new URLSearchParams(""))).toEqual(DEFAULT_STATE);
  });

  test("a metric without fn means the raw value; unknown values fall back", () => {
    const s = readState(new URLSearchParams("metric=up&fn=bogus&agg=median&by=a,b,a"));
    expect(s.fn).toBe("");
    expect(s.agg).toBe("");
    expect(s.by).toEqual(["a", "b"]);
  });

  test("histogram_quantile only for _bucket metrics", () => {
    expect(readState(new URLSearchParams("metric=up&fn=histogram_quantile")).fn).toBe("");
    const s = readState(new URLSearchParams("metric=lat_bucket&fn=histogram_quantile&q=0.99"));
    expect(s.fn).toBe("histogram_quantile");
    expect(s.q).toBe("0.99");
  });

  test("write then read gives the same state and keeps other parameters", () => {
    const state = {
      ...DEFAULT_STATE,
      metric: "traces_spanmetrics_latency_bucket",
      matchers: [{ label: "service", op: "=" as const, value: "checkout" }],
      fn: "histogram_quantile" as const,
      window: "1m",
      q: "0.5",
      stacked: true,
    };
    const params = writeState(new URLSearchParams("from=now-15m&env=prod"), state);
    expect(params.get("from")).toBe("now-15m");
    expect(params.get("match")).toBe('service="checkout"');
    expect(readState(params)).toEqual(state);
  });

  test("withMetric picks a fitting function", () => {
    expect(withMetric(DEFAULT_STATE, "lat_bucket").fn).toBe("histogram_quantile");
    expect(withMetric({ ...DEFAULT_STATE, fn: "histogram_quantile" }, "cpu_usage").fn).toBe("");
    expect(withMetric({ ...DEFAULT_STATE, fn: "" }, "http_requests_total").fn).toBe("rate");
  });

  test("seriesName lists labels without __name__", () => {
    expect(seriesName({ __name__: "x", service: "a", env: "prod" }, "x")).toBe("env=prod, service=a");
    expect(seriesName({}, "x")).toBe("x");
  });
});

describe("promql", () => {
  test("renders each function and aggregation", () => {
    expect(promql(DEFAULT_STATE)).toBe("sum by (service) (rate(traces_spanmetrics_calls_total[5m]))");
    expect(promql({ ...DEFAULT_STATE, fn: "", agg: "" })).toBe("traces_spanmetrics_calls_total");
    expect(promql({ ...DEFAULT_STATE, by: [], agg: "max", fn: "increase", window: "1m" })).toBe(
      "max(increase(traces_spanmetrics_calls_total[1m]))",
    );
    expect(
      promql({ ...DEFAULT_STATE, metric: "lat_bucket", fn: "histogram_quantile", q: "0.99" }, [
        { label: "env", op: "=", value: "prod" },
      ]),
    ).toBe('histogram_quantile(0.99, sum by (service, le) (rate(lat_bucket{env="prod"}[5m])))');
  });
});
