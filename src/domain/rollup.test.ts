import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlignmentInput,
  evaluateGraph,
  type GraphInput,
  type InitiativeInput,
  type KrInput,
  type NodeResult,
  nodeKey,
  type ObjectiveInput,
} from "./rollup.js";
import type { Forecast, KrType, NodeType, RollupMethod } from "./types.js";

/** A manual increase KR from 0 to 100 with no check-in, unless told otherwise. */
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

/** A latest check-in with this value (first checked in at `first`). */
function value(v: number | null, first = 1): Pick<KrInput, "latest" | "firstCheckInMs"> {
  return { latest: { value: v, achieved: null }, firstCheckInMs: first };
}

function rollupKr(id: string, objectiveId: string, rollup: RollupMethod, over: Partial<KrInput> = {}): KrInput {
  return kr(id, objectiveId, { progressMode: "rollup", rollup, ...over });
}

function objective(id: string, progressOverride: number | null = null): ObjectiveInput {
  return { id, progressOverride };
}

function align(
  childType: NodeType,
  childId: string,
  parentType: NodeType,
  parentId: string,
  weight = 1,
  contributes = true,
): AlignmentInput {
  return { childType, childId, parentType, parentId, weight, contributes };
}

function graph(g: Partial<GraphInput>): GraphInput {
  return { objectives: [], keyResults: [], alignments: [], initiatives: [], initiativesCount: false, ...g };
}

function result(r: Map<string, NodeResult>, type: NodeType, id: string): NodeResult {
  const found = r.get(nodeKey(type, id));
  if (!found) throw new Error(`no result for ${type} ${id}`);
  return found;
}

const progressOf = (r: Map<string, NodeResult>, type: NodeType, id: string) => result(r, type, id).progress;

describe("nodeKey", () => {
  it("prefixes the id with its type", () => {
    expect(nodeKey("objective", "o1")).toBe("objective:o1");
    expect(nodeKey("keyResult", "k1")).toBe("keyResult:k1");
  });
});

describe("manual key results", () => {
  it.each([
    // name, KR, progress, current
    ["increase at 30 of 0 → 100", kr("k", "o", value(30)), 0.3, 30],
    ["no check-in: current is the start", kr("k", "o", { start: 20, target: 70 }), 0, 20],
    ["over-achieved stays unclamped on the KR itself: 125/100", kr("k", "o", value(125)), 1.25, 125],
    [
      "milestone achieved: no value to show",
      kr("k", "o", { type: "milestone", start: null, target: null, latest: { value: null, achieved: true } }),
      1,
      null,
    ],
    ["milestone without a check-in", kr("k", "o", { type: "milestone", start: 5, target: null }), 0, null],
    [
      "baseline: no progress, but its measured value shows",
      kr("k", "o", { type: "baseline", start: 3, target: null, ...value(4) }),
      null,
      4,
    ],
    [
      "baseline without a value: no current either",
      kr("k", "o", { type: "baseline", start: 3, target: null }),
      null,
      null,
    ],
    ["stayBelow 2 at 1.5", kr("k", "o", { type: "stayBelow", start: null, target: 2, ...value(1.5) }), 1, 1.5],
    ["override replaces the progress, not the value", kr("k", "o", { ...value(30), progressOverride: 0.9 }), 0.9, 30],
  ] as [string, KrInput, number | null, number | null][])("%s", (_name, k, progress, current) => {
    const r = result(evaluateGraph(graph({ objectives: [objective("o")], keyResults: [k] })), "keyResult", "k");
    if (progress === null) expect(r.progress).toBeNull();
    else expect(r.progress).toBeCloseTo(progress, 12);
    expect(r.current).toBe(current);
  });

  it("passes its own first check-in and forecast through", () => {
    const forecast: Forecast = { progress: 0.8, low: 0.6, high: 1, probability: 0.55 };
    const r = evaluateGraph(graph({ keyResults: [kr("k", "nowhere", { ...value(10, 1234), forecast })] }));
    expect(result(r, "keyResult", "k")).toEqual({ progress: 0.1, current: 10, firstCheckInMs: 1234, forecast });
  });

  it("ignores children aligned under it: a manual KR reads its own check-ins", () => {
    const r = evaluateGraph(
      graph({
        objectives: [objective("o"), objective("c")],
        keyResults: [kr("k", "o", value(10)), kr("ck", "c", value(90, 5))],
        alignments: [align("keyResult", "ck", "keyResult", "k")],
      }),
    );
    expect(result(r, "keyResult", "k")).toMatchObject({ progress: 0.1, firstCheckInMs: 1 });
  });
});

