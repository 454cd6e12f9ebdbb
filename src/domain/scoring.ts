/**
 * Closing and scoring (okr-method.md §6): scores from 0.0 to 1.0 with one decimal,
 * grades, and the notes a closing score earns (committed misses, too-safe targets).
 */

// Significant digits kept when reading a double as a decimal. 15 is the most a double
// always reproduces, so this strips binary noise (0.35 is stored as 0.34999999999999997)
// without touching any decimal a person could have typed.
const DECIMAL_DIGITS = 15;

/**
 * Rounds to one decimal, half up, judged on the number's decimal form rather than its
 * binary value: 0.25 → 0.3, 0.35 → 0.4 (although the double is 0.34999…), 0.05 → 0.1,
 * 0.649999 → 0.6. The result is clamped into [0, 1]; NaN gives 0. Never throws.
 */
export function roundScore(x: number): number {
  if (Number.isNaN(x) || x <= 0) return 0;
  if (x >= 1) return 1;
  const decimal = String(Number(x.toPrecision(DECIMAL_DIGITS)));
  // Below 1e-6 String() switches to exponent form; such values round to 0 anyway.
  const m = /^0\.(\d)(\d?)/.exec(decimal);
  if (!m) return decimal === "1" ? 1 : 0;
  const tenths = Number(m[1]) + (Number(m[2] || "0") >= 5 ? 1 : 0);
  return tenths / 10;
}

/** The suggested score of a KR at closing: its progress clamped to [0, 1] and rounded; no progress (null) → 0. */
export function suggestedKrScore(progress: number | null): number {
  return progress === null ? 0 : roundScore(progress);
}

/**
 * The objective's score: the weighted mean of its KRs' scores, `Σ wᵢ·scoreᵢ / Σ wᵢ`,
 * rounded like every score. KRs whose weight is not a positive number are left out;
 * returns null when no weight remains (Σ w = 0), since there is nothing to average.
 */
export function objectiveScore(krs: readonly { score: number; weight: number }[]): number | null {
  let weights = 0;
  let weighted = 0;
  for (const kr of krs) {
    if (!(kr.weight > 0) || !Number.isFinite(kr.weight)) continue;
    weights += kr.weight;
    weighted += kr.weight * kr.score;
  }
  return weights === 0 ? null : roundScore(weighted / weights);
}

/** The colour band of a score. */
export type Grade = "red" | "yellow" | "green";

/**
 * The grade of a score, read on its one-decimal form: 0.0–0.3 red (missed),
 * 0.4–0.6 yellow (progress, fell short), 0.7–1.0 green (delivered).
 */
export function grade(score: number): Grade {
  const s = roundScore(score);
  if (s <= 0.3) return "red";
  if (s <= 0.6) return "yellow";
  return "green";
}

/** A remark attached to a closing score. */
export interface ScoreNote {
  code: "committedMiss" | "tooSafe" | "tooSafeStretch";
  message: string;
}

/**
 * Remarks on a closing score (read on its one-decimal form), at most one:
 * - committed and below 1.0 → `committedMiss` (committed OKRs promise full delivery);
 * - aspirational at 1.0 → `tooSafe` (§6: the target may have been too safe);
 * - aspirational at 0.9 (above 0.8, below 1.0) → `tooSafeStretch`, the coach's
 *   `too-safe` hint. A 1.0 gets only `tooSafe`, which already says it.
 */
export function scoreNotes(input: { committed: boolean; score: number }): ScoreNote[] {
  const s = roundScore(input.score);
  const shown = s.toFixed(1);
  if (input.committed) {
    if (s >= 1) return [];
    return [
      {
        code: "committedMiss",
        message: `This OKR was committed, so anything under 1.0 counts as a miss; it closed at ${shown}. Note what got in the way before committing to the next one.`,
      },
    ];
  }
  if (s >= 1) {
    return [
      {
        code: "tooSafe",
        message: `This aspirational OKR closed at ${shown}, fully reached: the target may have been too safe. Aim higher next period.`,
      },
    ];
  }
  if (s > 0.8) {
    return [
      {
        code: "tooSafeStretch",
        message: `Coach check "too-safe": this aspirational OKR closed at ${shown}, above 0.8, where about 0.7 already counts as success. Consider a bolder target next period.`,
      },
    ];
  }
  return [];
}
