// @vitest-environment node
import { describe, expect, test } from "vitest";
import { bodyLine, formatLogTime, normalLevel, prettyBody, timeNs } from "./logFormat";

describe("logFormat", () => {
  test("timeNs keeps every nanosecond digit", () => {
    expect(timeNs("2026-11-26T03:50:01.000000007Z")).toBe("1795665001000000007");
    expect(timeNs("2026-11-26T03:50:01Z")).toBe("1795665001000000000");
    expect(timeNs("2026-11-26T03:50:01.5Z")).toBe("1795665001500000000");
    expect(timeNs("yesterday")).toBeUndefined();
  });

  test("formatLogTime shows milliseconds from the string", () => {
    const t = formatLogTime("2026-11-26T03:50:01.987654321Z");
    expect(t).toMatch(/^Nov 2\d \d\d:50:01\.987$/);
    expect(formatLogTime("garbage")).toBe("garbage");
  });

  test("normalLevel maps unknown levels to unset", () => {
    expect(normalLevel("ERROR")).toBe("error");
    expect(normalLevel("warn")).toBe("warn");
    expect(normalLevel("bogus")).toBe("unset");
    expect(normalLevel(undefined)).toBe("unset");
  });

  test("bodyLine flattens multi-line and structured bodies", () => {
    expect(bodyLine("a\n  b")).toBe("a ⏎ b");
    expect(bodyLine({ msg: "x", n: 1 })).toBe('{"msg":"x","n":1}');
    expect(bodyLine(null)).toBe("");
  });

  test("prettyBody indents JSON objects and JSON strings, leaves text alone", () => {
    expect(prettyBody({ a: 1 })).toEqual({ text: '{\n  "a": 1\n}', json: true });
    expect(prettyBody(' {"b": [1]} ')).toEqual({ text: '{\n  "b": [\n    1\n  ]\n}', json: true });
    expect(prettyBody("{not json")).toEqual({ text: "{not json", json: false });
    expect(prettyBody("plain")).toEqual({ text: "plain", json: false });
  });
});
