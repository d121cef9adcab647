import { describe, expect, it } from "vitest";
import {
  TRACE_FIELDS,
  formatTerm,
  quoteValue,
  removeTerm,
  replaceFieldTerms,
  splitTerms,
  termField,
  termState,
  toggleTerm,
  wordAt,
} from "./query";
import { formatCount } from "./format";

describe("quoteValue", () => {
  it("keeps safe values bare and quotes the rest", () => {
    expect(quoteValue("checkout")).toBe("checkout");
    expect(quoteValue("/api/item/{id}")).toBe("/api/item/{id}");
    expect(quoteValue("GET /cart")).toBe('"GET /cart"');
    expect(quoteValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(quoteValue("a*")).toBe('"a*"');
    expect(quoteValue(">5")).toBe('">5"');
    expect(quoteValue("")).toBe('""');
    expect(quoteValue("f(x)")).toBe('"f(x)"');
  });
});

describe("splitTerms", () => {
  it("keeps quotes and groups whole", () => {
    expect(splitTerms('a  (b OR c) name:"x y" -status:error')).toEqual([
      "a",
      "(b OR c)",
      'name:"x y"',
      "-status:error",
    ]);
    expect(splitTerms('name:"a \\" b" c')).toEqual(['name:"a \\" b"', "c"]);
    expect(splitTerms("")).toEqual([]);
  });
});

describe("termField", () => {
  it("prefixes attribute keys with @", () => {
    expect(termField("service", TRACE_FIELDS)).toBe("service");
    expect(termField("http.route", TRACE_FIELDS)).toBe("@http.route");
    expect(termField("@order.id", TRACE_FIELDS)).toBe("@order.id");
  });
});

describe("toggleTerm", () => {
  it("adds, negates, replaces the opposite and removes", () => {
    let q = toggleTerm("", "service", "checkout");
    expect(q).toBe("service:checkout");
    expect(termState(q, "service", "checkout")).toBe("include");
    q = toggleTerm(q, "name", "GET /cart");
    expect(q).toBe('service:checkout name:"GET /cart"');
    expect(termState(q, "name", "GET /cart")).toBe("include");
    q = toggleTerm(q, "service", "checkout", true);
    expect(q).toBe('name:"GET /cart" -service:checkout');
    expect(termState(q, "service", "checkout")).toBe("exclude");
    q = toggleTerm(q, "service", "checkout", true);
    expect(q).toBe('name:"GET /cart"');
    q = toggleTerm(q, "name", "GET /cart");
    expect(q).toBe("");
  });

  it("leaves other terms and groups alone", () => {
    const q = "timeout (a OR b) service:cart";
    expect(removeTerm(q, "service", "cart")).toBe("timeout (a OR b)");
    expect(termState(q, "service", "checkout")).toBeUndefined();
  });
});

describe("replaceFieldTerms", () => {
  it("replaces every bound of a field", () => {
    expect(replaceFieldTerms("service:a duration:>1ms duration:<5ms x", "duration", ["duration:>10ms"])).toBe(
      "service:a x duration:>10ms",
    );
    expect(replaceFieldTerms("duration:>1ms", "duration", [])).toBe("");
  });
});

describe("wordAt", () => {
  it("finds the word under the cursor, without a leading minus", () => {
    expect(wordAt("service:a sta", 13)).toEqual({ word: "sta", start: 10 });
    expect(wordAt("(-ser", 5)).toEqual({ word: "ser", start: 2 });
    expect(wordAt("", 0)).toEqual({ word: "", start: 0 });
  });
});

describe("formatTerm and formatCount", () => {
  it("format terms and counts", () => {
    expect(formatTerm("@http.route", "/cart")).toBe("@http.route:/cart");
    expect(formatCount(5)).toBe("5");
    expect(formatCount(1234)).toBe("1.2k");
    expect(formatCount(45678)).toBe("46k");
    expect(formatCount(2500000)).toBe("2.5M");
  });
});