describe("objective progress (§3)", () => {
  it.each([
    [
      "weighted mean with children clamped: 0.5, 1.25 → 1, 0.2 with weights 1, 1, 2 → (0.5 + 1 + 0.4)/4 = 0.475",
      [kr("a", "o", value(50)), kr("b", "o", value(125)), kr("c", "o", { ...value(20), weight: 2 })],
      0.475,
    ],
    [
      "a child below its start counts as 0: (0 + 0.6)/2 = 0.3",
      [kr("a", "o", value(-40)), kr("b", "o", value(60))],
      0.3,
    ],
    [
      "baseline and targetless KRs are left out, not counted as 0: 0.4 alone",
      [
        kr("a", "o", value(40)),
        kr("base", "o", { type: "baseline", target: null, ...value(7) }),
        kr("t", "o", { type: "stayAbove", target: null, ...value(7) }),
      ],
      0.4,
    ],
    [
      "weights are relative: 2 and 6 weigh like 1 and 3 → (0.8 + 3·0.4)/4 = 0.5",
      [kr("a", "o", { ...value(80), weight: 2 }), kr("b", "o", { ...value(40), weight: 6 })],
      0.5,
    ],
    [
      "mixed types: increase 0.25, stayAbove met 1, milestone not achieved 0 → 1.25/3",
      [
        kr("a", "o", value(25)),
        kr("b", "o", { type: "stayAbove", start: null, target: 99, ...value(99.9) }),
        kr("c", "o", { type: "milestone", start: null, target: null, latest: { value: null, achieved: false } }),
      ],
      1.25 / 3,
    ],
    ["weight 0 removes a KR: 0.6 alone", [kr("a", "o", { ...value(20), weight: 0 }), kr("b", "o", value(60))], 0.6],
    ["no KRs → 0", [], 0],
    ["only a baseline KR → 0", [kr("base", "o", { type: "baseline", target: null, ...value(7) })], 0],
    ["every weight 0 → 0", [kr("a", "o", { ...value(50), weight: 0 })], 0],
  ] as [string, KrInput[], number][])("%s", (_name, keyResults, expected) => {
    const r = evaluateGraph(graph({ objectives: [objective("o")], keyResults }));
    expect(progressOf(r, "objective", "o")).toBeCloseTo(expected, 12);
  });

  it("counts aligned children with the alignment's weight, in every parent they contribute to", () => {
    // Child objective c (0.6) aligns under p1 with weight 3, beside p1's own KR at 0.2: (0.2 + 3·0.6)/4 = 0.5.
    // It also aligns under p2, alone there: 0.6. Its KR ck also aligns under p3 beside p3's KR at 1.0: (1 + 0.6)/2 = 0.8.
    const r = evaluateGraph(
      graph({
        objectives: [objective("p1"), objective("p2"), objective("p3"), objective("c")],
        keyResults: [kr("p1k", "p1", value(20)), kr("p3k", "p3", value(100)), kr("ck", "c", value(60))],
        alignments: [
          align("objective", "c", "objective", "p1", 3),
          align("objective", "c", "objective", "p2"),
          align("keyResult", "ck", "objective", "p3"),
        ],
      }),
    );
    expect(progressOf(r, "objective", "p1")).toBeCloseTo(0.5, 12);
    expect(progressOf(r, "objective", "p2")).toBeCloseTo(0.6, 12);
    expect(progressOf(r, "objective", "p3")).toBeCloseTo(0.8, 12);
  });

  it("leaves out links that do not contribute, weigh 0, or point at unknown nodes", () => {
    const r = evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c")],
        keyResults: [kr("pk", "p", value(10)), kr("ck", "c", value(90))],
        alignments: [
          align("objective", "c", "objective", "p", 1, false),
          align("keyResult", "ck", "objective", "p", 0),
          align("objective", "ghost", "objective", "p"),
          align("objective", "c", "objective", "ghost"),
        ],
      }),
    );
    expect(progressOf(r, "objective", "p")).toBeCloseTo(0.1, 12);
    expect(r.has(nodeKey("objective", "ghost"))).toBe(false);
  });

  it("counts a KR aligned under its own objective once", () => {
    // Own KRs 0.2 and 0.6, plus a (refused at input) extra link for the first: still (0.2 + 0.6)/2.
    const r = evaluateGraph(
      graph({
        objectives: [objective("o")],
        keyResults: [kr("a", "o", value(20)), kr("b", "o", value(60))],
        alignments: [align("keyResult", "a", "objective", "o", 5)],
      }),
    );
    expect(progressOf(r, "objective", "o")).toBeCloseTo(0.4, 12);
  });

  it.each([
    // name, initiativesCount, initiatives, expected
    ["off (the default): initiatives do not count → 0.2", false, [{ objectiveId: "o", progress: 0.8, weight: 1 }], 0.2],
    ["on: (0.2 + 0.8)/2 = 0.5", true, [{ objectiveId: "o", progress: 0.8, weight: 1 }], 0.5],
    ["on, with weights: (0.2 + 3·0.8)/4 = 0.65", true, [{ objectiveId: "o", progress: 0.8, weight: 3 }], 0.65],
    ["on, clamped: (0.2 + 1)/2 = 0.6", true, [{ objectiveId: "o", progress: 1.5, weight: 1 }], 0.6],
    [
      "on, without progress or weight: left out → 0.2",
      true,
      [
        { objectiveId: "o", progress: null, weight: 1 },
        { objectiveId: "o", progress: 1, weight: 0 },
      ],
      0.2,
    ],
    ["on, for another objective only → 0.2", true, [{ objectiveId: "x", progress: 1, weight: 1 }], 0.2],
  ] as [string, boolean, InitiativeInput[], number][])(
    "initiatives %s",
    (_name, initiativesCount, initiatives, expected) => {
      const r = evaluateGraph(
        graph({ objectives: [objective("o")], keyResults: [kr("a", "o", value(20))], initiatives, initiativesCount }),
      );
      expect(progressOf(r, "objective", "o")).toBeCloseTo(expected, 12);
    },
  );

  it("an objective with only initiatives counts them when the setting is on", () => {
    const initiatives = [
      { objectiveId: "o", progress: 0.3, weight: 1 },
      { objectiveId: "o", progress: 0.5, weight: 1 },
    ];
    const on = evaluateGraph(graph({ objectives: [objective("o")], initiatives, initiativesCount: true }));
    expect(progressOf(on, "objective", "o")).toBeCloseTo(0.4, 12);
    const off = evaluateGraph(graph({ objectives: [objective("o")], initiatives }));
    expect(progressOf(off, "objective", "o")).toBe(0);
  });

  it("combines its own KRs' forecasts only, weighted like progress; objectives have no current value", () => {
    // Own KRs: forecast 0.9 ± 0.2 (weight 1) and 0.5 ± 0.2 (weight 3) → progress (0.9 + 1.5)/4 = 0.6,
    // low (0.7 + 3·0.3)/4 = 0.4, high (1.1 + 3·0.7)/4 = 0.8. The roll-up KR r has no forecast and is skipped.
    // The aligned child's forecast (0.1) does not enter the parent's.
    const f = (p: number): Forecast => ({ progress: p, low: p - 0.2, high: p + 0.2, probability: 0.5 });
    const r = evaluateGraph(
      graph({
        objectives: [objective("o"), objective("c")],
        keyResults: [
          kr("a", "o", { ...value(10), forecast: f(0.9) }),
          kr("b", "o", { ...value(10), weight: 3, forecast: f(0.5) }),
          kr("r", "o", { progressMode: "rollup", weight: 2 }),
          kr("ck", "c", { ...value(10), forecast: f(0.1) }),
        ],
        alignments: [align("objective", "c", "objective", "o")],
      }),
    );
    expect(result(r, "objective", "o").forecast).toEqual({
      progress: expect.closeTo(0.6, 12),
      low: expect.closeTo(0.4, 12),
      high: expect.closeTo(0.8, 12),
      probability: null,
    });
    expect(result(r, "objective", "o").current).toBeNull();
    expect(result(r, "keyResult", "r").forecast).toBeNull();
    expect(result(evaluateGraph(graph({ objectives: [objective("e")] })), "objective", "e").forecast).toBeNull();
  });
});

