import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateGraph, type GraphInput, type KrInput, nodeKey } from "./rollup.js";

function kr(id: string, objectiveId: string, over: Partial<KrInput> = {}): KrInput {
  return {
    id,
    objectiveId,
    type: "increase",
    unit: "number",
    currency: null,
    start: 0,
    target: 100,
    progressMode: "manual",
    rollup: "mean",
    progressOverride: null,
    weight: 1,
    latest: null,
    firstCheckInMs: null,
    forecast: null,
    ...over,
  };
}
const at = (value: number) => ({ latest: { value, achieved: null }, firstCheckInMs: 1 });
const graph = (g: Partial<GraphInput>): GraphInput => ({
  objectives: [],
  keyResults: [],
  alignments: [],
  initiatives: [],
  initiativesCount: false,
  ...g,
});
const edge = (
  childType: "objective" | "keyResult",
  childId: string,
  parentType: "objective" | "keyResult",
  parentId: string,
  weight = 1,
  contributes = true,
) => ({
  childType,
  childId,
  parentType,
  parentId,
  weight,
  contributes,
});
const progressOf = (r: Map<string, { progress: number | null }>, type: "objective" | "keyResult", id: string) =>
  r.get(nodeKey(type, id))!.progress;

describe("objective progress (§3)", () => {
  it("is the weighted mean of its KRs, children clamped to [0, 1]", () => {
    // KRs at 0.5, 1.25 (clamped to 1) and 0.2 with weights 1, 1, 2 → (0.5 + 1 + 0.4)/4 = 0.475
    const r = evaluateGraph(
      graph({
        objectives: [{ id: "o", progressOverride: null }],
        keyResults: [kr("a", "o", at(50)), kr("b", "o", at(125)), kr("c", "o", { ...at(20), weight: 2 })],
      }),
    );
    expect(progressOf(r, "objective", "o")).toBeCloseTo(0.475, 12);
    expect(progressOf(r, "keyResult", "b")).toBeCloseTo(1.25, 12); // the KR itself stays unclamped
  });

  it("is 0 with no contributing children, and leaves out baseline KRs", () => {
    const r = evaluateGraph(
      graph({
        objectives: [
          { id: "empty", progressOverride: null },
          { id: "o", progressOverride: null },
        ],
        keyResults: [kr("a", "o", at(40)), kr("base", "o", { type: "baseline", target: null, ...at(7) })],
      }),
    );
    expect(progressOf(r, "objective", "empty")).toBe(0);
    expect(progressOf(r, "objective", "o")).toBeCloseTo(0.4, 12);
  });

  it("counts aligned children with the alignment's weight, in every parent (multiple alignment)", () => {
    // Child objective c at 0.6 aligns under P1 (weight 3, next to P1's own KR at 0.2) and under P2 (alone).
    const r = evaluateGraph(
      graph({
        objectives: [
          { id: "p1", progressOverride: null },
          { id: "p2", progressOverride: null },
          { id: "c", progressOverride: null },
        ],
        keyResults: [kr("p1k", "p1", at(20)), kr("ck", "c", at(60))],
        alignments: [edge("objective", "c", "objective", "p1", 3), edge("objective", "c", "objective", "p2")],
      }),
    );
    expect(progressOf(r, "objective", "p1")).toBeCloseTo((0.2 + 3 * 0.6) / 4, 12);
    expect(progressOf(r, "objective", "p2")).toBeCloseTo(0.6, 12);
  });

  it("ignores aligned-but-not-contributing links", () => {
    const r = evaluateGraph(
      graph({
        objectives: [
          { id: "p", progressOverride: null },
          { id: "c", progressOverride: null },
        ],
        keyResults: [kr("pk", "p", at(10)), kr("ck", "c", at(90))],
        alignments: [edge("objective", "c", "objective", "p", 1, false)],
      }),
    );
    expect(progressOf(r, "objective", "p")).toBeCloseTo(0.1, 12);
  });

  it("counts initiatives only when the setting is on", () => {
    const base = {
      objectives: [{ id: "o", progressOverride: null }],
      keyResults: [kr("a", "o", at(20))],
      initiatives: [{ objectiveId: "o", progress: 0.8, weight: 1 }],
    };
    expect(progressOf(evaluateGraph(graph(base)), "objective", "o")).toBeCloseTo(0.2, 12);
    expect(progressOf(evaluateGraph(graph({ ...base, initiativesCount: true })), "objective", "o")).toBeCloseTo(
      0.5,
      12,
    );
  });

  it("uses a manual override for itself and its parents", () => {
    const r = evaluateGraph(
      graph({
        objectives: [
          { id: "p", progressOverride: null },
          { id: "c", progressOverride: 0.9 },
        ],
        keyResults: [kr("ck", "c", at(10))],
        alignments: [edge("objective", "c", "objective", "p")],
      }),
    );
    expect(progressOf(r, "objective", "c")).toBe(0.9);
    expect(progressOf(r, "objective", "p")).toBe(0.9);
  });
});

