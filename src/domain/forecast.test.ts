import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineForecasts, type ForecastKr, forecastKeyResult, normalCdf } from "./forecast.js";
import { DAY_MS } from "./periods.js";
import type { CheckInPoint, Forecast } from "./types.js";

const START = Date.UTC(2026, 0, 1);
const Q1 = { startMs: START, endMs: START + 90 * DAY_MS }; // 2026-01-01 .. 2026-03-31 in UTC: 90 days
const NOW = START + 80 * DAY_MS;

function at(day: number, value: number | null): CheckInPoint {
  const atMs = START + day * DAY_MS;
  return { atMs, createdMs: atMs, value, achieved: null, status: null, confidence: null };
}

const aspirational: ForecastKr = { type: "increase", start: 0, target: 100, committed: false };
const committed: ForecastKr = { ...aspirational, committed: true };

describe("normalCdf", () => {
  // Reference values: ½·erfc(−z/√2), from a double-precision erfc.
  it.each([
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [1.2816, 0.9000084999023248],
    [1.959964, 0.9750000009035575],
    [2, 0.9772498680518208],
    [-2.5, 0.006209665325776139],
    [3, 0.9986501019683699],
    [-3, 0.0013498980316300957],
    [3.5, 0.9997673709209645],
    [-5, 2.866515718791946e-7],
    [6, 0.9999999990134123],
  ])("Φ(%f) = %f", (z, expected) => {
    expect(Math.abs(normalCdf(z) - expected)).toBeLessThan(1e-14);
  });

  it.each([
    [-8, 6.220960574271819e-16],
    [-10, 7.619853024160593e-24],
    [-20, 2.7536241186063314e-89],
  ])("keeps the far tail Φ(%f) = %e to 1e-12 relative", (z, expected) => {
    expect(Math.abs(normalCdf(z) / expected - 1)).toBeLessThan(1e-12);
  });

  it("handles the edges without NaN", () => {
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it("is monotone, symmetric and within [0, 1]", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (z, dz) => {
          const p = normalCdf(z);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(normalCdf(z + dz)).toBeGreaterThanOrEqual(p);
          expect(p + normalCdf(-z)).toBeCloseTo(1, 14);
        },
      ),
    );
  });

  it("agrees with Simpson's rule on the density: Φ(b) − Φ(a) = ∫ φ from a to b", () => {
    const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    fc.assert(
      fc.property(
        fc.double({ min: -7, max: 7, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (a, w) => {
          const b = a + w;
          const steps = 1000;
          const h = w / steps;
          let s = density(a) + density(b);
          for (let i = 1; i < steps; i++) s += (i % 2 === 1 ? 4 : 2) * density(a + i * h);
          expect(Math.abs(normalCdf(b) - normalCdf(a) - (s * h) / 3)).toBeLessThan(1e-12);
        },
      ),
    );
  });
});

describe("forecastKeyResult (§5)", () => {
  it("is null without a usable history or for types it does not forecast", () => {
    expect(forecastKeyResult(aspirational, Q1, [], NOW)).toBeNull();
    expect(forecastKeyResult(aspirational, Q1, [at(10, null)], NOW)).toBeNull(); // no value
    expect(forecastKeyResult(aspirational, Q1, [at(85, 50)], NOW)).toBeNull(); // after now
    for (const type of ["stayAbove", "stayBelow", "milestone", "baseline"] as const) {
      expect(forecastKeyResult({ ...aspirational, type }, Q1, [at(10, 50)], NOW)).toBeNull();
    }
    expect(forecastKeyResult({ ...aspirational, target: null }, Q1, [at(10, 50)], NOW)).toBeNull();
    expect(forecastKeyResult({ ...aspirational, start: null }, Q1, [at(10, 50)], NOW)).toBeNull();
    expect(forecastKeyResult({ ...aspirational, target: 0 }, Q1, [at(10, 50)], NOW)).toBeNull(); // t = s
  });

  it.each([
    // name, check-ins, expected progress at day 90
    ["one check-in: 30 % at day 30 → slope 1 %/day → 90 %", [at(30, 30)], 0.9],
    ["one check-in at an exact instant: 15 % at day 22.5 → 0.15/22.5·90 = 60 %", [at(22.5, 15)], 0.6],
    ["one check-in above target: 60 % at day 30 → 180 %, unclamped", [at(30, 60)], 1.8],
    ["one check-in below start: −10 % at day 45 → −20 %", [at(45, -10)], -0.2],
    ["one check-in at the very start: flat at its 40 %", [at(0, 40)], 0.4],
    ["two check-ins (10, 20 %), (40, 50 %): slope 0.01, intercept 0.1 → 0.1 + 0.9 = 1.0", [at(10, 20), at(40, 50)], 1],
    [
      "two check-ins (20, 50 %), (60, 30 %): slope −0.005, intercept 0.6 → 0.6 − 0.45 = 0.15",
      [at(20, 50), at(60, 30)],
      0.15,
    ],
    ["all at one instant (day 5: 10, 20, 30 %): flat at the mean 20 %", [at(5, 10), at(5, 20), at(5, 30)], 0.2],
    ["only check-ins up to now count: (30, 30 %) alone, (85, 99 %) is after now", [at(30, 30), at(85, 99)], 0.9],
  ])("%s", (_name, checkIns, expected) => {
    const f = forecastKeyResult(aspirational, Q1, checkIns, NOW)!;
    expect(f.progress).toBeCloseTo(expected, 12);
    expect(f.low).toBeNull();
    expect(f.high).toBeNull();
    expect(f.probability).toBeNull();
  });

  it("three check-ins: least squares, 80 % interval and probability, worked by hand", () => {
    // Points (x days, progress): (10, 0.10), (40, 0.40), (70, 0.55).
    // x̄ = 40, ȳ = 1.05/3 = 0.35, Sxx = 30² + 0 + 30² = 1800.
    // Sxy = (−30)(−0.25) + 0·0.05 + 30·0.20 = 7.5 + 6 = 13.5 → slope 13.5/1800 = 0.0075/day.
    // Intercept 0.35 − 0.0075·40 = 0.05. ŷ(90) = 0.05 + 0.675 = 0.725.
    // Fitted 0.125, 0.35, 0.575 → residuals −0.025, 0.05, −0.025 → SSR = 0.000625 + 0.0025 + 0.000625 = 0.00375.
    // σ̂² = 0.00375/(3 − 2). 1 + 1/3 + (90 − 40)²/1800 = 18/18 + 6/18 + 25/18 = 49/18.
    // err = √(0.00375·49/18) = 7·√0.000208333 = 7·0.0144338 = 0.1010363.
    // Interval: 0.725 ± 1.2816·0.1010363 = 0.725 ± 0.1294881 → [0.5955119, 0.8544881].
    // Aspirational goal 0.7: 1 − Φ((0.7 − 0.725)/0.1010363) = 1 − Φ(−0.2474358) = 0.5977145.
    // Committed goal 1.0: 1 − Φ(0.275/0.1010363) = 1 − Φ(2.7217941) = 0.0032464.
    const checkIns = [at(10, 10), at(40, 40), at(70, 55)];
    const f = forecastKeyResult(aspirational, Q1, checkIns, NOW)!;
    expect(f.progress).toBeCloseTo(0.725, 12);
    expect(f.low).toBeCloseTo(0.5955119, 7);
    expect(f.high).toBeCloseTo(0.8544881, 7);
    expect(f.probability).toBeCloseTo(0.5977145, 7);
    expect(forecastKeyResult(committed, Q1, checkIns, NOW)!.probability).toBeCloseTo(0.0032464, 7);

    // The same history on a decrease KR from 200 to 100: values 190, 160, 145 are 10 %, 40 %, 55 %.
    const down = forecastKeyResult(
      { type: "decrease", start: 200, target: 100, committed: false },
      Q1,
      [at(70, 145), at(10, 190), at(40, 160)],
      NOW,
    )!;
    expect(down.progress).toBeCloseTo(0.725, 12);
    expect(down.low).toBeCloseTo(0.5955119, 7);
    expect(down.probability).toBeCloseTo(0.5977145, 7);
  });

  it("counts check-ins up to the end when now is past it, and none after the end", () => {
    // Now is day 120; the check-in on day 100 is after the end (day 90) and is left out.
    // (30, 0.3), (60, 0.5), (90, 0.8): x̄ = 60, ȳ = 1.6/3, Sxx = 1800,
    // Sxy = (−30)(0.3 − 0.5333) + 0 + 30(0.8 − 0.5333) = 7 + 8 = 15 → slope 1/120, ŷ(90) = 0.5333 + 30/120 = 0.78333.
    const f = forecastKeyResult(
      aspirational,
      Q1,
      [at(30, 30), at(60, 50), at(90, 80), at(100, 0)],
      START + 120 * DAY_MS,
    )!;
    expect(f.progress).toBeCloseTo(0.5 / 3 + 0.25 + 0.5 / 3 + 0.2, 12);
    expect(f.progress).toBeCloseTo(0.7833333, 7);
  });

  it("exactly linear histories have no error: probability 1 at or above the goal, 0 below", () => {
    const onTrack = forecastKeyResult(aspirational, Q1, [at(0, 0), at(30, 30), at(60, 60)], NOW)!;
    expect(onTrack.progress).toBeCloseTo(0.9, 12);
    expect(onTrack.probability).toBe(1);
    const slow = forecastKeyResult(aspirational, Q1, [at(0, 0), at(30, 10), at(60, 20)], NOW)!;
    expect(slow.progress).toBeCloseTo(0.3, 12);
    expect(slow.probability).toBe(0);
  });

  it("never yields NaN or Infinity, keeps low ≤ progress ≤ high, and gives the same forecast for check-ins in any order", () => {
    const checkIn = fc
      .record({
        atMs: fc.integer({ min: START - 10 * DAY_MS, max: START + 100 * DAY_MS }),
        value: fc.option(fc.double({ min: -500, max: 500, noNaN: true }), { nil: null }),
      })
      .map((c) => ({ ...c, createdMs: c.atMs, achieved: null, status: null, confidence: null }));
    fc.assert(
      fc.property(
        fc
          .array(checkIn, { maxLength: 12 })
          .chain((list) =>
            fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
          ),
        fc.integer({ min: START, max: START + 120 * DAY_MS }),
        fc.boolean(),
        ([list, shuffled], now, isCommitted) => {
          const kr = { ...aspirational, committed: isCommitted };
          const f = forecastKeyResult(kr, Q1, list, now);
          const g = forecastKeyResult(kr, Q1, shuffled, now);
          if (f === null) {
            expect(g).toBeNull();
            return;
          }
          for (const v of [f.progress, f.low, f.high, f.probability])
            if (v !== null) expect(Number.isFinite(v)).toBe(true);
          // The same points in any order give the same forecast, to the last bit.
          expect(g).toEqual(f);
          if (f.low !== null && f.high !== null) {
            expect(f.low).toBeLessThanOrEqual(f.progress);
            expect(f.high).toBeGreaterThanOrEqual(f.progress);
            expect(f.probability).toBeGreaterThanOrEqual(0);
            expect(f.probability).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it("gives the same forecast to the last bit for check-ins listed in another order", () => {
    // A history found by the property above (CI, seed 507523503): check-ins milliseconds apart
    // make a steep line, and summing in another order moved its far end in the 16th digit.
    const point = (ms: number, value: number | null): CheckInPoint => ({
      atMs: Date.UTC(2025, 11, 22) + ms,
      createdMs: Date.UTC(2025, 11, 22) + ms,
      value,
      achieved: null,
      status: null,
      confidence: null,
    });
    const list = [point(0, null), point(5, -499.99950792639936), point(0, 0), point(6, 0)];
    const shuffled = [list[1]!, list[0]!, list[3]!, list[2]!];
    const f = forecastKeyResult(aspirational, Q1, list, START)!;
    expect(Math.abs(f.progress)).toBeGreaterThan(1e9);
    expect(forecastKeyResult(aspirational, Q1, shuffled, START)).toEqual(f);
    expect(forecastKeyResult(aspirational, Q1, [...list].reverse(), START)).toEqual(f);
  });

  it("recovers the line from check-ins that lie on it", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: -0.02, max: 0.02, noNaN: true }),
        fc.uniqueArray(fc.integer({ min: 1, max: 80 }), { minLength: 2, maxLength: 10 }),
        (intercept, slope, days) => {
          const checkIns = days.map((d) => at(d, 100 * (intercept + slope * d)));
          const f = forecastKeyResult(aspirational, Q1, checkIns, NOW)!;
          expect(f.progress).toBeCloseTo(intercept + slope * 90, 9);
        },
      ),
    );
  });

  it("a committed KR never has a better chance than the same KR held to 0.7", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { minLength: 3, maxLength: 8 }),
        fc.array(fc.integer({ min: -20, max: 120 }), { minLength: 8, maxLength: 8 }),
        (days, values) => {
          const checkIns = days.map((d, i) => at(d, values[i]!));
          const a = forecastKeyResult(aspirational, Q1, checkIns, NOW)!.probability!;
          const c = forecastKeyResult(committed, Q1, checkIns, NOW)!.probability!;
          expect(c).toBeLessThanOrEqual(a);
        },
      ),
    );
  });
});

