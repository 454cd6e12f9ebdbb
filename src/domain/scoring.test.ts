import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grade, objectiveScore, roundScore, scoreNotes, suggestedKrScore } from "./scoring.js";

describe("scores (§6)", () => {
  it.each([
    [0.25, 0.3],
    [0.35, 0.4], // 0.35 is 0.34999… in binary: rounded on the exact decimal
    [0.05, 0.1],
    [0.649999, 0.6],
    [0.65, 0.7],
    [0.94999, 0.9],
    [0.95, 1],
    [1.3, 1],
    [-0.2, 0],
    [0.1 + 0.2, 0.3],
    [0.7, 0.7],
  ])("roundScore(%f) = %f", (x, s) => {
    expect(roundScore(x)).toBe(s);
  });
  it("always lands on a tenth within [0, 1]", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -10, max: 10 }), (x) => {
        const s = roundScore(x);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(Math.round(s * 10) / 10).toBe(s);
      }),
    );
  });
  it("suggests the clamped, rounded progress", () => {
    expect(suggestedKrScore(0.749)).toBe(0.7);
    expect(suggestedKrScore(1.25)).toBe(1);
    expect(suggestedKrScore(null)).toBe(0);
  });
  it("weights objective scores like progress", () => {
    // (1·0.7 + 2·0.4 + 1·1.0)/4 = 2.5/4 = 0.625 → 0.6
    expect(
      objectiveScore([
        { score: 0.7, weight: 1 },
        { score: 0.4, weight: 2 },
        { score: 1, weight: 1 },
      ]),
    ).toBe(0.6);
    // (0.7 + 0.6)/2 = 0.65 → 0.7 (half up)
    expect(
      objectiveScore([
        { score: 0.7, weight: 1 },
        { score: 0.6, weight: 1 },
      ]),
    ).toBe(0.7);
    expect(objectiveScore([{ score: 0.7, weight: 0 }])).toBeNull();
  });
  it.each([
    [0, "red"],
    [0.3, "red"],
    [0.4, "yellow"],
    [0.6, "yellow"],
    [0.7, "green"],
    [1, "green"],
  ])("grade(%f) = %s", (s, g) => {
    expect(grade(s)).toBe(g);
  });
  it("notes committed misses and too-safe aspirational scores", () => {
    expect(scoreNotes({ committed: true, score: 0.9 }).map((n) => n.code)).toEqual(["committedMiss"]);
    expect(scoreNotes({ committed: true, score: 1 })).toEqual([]);
    expect(scoreNotes({ committed: false, score: 1 }).map((n) => n.code)).toEqual(["tooSafe"]);
    expect(scoreNotes({ committed: false, score: 0.9 }).map((n) => n.code)).toEqual(["tooSafeStretch"]);
    expect(scoreNotes({ committed: false, score: 0.7 })).toEqual([]);
  });
});
