import { describe, expect, it } from "vitest";
import { draftGaps, isBlankDraft, type KrFigures, type KrGaps } from "./key-result-drafts.js";

const row = (over: Partial<KrFigures>): KrFigures => ({ title: "", type: "increase", start: "", target: "", ...over });

describe("key-result rows of the new-objective form", () => {
  it.each([
    ["an untouched row", row({}), true],
    ["a row of spaces", row({ title: "   " }), true],
    ["a row with only a type changed", row({ type: "milestone" }), true],
    ["a row with a title", row({ title: "Reach 10" }), false],
    ["a row with only a start", row({ start: 0 }), false],
    ["a row with only a target", row({ target: 10 }), false],
  ])("%s is blank: %s", (_, k, blank) => {
    expect(isBlankDraft(k)).toBe(blank);
  });

  it.each<[string, KrFigures, KrGaps]>([
    ["a blank row needs nothing", row({}), { missing: [], problems: [] }],
    ["figures without a title", row({ start: 0, target: 10 }), { missing: ["title"], problems: [] }],
    ["a title without figures", row({ title: "Reach 10" }), { missing: ["start", "target"], problems: [] }],
    ["a title and a start", row({ title: "Reach 10", start: 0 }), { missing: ["target"], problems: [] }],
    ["a complete row", row({ title: "Reach 10", start: 0, target: 10 }), { missing: [], problems: [] }],
    ["a milestone needs only its title", row({ title: "Launch", type: "milestone" }), { missing: [], problems: [] }],
    ["a stay-above needs its target", row({ title: "Keep", type: "stayAbove" }), { missing: ["target"], problems: [] }],
  ])("%s", (_, k, gaps) => {
    expect(draftGaps(k)).toEqual(gaps);
  });

  it("names figures that are there but do not fit the type", () => {
    const gaps = draftGaps(row({ title: "Reach 10", start: 10, target: 5 }));
    expect(gaps.missing).toEqual([]);
    expect(gaps.problems).toEqual([expect.stringContaining("greater than its start")]);
  });
});
