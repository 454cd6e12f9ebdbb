import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grade, objectiveScore, roundScore, scoreNotes, suggestedKrScore } from "./scoring.js";

describe("roundScore (§6: one decimal, half up on the exact decimal)", () => {
  it.each([
    [0, 0],
    [0.04, 0], // 0.04 → 0.0
    [0.05, 0.1], // half → up
    [0.25, 0.3], // 0.25 is exact in binary; half → up
    [0.35, 0.4], // the double is 0.34999999999999997, the decimal is 0.35 → up
    [0.45, 0.5], // double 0.45000000000000001
    [0.649999, 0.6], // below the half
    [0.65, 0.7],
    [0.1 + 0.2, 0.3], // 0.30000000000000004 reads as 0.3
    [0.7, 0.7],
    [0.749, 0.7],
    [0.94999, 0.9],
    [0.95, 1], // 9.5 tenths → 10 tenths
    [0.9999999999999999, 1],
    [1, 1],
    [1.3, 1], // clamped
    [-0.2, 0], // clamped
    [1e-7, 0], // exponent notation in String() still rounds to 0
    [Number.POSITIVE_INFINITY, 1],
    [Number.NEGATIVE_INFINITY, 0],
    [Number.NaN, 0],
  ])("roundScore(%f) = %f", (x, s) => {
    expect(roundScore(x)).toBe(s);
  });

  it("always lands on a tenth within [0, 1]", () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (x) => {
        const s = roundScore(x);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(Number.isInteger(Math.round(s * 10)) && Math.round(s * 10) / 10 === s).toBe(true);
      }),
    );
  });

  it("is within half a tenth of the clamped input", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (x) => {
        expect(Math.abs(roundScore(x) - x)).toBeLessThanOrEqual(0.05 + 1e-12);
      }),
    );
  });

  it("is monotone", () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 2, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (x, dx) => {
        expect(roundScore(x + dx)).toBeGreaterThanOrEqual(roundScore(x));
      }),
    );
  });

  it("rounds every three-decimal value like integer arithmetic does", () => {
    // k/1000 rounded half up to tenths is floor((k + 50) / 100) tenths: 350 → 4, 349 → 3.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (k) => {
        expect(roundScore(k / 1000)).toBe(Math.floor((k + 50) / 100) / 10);
      }),
      { numRuns: 1001 },
    );
  });
});

describe("suggestedKrScore", () => {
  it.each([
    [0.749, 0.7],
    [0.75, 0.8],
    [1.25, 1], // over-achievement is clamped
    [-0.3, 0],
    [null, 0], // no progress (baseline KR)
  ])("progress %s → %f", (p, s) => {
    expect(suggestedKrScore(p)).toBe(s);
  });
});

describe("objectiveScore", () => {
  it.each<[string, { score: number; weight: number }[], number | null]>([
    // (1·0.7 + 2·0.4 + 1·1.0) / 4 = 2.5 / 4 = 0.625 → 0.6
    [
      "weighted mean",
      [
        { score: 0.7, weight: 1 },
        { score: 0.4, weight: 2 },
        { score: 1, weight: 1 },
      ],
      0.6,
    ],
    // (0.7 + 0.6) / 2 = 0.65 (0.6499999999999999 in doubles) → 0.7
    [
      "half up on the exact mean",
      [
        { score: 0.7, weight: 1 },
        { score: 0.6, weight: 1 },
      ],
      0.7,
    ],
    // weights are relative: (3·0.2 + 1·0.6) / 4 = 1.2 / 4 = 0.3
    [
      "relative weights",
      [
        { score: 0.2, weight: 3 },
        { score: 0.6, weight: 1 },
      ],
      0.3,
    ],
    // the zero-weight KR is left out: 0.9 / 1
    [
      "zero weight left out",
      [
        { score: 0.9, weight: 1 },
        { score: 0.1, weight: 0 },
      ],
      0.9,
    ],
    ["no KRs", [], null],
    ["all weights zero", [{ score: 0.7, weight: 0 }], null],
  ])("%s", (_name, krs, s) => {
    expect(objectiveScore(krs)).toBe(s);
  });

  it("rounds exact halves up whatever the binary error of the mean", () => {
    // Scores are tenths k/10, weights whole numbers. The exact mean in tenths is
    // Σw·k / Σw; half up to a whole tenth is floor((2·Σw·k + Σw) / (2·Σw)).
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 20 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (pairs) => {
          const sw = pairs.reduce((a, [, w]) => a + w, 0);
          const swk = pairs.reduce((a, [k, w]) => a + w * k, 0);
          const exact = Math.floor((2 * swk + sw) / (2 * sw)) / 10;
          expect(objectiveScore(pairs.map(([k, w]) => ({ score: k / 10, weight: w })))).toBe(exact);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("does not depend on the order of the KRs and stays within their scores", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ score: fc.integer({ min: 0, max: 10 }), weight: fc.integer({ min: 1, max: 9 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        (raw) => {
          const krs = raw.map((r) => ({ score: r.score / 10, weight: r.weight }));
          const s = objectiveScore(krs)!;
          expect(objectiveScore([...krs].reverse())).toBe(s);
          expect(s).toBeGreaterThanOrEqual(Math.min(...krs.map((k) => k.score)));
          expect(s).toBeLessThanOrEqual(Math.max(...krs.map((k) => k.score)));
        },
      ),
    );
  });
});

describe("grade", () => {
  it.each([
    [0, "red"],
    [0.3, "red"],
    [0.34, "red"], // reads as 0.3
    [0.35, "yellow"], // reads as 0.4
    [0.4, "yellow"],
    [0.6, "yellow"],
    [0.65, "green"], // reads as 0.7
    [0.7, "green"],
    [1, "green"],
  ])("grade(%f) = %s", (s, g) => {
    expect(grade(s)).toBe(g);
  });
});

describe("scoreNotes", () => {
  it.each<[string, { committed: boolean; score: number }, string[]]>([
    ["committed at 1.0: delivered", { committed: true, score: 1 }, []],
    ["committed at 0.9: a miss", { committed: true, score: 0.9 }, ["committedMiss"]],
    ["committed at 0.0: a miss", { committed: true, score: 0 }, ["committedMiss"]],
    // 0.96 reads as 1.0
    ["committed at 0.96 reads as 1.0", { committed: true, score: 0.96 }, []],
    ["aspirational at 1.0: too safe", { committed: false, score: 1 }, ["tooSafe"]],
    ["aspirational at 0.9: the coach's too-safe hint", { committed: false, score: 0.9 }, ["tooSafeStretch"]],
    ["aspirational at 0.8: fine", { committed: false, score: 0.8 }, []],
    ["aspirational at 0.7: success", { committed: false, score: 0.7 }, []],
    // 0.85 reads as 0.9
    ["aspirational at 0.85 reads as 0.9", { committed: false, score: 0.85 }, ["tooSafeStretch"]],
  ])("%s", (_name, input, codes) => {
    expect(scoreNotes(input).map((n) => n.code)).toEqual(codes);
  });

  it("writes the score into the message and names the check", () => {
    expect(scoreNotes({ committed: true, score: 0.64 })[0]!.message).toContain("0.6");
    expect(scoreNotes({ committed: false, score: 0.9 })[0]!.message).toContain('"too-safe"');
    expect(scoreNotes({ committed: false, score: 1 })[0]!.message).toMatch(/too safe/);
  });
});
