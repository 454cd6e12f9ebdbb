import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { progressBreakdown, rollupAfterChange } from "./breakdown.js";
import { evaluateGraph } from "./rollup.js";

describe("progressBreakdown", () => {
  it.each([
    {
      name: "weighted mean of two",
      items: [
        { progress: 0.5, weight: 1 },
        { progress: 1, weight: 3 },
      ],
      shares: [0.25, 0.75],
      total: 0.875,
    },
    {
      name: "over-achievement is clamped",
      items: [
        { progress: 1.5, weight: 1 },
        { progress: 0, weight: 1 },
      ],
      shares: [0.5, 0.5],
      total: 0.5,
    },
    {
      name: "no progress or weight 0 counts nowhere",
      items: [
        { progress: null, weight: 1 },
        { progress: 0.4, weight: 0 },
        { progress: 0.4, weight: 2 },
      ],
      shares: [0, 0, 1],
      total: 0.4,
    },
    { name: "nothing counts", items: [{ progress: null, weight: 1 }], shares: [0], total: null },
  ])("$name", ({ items, shares, total }) => {
    const b = progressBreakdown(items);
    expect(b.lines.map((l) => l.share)).toEqual(shares);
    if (total === null) expect(b.total).toBeNull();
    else expect(b.total).toBeCloseTo(total, 12);
  });

  it("sums to what the roll-up gives the objective", () => {
    const child = fc.record({
      progress: fc.option(fc.double({ min: -1, max: 3, noNaN: true }), { nil: null }),
      weight: fc.double({ min: 0, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 8 }), (items) => {
        const b = progressBreakdown(items);
        const counted = b.lines.filter((l) => l.counted);
        if (counted.length) expect(counted.reduce((s, l) => s + l.share, 0)).toBeCloseTo(1, 9);
        const graph = evaluateGraph({
          objectives: [{ id: "o", progressOverride: null }],
          keyResults: items.map((it, i) => ({
            id: `k${i}`,
            objectiveId: "o",
            type: it.progress === null ? ("baseline" as const) : ("increase" as const),
            unit: "number" as const,
            currency: null,
            start: 0,
            target: 1,
            progressMode: "manual" as const,
            rollup: "mean" as const,
            progressOverride: it.progress,
            weight: it.weight,
            latest: null,
            firstCheckInMs: null,
            forecast: null,
          })),
          alignments: [],
          initiatives: [],
          initiativesCount: false,
        });
        expect(b.total ?? 0).toBeCloseTo(graph.get("objective:o")!.progress ?? 0, 9);
      }),
    );
  });
});

describe("rollupAfterChange", () => {
  const progress = fc.oneof(fc.constant(null), fc.double({ min: -2, max: 3, noNaN: true }));
  const child = fc.record({
    progress,
    weight: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 10, noNaN: true })),
  });

  it("moves the roll-up to what the whole weighted mean gives with the changed child", () => {
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 6 }), fc.nat(), progress, (items, pick, next) => {
        const i = pick % items.length;
        const before = progressBreakdown(items);
        const after = progressBreakdown(items.map((c, j) => (j === i ? { ...c, progress: next } : c)));
        const line = before.lines[i]!;
        const moved = rollupAfterChange(before.total ?? 0, { ...items[i]!, share: line.share }, next);
        const countsBefore = line.counted;
        const countsAfter = after.lines[i]!.counted;
        if (countsBefore !== countsAfter) expect(moved).toBeNull();
        else expect(moved).toBeCloseTo(after.total ?? 0, 9);
      }),
    );
  });

  it.each([
    { name: "a child at half of a quarter share moves to full", share: 0.25, from: 0.5, to: 1, want: 0.625 },
    { name: "below its start counts as 0", share: 0.5, from: 0.5, to: -0.56, want: 0.25 },
    { name: "over-achievement counts as 1", share: 0.5, from: 0, to: 1.4, want: 1 },
  ])("$name", ({ share, from, to, want }) => {
    expect(rollupAfterChange(0.5, { weight: 1, share, progress: from }, to)).toBeCloseTo(want, 12);
  });
});