describe("roll-up key results (§3)", () => {
  const children = [
    kr("k100", "c", { start: 0, target: 100_000, unit: "currency", currency: "USD", ...at(50_000) }),
    kr("k20", "c", { start: 0, target: 20_000, unit: "currency", currency: "USD", ...at(20_000) }),
    kr("k1", "c", { start: 0, target: 1_000, unit: "currency", currency: "USD", ...at(0) }),
  ];
  const withParent = (rollup: "mean" | "sum" | "proportional", over: Partial<KrInput> = {}) =>
    evaluateGraph(
      graph({
        objectives: [
          { id: "p", progressOverride: null },
          { id: "c", progressOverride: null },
        ],
        keyResults: [
          kr("parent", "p", {
            progressMode: "rollup",
            rollup,
            start: 0,
            target: 121_000,
            unit: "currency",
            currency: "USD",
            ...over,
          }),
          ...children,
        ],
        alignments: children.map((c) => edge("keyResult", c.id, "keyResult", "parent")),
      }),
    );

  it("mean: the plain mean of the children → (0.5 + 1 + 0)/3", () => {
    expect(progressOf(withParent("mean"), "keyResult", "parent")).toBeCloseTo(0.5, 12);
  });

  it("sum: Σ current values through the parent's own start and target → 70,000/121,000", () => {
    const r = withParent("sum");
    expect(r.get(nodeKey("keyResult", "parent"))!.current).toBe(70_000);
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(70_000 / 121_000, 12);
  });

  it("proportional: $100k, $20k and $1k weigh 82.6 %, 16.5 %, 0.8 %", () => {
    // (100·0.5 + 20·1 + 1·0)/121 = 70/121 = 0.5785…
    const w = [100, 20, 1].map((x) => x / 121);
    expect(w.map((x) => Math.round(x * 1000) / 10)).toEqual([82.6, 16.5, 0.8]);
    expect(progressOf(withParent("proportional"), "keyResult", "parent")).toBeCloseTo(70 / 121, 12);
  });

  it("a three-level chain rolls all the way up", () => {
    const r = evaluateGraph(
      graph({
        objectives: [
          { id: "org", progressOverride: null },
          { id: "team", progressOverride: null },
          { id: "me", progressOverride: null },
        ],
        keyResults: [
          kr("orgKr", "org", { progressMode: "rollup" }),
          kr("teamKr", "team", { progressMode: "rollup" }),
          kr("teamOwn", "team", at(100)),
          kr("mine", "me", at(30)),
        ],
        alignments: [edge("objective", "team", "keyResult", "orgKr"), edge("objective", "me", "keyResult", "teamKr")],
      }),
    );
    // me 0.3 → teamKr 0.3; team = (0.3 + 1)/2 = 0.65 → orgKr 0.65 → org 0.65
    expect(progressOf(r, "objective", "team")).toBeCloseTo(0.65, 12);
    expect(progressOf(r, "objective", "org")).toBeCloseTo(0.65, 12);
    // firstCheckInMs flows up from the KRs drawn on
    expect(r.get(nodeKey("objective", "org"))!.firstCheckInMs).toBe(1);
  });

  it("does not loop forever on a cycle that slipped into the data", () => {
    const r = evaluateGraph(
      graph({
        objectives: [
          { id: "a", progressOverride: null },
          { id: "b", progressOverride: null },
        ],
        keyResults: [kr("ak", "a", at(40))],
        alignments: [edge("objective", "a", "objective", "b"), edge("objective", "b", "objective", "a")],
      }),
    );
    expect(progressOf(r, "objective", "a")).not.toBeNaN();
  });

  it("handles a 10,000-deep chain without overflowing the stack", () => {
    const n = 10_000;
    const objectives = Array.from({ length: n }, (_, i) => ({ id: `o${i}`, progressOverride: null }));
    const alignments = Array.from({ length: n - 1 }, (_, i) => edge("objective", `o${i + 1}`, "objective", `o${i}`));
    const r = evaluateGraph(graph({ objectives, keyResults: [kr("leaf", `o${n - 1}`, at(25))], alignments }));
    expect(progressOf(r, "objective", "o0")).toBeCloseTo(0.25, 12);
  });
});

