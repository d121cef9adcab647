// @vitest-environment node
import { expect, test } from "vitest";
import { filterNames } from "./filterNames";

const NAMES = ["up", "http_requests_total", "traces_spanmetrics_calls_total", "traces_spanmetrics_latency_bucket", "process_cpu"];

test("filterNames matches every part and ranks prefixes first", () => {
  expect(filterNames(NAMES, "")).toEqual([...NAMES].sort());
  expect(filterNames(NAMES, "total")).toEqual(["http_requests_total", "traces_spanmetrics_calls_total"]);
  expect(filterNames(NAMES, "span lat")).toEqual(["traces_spanmetrics_latency_bucket"]);
  expect(filterNames(NAMES, "p")[0]).toBe("process_cpu");
  expect(filterNames(NAMES, "TRACES", 1)).toEqual(["traces_spanmetrics_calls_total"]);
});
