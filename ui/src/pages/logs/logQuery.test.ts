// @vitest-environment node
import { describe, expect, test } from "vitest";
import { facetFields, parseFacetKeys, scopedQuery } from "./logQuery";

describe("logQuery", () => {
  test("scopedQuery adds the global env and version", () => {
    expect(scopedQuery("", "", "")).toBe("");
    expect(scopedQuery("timeout", "prod", "")).toBe("timeout env:prod");
    expect(scopedQuery("", "prod", "1.2 beta")).toBe('env:prod version:"1.2 beta"');
  });

  test("scopedQuery parenthesises a query with OR", () => {
    expect(scopedQuery("a OR b", "prod", "")).toBe("(a OR b) env:prod");
    expect(scopedQuery("ORDER", "prod", "")).toBe("ORDER env:prod");
  });

  test("parseFacetKeys drops duplicates, defaults and the @ prefix", () => {
    expect(parseFacetKeys("@order.id, http.route,order.id,service,,")).toEqual(["order.id", "http.route"]);
    expect(parseFacetKeys("")).toEqual([]);
  });

  test("facetFields asks for attributes with @", () => {
    expect(facetFields(["order.id"])).toBe("service,level,host,env,version,@order.id");
  });
});