describe("roll-up properties (fast-check)", () => {
  const child = fc.record({
    progress: fc.double({ min: -2, max: 3, noNaN: true }),
    weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
  });

  function parentOf(items: { progress: number; weight: number }[]) {
    return evaluateGraph(
      graph({
        objectives: [{ id: "p", progressOverride: null }],
        keyResults: items.map((c, i) => kr(`k${i}`, "p", { weight: c.weight, ...at(c.progress * 100) })),
      }),
    ).get(nodeKey("objective", "p"))!.progress!;
  }

  it("stays within the range of its clamped children", () => {
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 12 }), (items) => {
        const clamped = items.map((c) => Math.min(1, Math.max(0, c.progress)));
        const p = parentOf(items);
        expect(p).toBeGreaterThanOrEqual(Math.min(...clamped) - 1e-12);
        expect(p).toBeLessThanOrEqual(Math.max(...clamped) + 1e-12);
      }),
    );
  });

  it("does not depend on the order of the children", () => {
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 12 }), fc.integer(), (items, seed) => {
        const shuffled = [...items].sort(
          (a, b) => ((a.progress * 7919 + seed) % 13) - ((b.progress * 7919 + seed) % 13),
        );
        expect(parentOf(shuffled)).toBeCloseTo(parentOf(items), 9);
      }),
    );
  });

  it("a child with weight 0 is the same as no child", () => {
    fc.assert(
      fc.property(fc.array(child, { minLength: 1, maxLength: 10 }), child, (items, extra) => {
        expect(parentOf([...items, { ...extra, weight: 0 }])).toBeCloseTo(parentOf(items), 12);
      }),
    );
  });

  it("sum and proportional stay order-independent too", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ target: fc.integer({ min: 1, max: 10_000 }), value: fc.integer({ min: 0, max: 10_000 }) }),
          { minLength: 1, maxLength: 8 },
        ),
        (items) => {
          for (const rollup of ["sum", "proportional"] as const) {
            const run = (list: typeof items) =>
              evaluateGraph(
                graph({
                  objectives: [
                    { id: "p", progressOverride: null },
                    { id: "c", progressOverride: null },
                  ],
                  keyResults: [
                    kr("parent", "p", { progressMode: "rollup", rollup, start: 0, target: 10_000 }),
                    ...list.map((x, i) =>
                      kr(`c${x.target}-${x.value}-${i}`, "c", { target: x.target, ...at(x.value) }),
                    ),
                  ],
                  alignments: list.map((x, i) =>
                    edge("keyResult", `c${x.target}-${x.value}-${i}`, "keyResult", "parent"),
                  ),
                }),
              ).get(nodeKey("keyResult", "parent"))!.progress!;
            expect(run([...items].reverse())).toBeCloseTo(run(items), 9);
          }
        },
      ),
    );
  });
});
