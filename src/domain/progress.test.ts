import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  clamp01,
  currentCheckIn,
  type KrTargets,
  krOwnProgress,
  unusualCheckInValue,
  validateKeyResultTargets,
} from "./progress.js";
import type { CheckInPoint, KrType } from "./types.js";

function point(atMs: number, createdMs: number, value: number | null, achieved: boolean | null = null): CheckInPoint {
  return { atMs, createdMs, value, achieved, status: null, confidence: null };
}

const reading = (value: number | null, achieved: boolean | null = null) => ({ value, achieved });

describe("clamp01", () => {
  it.each([
    [-0.5, 0],
    [0, 0],
    [0.42, 0.42],
    [1, 1],
    [1.25, 1],
    [Number.NEGATIVE_INFINITY, 0],
    [Number.POSITIVE_INFINITY, 1],
  ])("clamp01(%f) = %f", (x, expected) => {
    expect(clamp01(x)).toBe(expected);
  });

  it("always lands in [0, 1] and leaves values inside unchanged", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const c = clamp01(x);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
        if (x >= 0 && x <= 1) expect(c).toBe(x);
      }),
    );
  });
});

describe("currentCheckIn (§2: latest at or before now, ties to the one created later)", () => {
  const a = point(100, 10, 1);
  const b = point(200, 20, 2);
  const bLater = point(200, 30, 3); // same instant as b, created later: wins the tie
  const future = point(300, 5, 4);
  it.each([
    ["now between a and b → a", [a, b, bLater, future], 150, a],
    ["now on b's instant → the later-created of the tie", [bLater, a, future, b], 200, bLater],
    ["now after all but the future one", [future, b, a, bLater], 299, bLater],
    ["now after everything → the newest", [a, b, bLater, future], 1000, future],
    ["now before the first → null", [a, b], 99, null],
    ["no check-ins → null", [], 1000, null],
  ] as [string, CheckInPoint[], number, CheckInPoint | null][])("%s", (_name, points, now, expected) => {
    expect(currentCheckIn(points, now)).toBe(expected);
  });

  it("does not depend on the order of the check-ins", () => {
    const arbPoint = fc
      .record({ atMs: fc.integer({ min: 0, max: 50 }), createdMs: fc.integer({ min: 0, max: 1_000_000 }) })
      .map((p) => point(p.atMs, p.createdMs, p.atMs));
    fc.assert(
      fc.property(
        fc
          .uniqueArray(arbPoint, { selector: (p) => p.createdMs, maxLength: 20 })
          .chain((points) =>
            fc.tuple(
              fc.constant(points),
              fc.shuffledSubarray(points, { minLength: points.length, maxLength: points.length }),
            ),
          ),
        fc.integer({ min: -5, max: 60 }),
        ([points, shuffled], now) => {
          const picked = currentCheckIn(points, now);
          expect(currentCheckIn(shuffled, now)).toBe(picked);
          // Nothing eligible beats it.
          for (const p of points) {
            if (p.atMs > now || picked === null) continue;
            expect(p.atMs < picked.atMs || (p.atMs === picked.atMs && p.createdMs <= picked.createdMs)).toBe(true);
          }
          expect(picked === null).toBe(points.every((p) => p.atMs > now));
        },
      ),
    );
  });
});