describe("roll-up key results (§3)", () => {
  // The §3 example: three USD children with spans $100k, $20k and $1k, at 50 %, 100 % and 0 %.
  const usd = { unit: "currency" as const, currency: "USD" };
  const children = [
    kr("k100", "c", { ...usd, start: 0, target: 100_000, ...value(50_000, 300) }),
    kr("k20", "c", { ...usd, start: 0, target: 20_000, ...value(20_000, 200) }),
    kr("k1", "c", { ...usd, start: 0, target: 1_000, ...value(0, 400) }),
  ];
  const withParent = (parent: KrInput, extra: Partial<GraphInput> = {}) =>
    evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c")],
        keyResults: [parent, ...children, ...(extra.keyResults ?? [])],
        alignments: [
          ...children.map((c) => align("keyResult", c.id, "keyResult", "parent")),
          ...(extra.alignments ?? []),
        ],
      }),
    );

  it("mean: the weighted mean of the children → (0.5 + 1 + 0)/3 = 0.5", () => {
    const r = withParent(rollupKr("parent", "p", "mean"));
    expect(result(r, "keyResult", "parent")).toMatchObject({ progress: 0.5, current: null, forecast: null });
  });

  it("mean with link weights 2, 1, 1: (2·0.5 + 1 + 0)/4 = 0.5; with 1, 2, 1: (0.5 + 2 + 0)/4 = 0.625", () => {
    const run = (weights: number[]) =>
      progressOf(
        evaluateGraph(
          graph({
            objectives: [objective("p"), objective("c")],
            keyResults: [rollupKr("parent", "p", "mean"), ...children],
            alignments: children.map((c, i) => align("keyResult", c.id, "keyResult", "parent", weights[i])),
          }),
        ),
        "keyResult",
        "parent",
      );
    expect(run([2, 1, 1])).toBeCloseTo(0.5, 12);
    expect(run([1, 2, 1])).toBeCloseTo(0.625, 12);
  });

  it("mean over objectives and KRs alike: child objective c (0.5 from its three KRs) and a KR at 0.9 → 0.7", () => {
    // c = (0.5 + 1 + 0)/3 = 0.5.
    const r = evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c"), objective("x")],
        keyResults: [rollupKr("parent", "p", "mean"), ...children, kr("x1", "x", value(90))],
        alignments: [align("objective", "c", "keyResult", "parent"), align("keyResult", "x1", "keyResult", "parent")],
      }),
    );
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(0.7, 12);
  });

  it("sum: Σ current values through the parent's own start and target → (70,000 − 0)/(121,000 − 0)", () => {
    const r = withParent(rollupKr("parent", "p", "sum", { ...usd, start: 0, target: 121_000 }));
    expect(result(r, "keyResult", "parent").current).toBe(70_000);
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(70_000 / 121_000, 12);
  });

  it("sum: unclamped children, weights ignored, the parent's own start → (145,000 − 10,000)/(110,000 − 10,000) = 1.35", () => {
    // k100 over-achieves at 125,000 (weight 5 on its link changes nothing): 125,000 + 20,000 + 0 = 145,000.
    const over = kr("k100", "c", { ...usd, start: 0, target: 100_000, ...value(125_000) });
    const r = evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c")],
        keyResults: [
          rollupKr("parent", "p", "sum", { ...usd, start: 10_000, target: 110_000 }),
          over,
          ...children.slice(1),
        ],
        alignments: [
          align("keyResult", "k100", "keyResult", "parent", 5),
          align("keyResult", "k20", "keyResult", "parent"),
          align("keyResult", "k1", "keyResult", "parent"),
        ],
      }),
    );
    expect(result(r, "keyResult", "parent").current).toBe(145_000);
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(1.35, 12);
  });

  it("sum: children without a value fall back to their start; milestones and objectives add nothing", () => {
    // k100 50,000 + k20 20,000 + k1 0 + fresh (no check-in, start 500) 500 = 70,500; the milestone and objective c are skipped.
    const r = withParent(rollupKr("parent", "p", "sum", { start: 0, target: 141_000 }), {
      keyResults: [
        kr("fresh", "c", { start: 500, target: 900 }),
        kr("m", "c", { type: "milestone", start: null, target: null, latest: { value: null, achieved: true } }),
      ],
      alignments: [
        align("keyResult", "fresh", "keyResult", "parent"),
        align("keyResult", "m", "keyResult", "parent"),
        align("objective", "c", "keyResult", "parent"),
      ],
    });
    expect(result(r, "keyResult", "parent").current).toBe(70_500);
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(0.5, 12);
  });

  it("sum with nothing to add reads like a KR without a check-in: current = start, progress 0", () => {
    const r = evaluateGraph(
      graph({ objectives: [objective("p")], keyResults: [rollupKr("parent", "p", "sum", { start: 40, target: 90 })] }),
    );
    expect(result(r, "keyResult", "parent")).toMatchObject({ progress: 0, current: 40, firstCheckInMs: null });
  });

  it("sum of sums: a team total feeds the org total", () => {
    // team = 50,000 + 20,000 + 0 = 70,000; org = team 70,000 + direct 30,000 = 100,000 of 200,000 → 0.5.
    const r = evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c"), objective("org")],
        keyResults: [
          rollupKr("parent", "p", "sum", { start: 0, target: 121_000 }),
          ...children,
          rollupKr("orgTotal", "org", "sum", { start: 0, target: 200_000 }),
          kr("direct", "org", { start: 0, target: 50_000, ...value(30_000) }),
        ],
        alignments: [
          ...children.map((c) => align("keyResult", c.id, "keyResult", "parent")),
          align("keyResult", "parent", "keyResult", "orgTotal"),
          align("keyResult", "direct", "keyResult", "orgTotal"),
        ],
      }),
    );
    expect(result(r, "keyResult", "orgTotal").current).toBe(100_000);
    expect(progressOf(r, "keyResult", "orgTotal")).toBeCloseTo(0.5, 12);
  });

  it("sum under a stayBelow parent: costs 70,000 ≤ 80,000 → 1", () => {
    const r = withParent(rollupKr("parent", "p", "sum", { type: "stayBelow", start: null, target: 80_000 }));
    expect(progressOf(r, "keyResult", "parent")).toBe(1);
  });

  it("proportional: $100k, $20k and $1k weigh 82.6 %, 16.5 %, 0.8 % → (100·0.5 + 20·1 + 1·0)/121 = 70/121", () => {
    // Shares: 100/121 = 0.8264, 20/121 = 0.1653, 1/121 = 0.0083.
    expect([100, 20, 1].map((x) => Math.round((x / 121) * 1000) / 10)).toEqual([82.6, 16.5, 0.8]);
    const r = withParent(rollupKr("parent", "p", "proportional"));
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(70 / 121, 12);
    expect(result(r, "keyResult", "parent").current).toBeNull();
  });

  it("proportional clamps children, ignores link weights, and leaves out what has no span", () => {
    // k20 at 150 % counts as 1; links weigh 7, 1, 1 but shares stay 100:20:1 → (50 + 20 + 0)/121.
    // Left out: a stayAbove child (no start), a child with t = s, a baseline child, and objective c.
    const r = evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c")],
        keyResults: [
          rollupKr("parent", "p", "proportional"),
          children[0]!,
          kr("k20", "c", { ...usd, start: 0, target: 20_000, ...value(30_000) }),
          children[2]!,
          kr("above", "c", { type: "stayAbove", start: null, target: 5, ...value(9) }),
          kr("flat", "c", { start: 5, target: 5, ...value(9) }),
          kr("base", "c", { type: "baseline", start: 0, target: 1_000_000, ...value(9) }),
        ],
        alignments: [
          align("keyResult", "k100", "keyResult", "parent", 7),
          align("keyResult", "k20", "keyResult", "parent"),
          align("keyResult", "k1", "keyResult", "parent"),
          align("keyResult", "above", "keyResult", "parent"),
          align("keyResult", "flat", "keyResult", "parent"),
          align("keyResult", "base", "keyResult", "parent"),
          align("objective", "c", "keyResult", "parent"),
        ],
      }),
    );
    expect(progressOf(r, "keyResult", "parent")).toBeCloseTo(70 / 121, 12);
  });

  it.each(["mean", "proportional"] as const)("%s with no children → 0", (rollup) => {
    const r = evaluateGraph(graph({ objectives: [objective("p")], keyResults: [rollupKr("parent", "p", rollup)] }));
    expect(result(r, "keyResult", "parent")).toEqual({
      progress: 0,
      current: null,
      firstCheckInMs: null,
      forecast: null,
    });
  });

  it("an override on a roll-up KR replaces its computed progress for itself and its objective", () => {
    // parent overridden to 0.9 (computed would be 0.5); objective p = (0.9 + own KR 0.3)/2 = 0.6.
    const r = withParent(rollupKr("parent", "p", "mean", { progressOverride: 0.9 }), {
      keyResults: [kr("pOwn", "p", value(30))],
    });
    expect(progressOf(r, "keyResult", "parent")).toBe(0.9);
    expect(progressOf(r, "objective", "p")).toBeCloseTo(0.6, 12);
  });

  it("an override on an objective carries up to the KR and objective above it", () => {
    // c is overridden to 0.2 (its KRs say 0.5). parent (mean over c) = 0.2; p = 0.2.
    const r = evaluateGraph(
      graph({
        objectives: [objective("p"), objective("c", 0.2)],
        keyResults: [rollupKr("parent", "p", "mean"), ...children],
        alignments: [align("objective", "c", "keyResult", "parent")],
      }),
    );
    expect(progressOf(r, "objective", "c")).toBe(0.2);
    expect(progressOf(r, "keyResult", "parent")).toBe(0.2);
    expect(progressOf(r, "objective", "p")).toBe(0.2);
  });

  it("an override on a manual KR counts in its objective, clamped like any child", () => {
    // KR a overridden to 1.4 → counts as 1; b at 0.2 → (1 + 0.2)/2 = 0.6.
    const r = evaluateGraph(
      graph({
        objectives: [objective("o")],
        keyResults: [kr("a", "o", { ...value(10), progressOverride: 1.4 }), kr("b", "o", value(20))],
      }),
    );
    expect(progressOf(r, "keyResult", "a")).toBe(1.4);
    expect(progressOf(r, "objective", "o")).toBeCloseTo(0.6, 12);
  });
});

