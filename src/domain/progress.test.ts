import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currentCheckIn, krOwnProgress, validateKeyResultTargets } from "./progress.js";
import type { CheckInPoint, KrType } from "./types.js";

const point = (
  atMs: number,
  createdMs: number,
  value: number | null,
  achieved: boolean | null = null,
): CheckInPoint => ({
  atMs,
  createdMs,
  value,
  achieved,
  status: null,
  confidence: null,
});

describe("krOwnProgress (§2)", () => {
  const cases: [
    string,
    KrType,
    number | null,
    number | null,
    { value: number | null; achieved: boolean | null } | null,
    number | null,
  ][] = [
    // name, type, start, target, latest, expected
    ["increase halfway: (30 − 10)/(50 − 10)", "increase", 10, 50, { value: 30, achieved: null }, 0.5],
    ["increase over-achieved, unclamped: (60 − 10)/40", "increase", 10, 50, { value: 60, achieved: null }, 1.25],
    ["increase below start: (5 − 10)/40", "increase", 10, 50, { value: 5, achieved: null }, -0.125],
    ["increase, no check-in: v = s", "increase", 10, 50, null, 0],
    ["decrease: (8 − 10)/(5 − 10)", "decrease", 10, 5, { value: 8, achieved: null }, 0.4],
    ["decrease reached", "decrease", 10, 5, { value: 5, achieved: null }, 1],
    ["stayAbove met at the threshold", "stayAbove", null, 99.5, { value: 99.5, achieved: null }, 1],
    ["stayAbove missed", "stayAbove", null, 99.5, { value: 99.4, achieved: null }, 0],
    ["stayAbove, no check-in", "stayAbove", null, 99.5, null, 0],
    ["stayBelow met", "stayBelow", null, 2, { value: 1.5, achieved: null }, 1],
    ["stayBelow missed", "stayBelow", null, 2, { value: 2.01, achieved: null }, 0],
    ["milestone achieved", "milestone", null, null, { value: null, achieved: true }, 1],
    ["milestone not achieved", "milestone", null, null, { value: null, achieved: false }, 0],
    ["milestone, no check-in", "milestone", null, null, null, 0],
    ["baseline has no progress", "baseline", 3, null, { value: 4, achieved: null }, null],
    ["increase without target", "increase", 0, null, { value: 4, achieved: null }, null],
  ];
  it.each(cases)("%s", (_name, type, start, target, latest, expected) => {
    const p = krOwnProgress({ type, start, target }, latest);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toBeCloseTo(expected, 12);
  });

  it("is linear in the value for increase and decrease KRs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: -5000, max: 5000, noNaN: true }),
        (s, span, v) => {
          const up = krOwnProgress({ type: "increase", start: s, target: s + span }, { value: v, achieved: null })!;
          const down = krOwnProgress({ type: "decrease", start: s + span, target: s }, { value: v, achieved: null })!;
          expect(up + down).toBeCloseTo(1, 9); // the same value read both ways covers the whole span
        },
      ),
    );
  });
});

describe("currentCheckIn", () => {
  it("takes the latest at or before now, ties to the one created later", () => {
    const a = point(100, 1, 1);
    const b = point(200, 2, 2);
    const c = point(200, 3, 3);
    const future = point(300, 4, 4);
    expect(currentCheckIn([a, c, b, future], 250)).toBe(c);
    expect(currentCheckIn([a, b, c], 150)).toBe(a);
    expect(currentCheckIn([a], 50)).toBeNull();
    expect(currentCheckIn([], 50)).toBeNull();
  });
});

describe("validateKeyResultTargets", () => {
  it.each([
    ["increase", 0, 10, 0],
    ["increase", 10, 10, 1],
    ["increase", 10, 0, 1],
    ["increase", null, null, 2],
    ["decrease", 10, 0, 0],
    ["decrease", 0, 10, 1],
    ["stayAbove", null, 5, 0],
    ["stayBelow", null, null, 1],
    ["milestone", null, null, 0],
    ["baseline", null, null, 0],
  ] as const)("%s start %s target %s → %i problem(s)", (type, start, target, n) => {
    const problems = validateKeyResultTargets({ type, start, target });
    expect(problems).toHaveLength(n);
    for (const p of problems) expect(p).toMatch(/^(start|target): /);
  });
});