describe("combineForecasts", () => {
  const a: Forecast = { progress: 0.8, low: 0.6, high: 1.0, probability: 0.7 };
  const b: Forecast = { progress: 0.5, low: 0.4, high: 0.6, probability: 0.2 };

  it("is the weighted mean of progress and bounds, with no probability", () => {
    // Weights 1 and 3: progress (0.8 + 3·0.5)/4 = 2.3/4 = 0.575; low (0.6 + 1.2)/4 = 0.45; high (1.0 + 1.8)/4 = 0.7.
    expect(
      combineForecasts([
        { forecast: a, weight: 1 },
        { forecast: b, weight: 3 },
      ]),
    ).toEqual({
      progress: expect.closeTo(0.575, 12),
      low: expect.closeTo(0.45, 12),
      high: expect.closeTo(0.7, 12),
      probability: null,
    });
  });

  it.each([
    [
      "a KR without a forecast is skipped: only b counts",
      [
        { forecast: null, weight: 5 },
        { forecast: b, weight: 1 },
      ],
      0.5,
    ],
    [
      "weight 0 is skipped",
      [
        { forecast: a, weight: 0 },
        { forecast: b, weight: 2 },
      ],
      0.5,
    ],
    [
      "a negative or NaN weight is skipped",
      [
        { forecast: a, weight: -1 },
        { forecast: a, weight: Number.NaN },
        { forecast: b, weight: 2 },
      ],
      0.5,
    ],
  ] as [string, { forecast: Forecast | null; weight: number }[], number][])("%s", (_name, items, progress) => {
    expect(combineForecasts(items)).toEqual({ progress, low: 0.4, high: 0.6, probability: null });
  });

  it("drops the bounds when one included KR has none", () => {
    // (0.8 + 0.5)/2 = 0.65
    expect(
      combineForecasts([
        { forecast: a, weight: 1 },
        { forecast: { ...b, low: null, high: null, probability: null }, weight: 1 },
      ]),
    ).toEqual({ progress: 0.65, low: null, high: null, probability: null });
  });

  it("is null when nothing counts", () => {
    expect(combineForecasts([])).toBeNull();
    expect(
      combineForecasts([
        { forecast: null, weight: 1 },
        { forecast: a, weight: 0 },
      ]),
    ).toBeNull();
  });

  it("stays between the smallest and largest included forecast", () => {
    const forecast = fc
      .double({ min: -2, max: 3, noNaN: true })
      .map((p) => ({ progress: p, low: p - 0.1, high: p + 0.1, probability: 0.5 }));
    fc.assert(
      fc.property(
        fc.array(fc.record({ forecast, weight: fc.double({ min: 0.001, max: 1000, noNaN: true }) }), {
          minLength: 1,
          maxLength: 10,
        }),
        (items) => {
          const c = combineForecasts(items)!;
          const ps = items.map((i) => i.forecast.progress);
          expect(c.progress).toBeGreaterThanOrEqual(Math.min(...ps) - 1e-9);
          expect(c.progress).toBeLessThanOrEqual(Math.max(...ps) + 1e-9);
          expect(c.low).toBeLessThanOrEqual(c.progress);
          expect(c.probability).toBeNull();
        },
      ),
    );
  });
});