describe("three-level chains and first check-ins", () => {
  // org objective ← orgKr (roll-up mean) ← team objective (own KR teamOwn 1.0, roll-up teamKr) ← teamKr ← me (KR mine 0.3).
  const chain = graph({
    objectives: [objective("org"), objective("team"), objective("me"), objective("loose")],
    keyResults: [
      rollupKr("orgKr", "org", "mean", { firstCheckInMs: 1 }), // its own check-in does not count for a roll-up
      rollupKr("teamKr", "team", "mean"),
      kr("teamOwn", "team", value(100, 500)),
      kr("mine", "me", value(30, 200)),
      kr("looseKr", "loose", value(90, 50)),
    ],
    alignments: [
      align("objective", "team", "keyResult", "orgKr"),
      align("objective", "me", "keyResult", "teamKr"),
      align("objective", "loose", "objective", "org", 1, false), // shown on the map, not counted
    ],
  });
  const r = evaluateGraph(chain);

  it("rolls all the way up: me 0.3 → teamKr 0.3 → team (0.3 + 1)/2 = 0.65 → orgKr 0.65 → org 0.65", () => {
    expect(progressOf(r, "objective", "me")).toBeCloseTo(0.3, 12);
    expect(progressOf(r, "keyResult", "teamKr")).toBeCloseTo(0.3, 12);
    expect(progressOf(r, "objective", "team")).toBeCloseTo(0.65, 12);
    expect(progressOf(r, "keyResult", "orgKr")).toBeCloseTo(0.65, 12);
    expect(progressOf(r, "objective", "org")).toBeCloseTo(0.65, 12);
  });

  it("takes the earliest first check-in over the KRs drawn from, transitively", () => {
    expect(result(r, "objective", "me").firstCheckInMs).toBe(200);
    expect(result(r, "keyResult", "teamKr").firstCheckInMs).toBe(200);
    expect(result(r, "objective", "team").firstCheckInMs).toBe(200); // min(teamOwn 500, teamKr 200)
    expect(result(r, "keyResult", "orgKr").firstCheckInMs).toBe(200); // not its own 1
    expect(result(r, "objective", "org").firstCheckInMs).toBe(200); // not looseKr's 50: that link does not contribute
    expect(result(r, "objective", "loose").firstCheckInMs).toBe(50);
  });

  it("has an entry for every objective and key result", () => {
    expect([...r.keys()].sort()).toEqual(
      [
        "objective:org",
        "objective:team",
        "objective:me",
        "objective:loose",
        "keyResult:orgKr",
        "keyResult:teamKr",
        "keyResult:teamOwn",
        "keyResult:mine",
        "keyResult:looseKr",
      ].sort(),
    );
  });
});

