import { describe, expect, it, vi } from "vitest";
import { isTypingTarget, matchShortcut, type Shortcut } from "./shortcuts";

describe("matchShortcut", () => {
  const run = vi.fn();
  const list: Shortcut[] = [
    { keys: "g s", description: "services", run },
    { keys: "g t", description: "traces", run },
    { keys: "t", description: "time", run },
  ];
  it("matches single keys, prefixes and sequences", () => {
    expect(matchShortcut(list, "", "t")).toBe(list[2]);
    expect(matchShortcut(list, "", "g")).toBe("prefix");
    expect(matchShortcut(list, "g", "t")).toBe(list[1]);
    expect(matchShortcut(list, "g", "x")).toBeUndefined();
    expect(matchShortcut(list, "", "x")).toBeUndefined();
  });
  it("ignores fields the user types into", () => {
    expect(isTypingTarget(document.createElement("input"))).toBe(true);
    expect(isTypingTarget(document.createElement("div"))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