describe("krOwnProgress (§2)", () => {
  const cases: [string, KrType, number | null, number | null, ReturnType<typeof reading> | null, number | null][] = [
    // name (with the arithmetic), type, start, target, latest, expected
    ["increase halfway: (30 − 10)/(50 − 10) = 20/40", "increase", 10, 50, reading(30), 0.5],
    ["increase over-achieved stays unclamped: (60 − 10)/40", "increase", 10, 50, reading(60), 1.25],
    ["increase below its start goes negative: (5 − 10)/40", "increase", 10, 50, reading(5), -0.125],
    ["increase with no check-in: v = s → 0", "increase", 10, 50, null, 0],
    ["increase whose latest value is null: v = s → 0", "increase", 10, 50, reading(null, true), 0],
    ["increase with fractional numbers: (0.35 − 0.2)/(0.5 − 0.2) = 0.15/0.3", "increase", 0.2, 0.5, reading(0.35), 0.5],
    ["decrease: (8 − 10)/(5 − 10) = −2/−5", "decrease", 10, 5, reading(8), 0.4],
    ["decrease reached exactly", "decrease", 10, 5, reading(5), 1],
    ["decrease went the wrong way: (12 − 10)/(5 − 10)", "decrease", 10, 5, reading(12), -0.4],
    ["decrease with negative numbers: (−15 − (−10))/(−20 − (−10)) = −5/−10", "decrease", -10, -20, reading(-15), 0.5],
    ["increase without a target → null", "increase", 0, null, reading(4), null],
    ["decrease without a start → null", "decrease", null, 0, reading(4), null],
    ["increase with t = s → null, not Infinity", "increase", 7, 7, reading(8), null],
    ["stayAbove met exactly at the threshold: 99.5 ≥ 99.5", "stayAbove", null, 99.5, reading(99.5), 1],
    ["stayAbove missed: 99.4 < 99.5", "stayAbove", null, 99.5, reading(99.4), 0],
    ["stayAbove with no check-in → 0", "stayAbove", null, 99.5, null, 0],
    ["stayAbove with a null value → 0", "stayAbove", 100, 99.5, reading(null), 0],
    ["stayAbove without a target → null", "stayAbove", null, null, reading(3), null],
    ["stayBelow met: 1.5 ≤ 2", "stayBelow", null, 2, reading(1.5), 1],
    ["stayBelow met exactly: 2 ≤ 2", "stayBelow", null, 2, reading(2), 1],
    ["stayBelow missed: 2.01 > 2", "stayBelow", null, 2, reading(2.01), 0],
    ["stayBelow with no check-in → 0", "stayBelow", null, 2, null, 0],
    ["milestone achieved", "milestone", null, null, reading(null, true), 1],
    ["milestone not achieved", "milestone", null, null, reading(null, false), 0],
    ["milestone with a check-in that says nothing", "milestone", null, null, reading(null, null), 0],
    ["milestone with no check-in", "milestone", null, null, null, 0],
    ["baseline has no progress, even with a value and a target", "baseline", 3, 10, reading(4), null],
  ];
  it.each(cases)("%s", (_name, type, start, target, latest, expected) => {
    const p = krOwnProgress({ type, start, target }, latest);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toBeCloseTo(expected, 12);
  });

  it("increase and decrease read the same value from opposite ends (p_up + p_down = 1)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        (s, width, v) => {
          const up = krOwnProgress({ type: "increase", start: s, target: s + width }, reading(v))!;
          const down = krOwnProgress({ type: "decrease", start: s + width, target: s }, reading(v))!;
          expect(up + down).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it("is 0 at the start and 1 at the target for every valid increase/decrease KR", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (a, b) => {
          fc.pre(a !== b);
          const kr: KrTargets = { type: a < b ? "increase" : "decrease", start: a, target: b };
          expect(krOwnProgress(kr, reading(a))).toBe(0);
          expect(krOwnProgress(kr, reading(b))).toBeCloseTo(1, 12);
          expect(validateKeyResultTargets(kr)).toEqual([]);
        },
      ),
    );
  });

  it("stayAbove/stayBelow/milestone only ever give 0 or 1", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<KrType>("stayAbove", "stayBelow", "milestone"),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.option(fc.record({ value: fc.option(fc.double({ noNaN: true })), achieved: fc.option(fc.boolean()) })),
        (type, target, latest) => {
          expect([0, 1]).toContain(krOwnProgress({ type, start: null, target }, latest));
        },
      ),
    );
  });
});