describe("bad data and scale", () => {
  it("ends on a loop that slipped into the data, ignoring the link that closes it", () => {
    // a ↔ b aligned both ways. The walk starts at objective:a (key order), reaches b, and b's link back
    // to a closes the loop: b counts only its own KR (0.8); a = (0.4 + 0.8)/2 = 0.6.
    const r = evaluateGraph(
      graph({
        objectives: [objective("b"), objective("a")],
        keyResults: [kr("ak", "a", value(40)), kr("bk", "b", value(80))],
        alignments: [align("objective", "a", "objective", "b"), align("objective", "b", "objective", "a")],
      }),
    );
    expect(progressOf(r, "objective", "b")).toBeCloseTo(0.8, 12);
    expect(progressOf(r, "objective", "a")).toBeCloseTo(0.6, 12);
  });

  it("ends on an objective aligned under its own roll-up KR", () => {
    const r = evaluateGraph(
      graph({
        objectives: [objective("o")],
        keyResults: [rollupKr("r", "o", "mean"), kr("k", "o", value(50))],
        alignments: [align("objective", "o", "keyResult", "r")],
      }),
    );
    for (const v of r.values()) expect(Number.isFinite(v.progress ?? 0)).toBe(true);
  });

  it("handles a 10,000-deep chain of objectives without overflowing the stack", () => {
    const n = 10_000;
    const objectives = Array.from({ length: n }, (_, i) => objective(`o${i}`));
    const alignments = Array.from({ length: n - 1 }, (_, i) => align("objective", `o${i + 1}`, "objective", `o${i}`));
    const r = evaluateGraph(graph({ objectives, keyResults: [kr("leaf", `o${n - 1}`, value(25, 7))], alignments }));
    expect(progressOf(r, "objective", "o0")).toBeCloseTo(0.25, 12);
    expect(result(r, "objective", "o0").firstCheckInMs).toBe(7);
  });

  it("evaluates 10,000 nodes of a wide tree quickly", () => {
    // 2,000 objectives with 4 KRs each, every objective aligned under o0's KR k0-0 (roll-up mean).
    const objectives = Array.from({ length: 2000 }, (_, i) => objective(`o${i}`));
    const keyResults = objectives.flatMap((o, i) =>
      [0, 1, 2, 3].map((j) =>
        i === 0 && j === 0 ? rollupKr("k0-0", "o0", "mean") : kr(`k${i}-${j}`, o.id, value(25 * j)),
      ),
    );
    const alignments = objectives.slice(1).map((o) => align("objective", o.id, "keyResult", "k0-0"));
    const t0 = performance.now();
    const r = evaluateGraph(graph({ objectives, keyResults, alignments }));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.size).toBe(10_000);
    // Each other objective: (0 + 0.25 + 0.5 + 0.75)/4 = 0.375; k0-0 = 0.375; o0 = (0.375 + 0.25 + 0.5 + 0.75)/4 = 0.46875.
    expect(progressOf(r, "keyResult", "k0-0")).toBeCloseTo(0.375, 12);
    expect(progressOf(r, "objective", "o0")).toBeCloseTo(0.46875, 12);
  });
});

