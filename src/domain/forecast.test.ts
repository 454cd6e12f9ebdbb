import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineForecasts, forecastKeyResult, normalCdf } from "./forecast.js";
import { DAY_MS } from "./periods.js";
import type { CheckInPoint } from "./types.js";

const START = Date.UTC(2026, 0, 1);
const span = { startMs: START, endMs: START + 90 * DAY_MS }; // Q1 2026: 90 days
const at = (day: number, value: number): CheckInPoint => ({
  atMs: START + day * DAY_MS,
  createdMs: START + day * DAY_MS,
  value,
  achieved: null,
  status: null,
  confidence: null,
});
const kr = { type: "increase" as const, start: 0, target: 100, committed: false };
const NOW = START + 60 * DAY_MS;

describe("normalCdf", () => {
  it.each([
    [0, 0.5],
    [1, 0.8413447460685],
    [-1, 0.1586552539315],
    [1.2816, 0.9000084999023],
    [1.959964, 0.9750000009036],
    [-3, 0.0013498980316],
  ])("Φ(%f) = %f", (z, p) => {
    expect(normalCdf(z)).toBeCloseTo(p, 9);
  });
  it("is monotone and symmetric", () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: 0, max: 4, noNaN: true }), (z, dz) => {
        expect(normalCdf(z + dz)).toBeGreaterThanOrEqual(normalCdf(z) - 1e-12);
        expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe("forecastKeyResult (§5)", () => {
  it("is null without check-ins and for types other than increase/decrease", () => {
    expect(forecastKeyResult(kr, span, [], NOW)).toBeNull();
    expect(forecastKeyResult({ ...kr, type: "stayAbove" }, span, [at(10, 50)], NOW)).toBeNull();
    expect(forecastKeyResult({ ...kr, type: "milestone" }, span, [at(10, 50)], NOW)).toBeNull();
  });

  it("one check-in: the line through (start, 0) and the point", () => {
    // 30 % after 30 days → 1 % a day → 90 % at day 90.
    expect(forecastKeyResult(kr, span, [at(30, 30)], NOW)).toEqual({
      progress: 0.9,
      low: null,
      high: null,
      probability: null,
    });
  });

  it("two check-ins: the line through them, no interval", () => {
    // (10, 0.2) and (40, 0.5): slope 0.01/day, intercept 0.1 → 0.1 + 0.9 = 1.0 at day 90.
    const f = forecastKeyResult(kr, span, [at(10, 20), at(40, 50)], NOW)!;
    expect(f.progress).toBeCloseTo(1.0, 12);
    expect(f.low).toBeNull();
    expect(f.probability).toBeNull();
  });

  it("three check-ins: least squares, 80 % interval and probability, worked by hand", () => {
    // Points (0, 0), (30, 0.3), (60, 0.45): x̄ = 30, ȳ = 0.25, Sxx = 1800,
    // Sxy = (−30)(−0.25) + 0·0.05 + 30·0.2 = 7.5 + 0 + 6 = 13.5 → slope 0.0075, intercept 0.25 − 0.225 = 0.025.
    // ŷ(90) = 0.025 + 0.675 = 0.7. Residuals: −0.025, 0.05, −0.025 → SSR = 0.00375, σ̂ = √0.00375 = 0.0612372.
    // err = σ̂·√(1 + 1/3 + (90 − 30)²/1800) = 0.0612372·√3.3333 = 0.1118034.
    // Interval 0.7 ± 1.2816·0.1118034 = 0.7 ± 0.1432873. Goal 0.7 (aspirational) → probability 1 − Φ(0) = 0.5.
    const f = forecastKeyResult(kr, span, [at(0, 0), at(30, 30), at(60, 45)], NOW)!;
    expect(f.progress).toBeCloseTo(0.7, 12);
    expect(f.low).toBeCloseTo(0.7 - 0.1432873, 6);
    expect(f.high).toBeCloseTo(0.7 + 0.1432873, 6);
    expect(f.probability).toBeCloseTo(0.5, 12);
    // Committed: goal 1.0 → 1 − Φ(0.3/0.1118034) = 1 − Φ(2.6833) = 0.003645.
    const c = forecastKeyResult({ ...kr, committed: true }, span, [at(0, 0), at(30, 30), at(60, 45)], NOW)!;
    expect(c.probability).toBeCloseTo(0.003645179, 8);
  });

  it("ignores check-ins after now or after the end", () => {
    const later = forecastKeyResult(kr, span, [at(30, 30), at(70, 99)], NOW)!;
    expect(later.progress).toBeCloseTo(0.9, 12);
  });

  it("works the same for decrease KRs in progress terms", () => {
    // From 50 down to 10: a value of 38 after 30 days is 30 % → 90 % forecast.
    const f = forecastKeyResult(
      { type: "decrease", start: 50, target: 10, committed: false },
      span,
      [at(30, 38)],
      NOW,
    )!;
    expect(f.progress).toBeCloseTo(0.9, 12);
  });

  it("never returns NaN for degenerate histories", () => {
    expect(forecastKeyResult(kr, span, [at(0, 40)], NOW)!.progress).toBe(0.4);
    const same = forecastKeyResult(kr, span, [at(5, 10), at(5, 20), at(5, 30)], NOW)!;
    expect(same.progress).toBeCloseTo(0.2, 12);
    const exact = forecastKeyResult(kr, span, [at(0, 0), at(30, 30), at(60, 60)], NOW)!;
    expect(exact.progress).toBeCloseTo(0.9, 12);
    expect(exact.probability).toBe(1);
  });
});

describe("combineForecasts", () => {
  it("weights progress and bounds, leaves probability null", () => {
    const a = { progress: 0.8, low: 0.6, high: 1.0, probability: 0.7 };
    const b = { progress: 0.5, low: 0.4, high: 0.6, probability: 0.2 };
    const c = combineForecasts([
      { forecast: a, weight: 1 },
      { forecast: b, weight: 3 },
    ])!;
    expect(c.progress).toBeCloseTo((0.8 + 1.5) / 4, 12);
    expect(c.low).toBeCloseTo((0.6 + 1.2) / 4, 12);
    expect(c.high).toBeCloseTo((1.0 + 1.8) / 4, 12);
    expect(c.probability).toBeNull();
    const noBounds = combineForecasts([
      { forecast: a, weight: 1 },
      { forecast: { ...b, low: null, high: null }, weight: 1 },
    ])!;
    expect(noBounds.low).toBeNull();
    expect(
      combineForecasts([
        { forecast: null, weight: 1 },
        { forecast: a, weight: 0 },
      ]),
    ).toBeNull();
  });
});