describe("validateKeyResultTargets", () => {
  it.each([
    ["increase", 0, 10, []],
    ["decrease", 10, 0, []],
    ["stayAbove", null, 5, []],
    ["stayBelow", 3, 5, []],
    ["milestone", null, null, []],
    ["baseline", 12, null, []],
    [
      "increase",
      10,
      5,
      [
        'target: an increase key result needs a target greater than its start (start 10, target 5); swap them or use type "decrease"',
      ],
    ],
    [
      "decrease",
      0,
      10,
      [
        'target: a decrease key result needs a target lower than its start (start 0, target 10); swap them or use type "increase"',
      ],
    ],
    [
      "increase",
      10,
      10,
      [
        'target: an increase key result needs a target different from its start (both are 10); change the target, or use type "stayAbove" to hold a level',
      ],
    ],
    [
      "decrease",
      4,
      4,
      [
        'target: a decrease key result needs a target different from its start (both are 4); change the target, or use type "stayBelow" to hold a level',
      ],
    ],
    [
      "increase",
      null,
      null,
      [
        'start: an increase key result needs a start value (the baseline it moves from); enter today\'s value, or use type "baseline" while you are still measuring it',
        'target: an increase key result needs a target value (where it should be at the end of the period); set one, or use type "baseline" until you know it',
      ],
    ],
    [
      "stayBelow",
      null,
      null,
      ["target: a stayBelow key result needs a target (the level to stay at or below); set the threshold"],
    ],
    [
      "stayAbove",
      1,
      null,
      ["target: a stayAbove key result needs a target (the level to stay at or above); set the threshold"],
    ],
    ["increase", Number.NaN, 5, ["start: must be a finite number (got NaN)"]],
    ["decrease", 5, Number.POSITIVE_INFINITY, ["target: must be a finite number (got Infinity)"]],
  ] as [KrType, number | null, number | null, string[]][])(
    "%s with start %s and target %s",
    (type, start, target, expected) => {
      expect(validateKeyResultTargets({ type, start, target })).toEqual(expected);
    },
  );

  it("accepts exactly the KRs whose progress is defined (except baseline, which is fine with none)", () => {
    const num = fc.option(fc.integer({ min: -50, max: 50 }), { nil: null });
    fc.assert(
      fc.property(
        fc.constantFrom<KrType>("increase", "decrease", "stayAbove", "stayBelow", "milestone"),
        num,
        num,
        (type, start, target) => {
          const problems = validateKeyResultTargets({ type, start, target });
          for (const p of problems) expect(p).toMatch(/^(start|target): \S/);
          if (problems.length === 0) expect(krOwnProgress({ type, start, target }, null)).not.toBeNull();
          if (type === "increase" || type === "decrease") {
            const ok = start !== null && target !== null && (type === "increase" ? target > start : target < start);
            expect(problems.length === 0).toBe(ok);
          }
        },
      ),
    );
  });
});

describe("krOwnProgress at the edges of doubles", () => {
  it("gives no progress rather than ±Infinity when the range underflows", () => {
    const kr: KrTargets = { type: "increase", start: 0, target: 5e-324 };
    expect(krOwnProgress(kr, { value: 1, achieved: null })).toBeNull();
    expect(krOwnProgress(kr, { value: 5e-324, achieved: null })).toBe(1);
  });
});

describe("unusualCheckInValue", () => {
  const inc: KrTargets = { type: "increase", start: 0, target: 9 };
  const dec: KrTargets = { type: "decrease", start: 40, target: 20 };
  it.each([
    { name: "increase below its start", kr: inc, value: -5, want: { kind: "beforeStart", progress: -5 / 9 } },
    { name: "increase at its start", kr: inc, value: 0, want: null },
    { name: "increase over-achieved a little", kr: inc, value: 12, want: null },
    { name: "increase at double its target", kr: inc, value: 18, want: null },
    { name: "increase far beyond (a typo)", kr: inc, value: 90, want: { kind: "farBeyond", progress: 10 } },
    { name: "decrease above its start", kr: dec, value: 45, want: { kind: "beforeStart", progress: -0.25 } },
    { name: "decrease on its way", kr: dec, value: 30, want: null },
    { name: "no value yet", kr: inc, value: null, want: null },
    { name: "a stay-above KR", kr: { type: "stayAbove", start: null, target: 5 } as KrTargets, value: -1, want: null },
  ])("$name", ({ kr, value, want }) => {
    const got = unusualCheckInValue(kr, value);
    if (want === null) expect(got).toBeNull();
    else {
      expect(got?.kind).toBe(want.kind);
      expect(got?.progress).toBeCloseTo(want.progress, 12);
    }
  });
});