describe("roll-up properties (fast-check)", () => {
  const childArb = fc.record({
    progress: fc.double({ min: -2, max: 3, noNaN: true }),
    weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
    span: fc.integer({ min: 1, max: 100_000 }),
  });
  type Child = { progress: number; weight: number; span: number };

  /** A parent over KR children (each from 0 to `span`, at `progress`): an objective, or a roll-up KR by `method`. */
  function parentGraph(children: readonly Child[], method: "objective" | RollupMethod): GraphInput {
    const keyResults = children.map((c, i) =>
      kr(`c${i}`, method === "objective" ? "p" : "c", {
        target: c.span,
        weight: c.weight,
        ...value(c.progress * c.span, i),
      }),
    );
    if (method === "objective") return graph({ objectives: [objective("p")], keyResults });
    return graph({
      objectives: [objective("p"), objective("c")],
      keyResults: [rollupKr("parent", "p", method, { start: 0, target: 1000 }), ...keyResults],
      alignments: children.map((c, i) => align("keyResult", `c${i}`, "keyResult", "parent", c.weight)),
    });
  }
  const parentProgress = (children: readonly Child[], method: "objective" | RollupMethod) => {
    const r = evaluateGraph(parentGraph(children, method));
    return method === "objective" ? progressOf(r, "objective", "p")! : progressOf(r, "keyResult", "parent")!;
  };
  const weightedMethods = ["objective", "mean", "proportional"] as const;
  const allMethods = ["objective", "mean", "proportional", "sum"] as const;

  it.each(weightedMethods)("%s stays within [min, max] of its clamped children", (method) => {
    fc.assert(
      fc.property(fc.array(childArb, { minLength: 1, maxLength: 12 }), (children) => {
        const r = evaluateGraph(parentGraph(children, method));
        // The children's progress as the engine computed it (value/span may differ from c.progress in the last bit).
        const clamped = children.map((_, i) => Math.min(1, Math.max(0, progressOf(r, "keyResult", `c${i}`)!)));
        const p = method === "objective" ? progressOf(r, "objective", "p")! : progressOf(r, "keyResult", "parent")!;
        expect(p).toBeGreaterThanOrEqual(Math.min(...clamped));
        expect(p).toBeLessThanOrEqual(Math.max(...clamped));
      }),
    );
  });

  it.each(allMethods)("%s does not depend on the order of its children", (method) => {
    fc.assert(
      fc.property(
        fc
          .array(childArb, { minLength: 1, maxLength: 12 })
          .chain((list) =>
            fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
          ),
        ([children, shuffled]) => {
          expect(parentProgress(shuffled, method)).toBeCloseTo(parentProgress(children, method), 9);
        },
      ),
    );
  });

  it.each(allMethods)("%s: a child with weight 0 is the same as no child", (method) => {
    fc.assert(
      fc.property(fc.array(childArb, { maxLength: 10 }), childArb, fc.nat(10), (children, extra, at) => {
        const withZero = [...children];
        withZero.splice(Math.min(at, children.length), 0, { ...extra, weight: 0 });
        // Ids shift when a child is inserted, so compare the parent only.
        expect(parentProgress(withZero, method)).toBeCloseTo(parentProgress(children, method), 12);
      }),
    );
  });

  // Whole random graphs, loops included: every node gets a finite result, and neither the order of the
  // input arrays nor a zero-weight or non-contributing extra link changes anything.
  const types: KrType[] = ["increase", "decrease", "stayAbove", "milestone", "baseline"];
  const graphArb = fc
    .record({
      objectiveCount: fc.integer({ min: 1, max: 6 }),
      krs: fc.array(
        fc.record({
          objective: fc.nat(5),
          type: fc.constantFrom(...types),
          rollup: fc.option(fc.constantFrom<RollupMethod>("mean", "sum", "proportional"), { nil: null }),
          value: fc.option(fc.integer({ min: -50, max: 150 }), { nil: null }),
          weight: fc.constantFrom(0, 0.5, 1, 2, 3),
          first: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
          override: fc.option(fc.constantFrom(0, 0.35, 1), { nil: null, freq: 5 }),
        }),
        { maxLength: 12 },
      ),
      links: fc.array(
        fc.record({
          childIsKr: fc.boolean(),
          child: fc.nat(11),
          parentIsKr: fc.boolean(),
          parent: fc.nat(11),
          weight: fc.constantFrom(0, 1, 2.5),
          contributes: fc.boolean(),
        }),
        { maxLength: 16 },
      ),
      initiatives: fc.array(
        fc.record({
          objective: fc.nat(5),
          progress: fc.option(fc.double({ min: -1, max: 2, noNaN: true }), { nil: null }),
          weight: fc.constantFrom(0, 1, 2),
        }),
        { maxLength: 4 },
      ),
      initiativesCount: fc.boolean(),
    })
    .map((g): GraphInput => {
      const objectives = Array.from({ length: g.objectiveCount }, (_, i) => objective(`o${i}`));
      const keyResults = g.krs.map((k, i) =>
        kr(`k${i}`, `o${k.objective % g.objectiveCount}`, {
          type: k.type,
          start: k.type === "stayAbove" ? null : 0,
          target: k.type === "baseline" || k.type === "milestone" ? null : 100,
          progressMode: k.rollup ? "rollup" : "manual",
          rollup: k.rollup ?? "mean",
          latest: { value: k.value, achieved: k.value !== null && k.value > 50 },
          weight: k.weight,
          firstCheckInMs: k.first,
          progressOverride: k.override,
          forecast: k.value === null ? null : { progress: k.value / 100, low: null, high: null, probability: null },
        }),
      );
      const ref = (isKr: boolean, n: number) =>
        isKr && keyResults.length > 0
          ? { type: "keyResult" as const, id: `k${n % keyResults.length}` }
          : { type: "objective" as const, id: `o${n % g.objectiveCount}` };
      const alignments = g.links.map((l) => {
        const c = ref(l.childIsKr, l.child);
        const p = ref(l.parentIsKr, l.parent);
        return align(c.type, c.id, p.type, p.id, l.weight, l.contributes);
      });
      const initiatives = g.initiatives.map((i) => ({ ...i, objectiveId: `o${i.objective % g.objectiveCount}` }));
      return { objectives, keyResults, alignments, initiatives, initiativesCount: g.initiativesCount };
    });

  const shuffledArb = <T>(xs: readonly T[]) =>
    fc.shuffledSubarray([...xs], { minLength: xs.length, maxLength: xs.length });

  it("gives every node a finite result, objectives within [0, 1] without overrides", () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const r = evaluateGraph(g);
        expect(r.size).toBe(g.objectives.length + g.keyResults.length);
        for (const o of g.objectives) {
          const p = progressOf(r, "objective", o.id)!;
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
        for (const v of r.values()) {
          if (v.progress !== null) expect(Number.isFinite(v.progress)).toBe(true);
          if (v.current !== null) expect(Number.isFinite(v.current)).toBe(true);
        }
      }),
    );
  });

  it("gives exactly the same results whatever the order of the input arrays, loops included", () => {
    fc.assert(
      fc.property(
        graphArb.chain((g) =>
          fc.tuple(
            fc.constant(g),
            fc.record({
              objectives: shuffledArb(g.objectives),
              keyResults: shuffledArb(g.keyResults),
              alignments: shuffledArb(g.alignments),
              initiatives: shuffledArb(g.initiatives),
              initiativesCount: fc.constant(g.initiativesCount),
            }),
          ),
        ),
        ([g, shuffled]) => {
          expect(evaluateGraph(shuffled)).toEqual(evaluateGraph(g));
        },
      ),
    );
  });

  it("is unchanged by an extra link of weight 0 or one that does not contribute", () => {
    fc.assert(
      fc.property(
        graphArb,
        fc.nat(20),
        fc.nat(20),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (g, child, parent, childIsKr, parentIsKr, zero) => {
          const pick = (isKr: boolean, n: number) =>
            isKr && g.keyResults.length > 0
              ? ({ type: "keyResult", id: g.keyResults[n % g.keyResults.length]!.id } as const)
              : ({ type: "objective", id: g.objectives[n % g.objectives.length]!.id } as const);
          const c = pick(childIsKr, child);
          const p = pick(parentIsKr, parent);
          const extra = zero ? align(c.type, c.id, p.type, p.id, 0, true) : align(c.type, c.id, p.type, p.id, 1, false);
          expect(evaluateGraph({ ...g, alignments: [...g.alignments, extra] })).toEqual(evaluateGraph(g));
        },
      ),
    );
  });
});
