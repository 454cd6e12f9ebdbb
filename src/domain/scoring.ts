/**
 * Closing and scoring (okr-method.md §6): scores 0.0–1.0 with one decimal, rounded half
 * up on the exact decimal; grades; notes for committed misses and too-safe targets.
 */
import { clamp01 } from "./progress.js";

/**
 * One decimal, half up, decided on the number's shortest decimal form (so 0.35, stored
 * as 0.34999… in binary, rounds to 0.4), clamped to [0, 1].
 */
export function roundScore(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const c = clamp01(x);
  // Work on 12 significant digits: removes binary noise such as 0.30000000000000004.
  const [int, frac = ""] = Number(c.toPrecision(12)).toFixed(12).split(".") as [string, string?];
  const tenths = Number(int) * 10 + Number(frac[0] ?? "0");
  const up = Number(frac[1] ?? "0") >= 5 ? 1 : 0;
  return Math.min(10, tenths + up) / 10;
}

/** The suggested score of a KR: its progress clamped to [0, 1], rounded; no progress → 0. */
export function suggestedKrScore(progress: number | null): number {
  return progress === null ? 0 : roundScore(clamp01(progress));
}

/** Weighted mean of KR scores, rounded; null when the weights add up to 0. */
export function objectiveScore(krs: readonly { score: number; weight: number }[]): number | null {
  let w = 0;
  let sum = 0;
  for (const k of krs) {
    if (!(k.weight > 0)) continue;
    w += k.weight;
    sum += k.weight * k.score;
  }
  return w === 0 ? null : roundScore(sum / w);
}

export type Grade = "red" | "yellow" | "green";

/** 0.0–0.3 red (missed), 0.4–0.6 yellow (progress, fell short), 0.7–1.0 green (delivered). */
export function grade(score: number): Grade {
  const s = roundScore(score);
  if (s <= 0.3) return "red";
  if (s <= 0.6) return "yellow";
  return "green";
}

export interface ScoreNote {
  code: "committedMiss" | "tooSafe" | "tooSafeStretch";
  message: string;
}

/** Notes on a closing score: a committed OKR below 1.0 missed; an aspirational one at 1.0 (or above 0.8) may have aimed too low. */
export function scoreNotes(input: { committed: boolean; score: number }): ScoreNote[] {
  const s = roundScore(input.score);
  if (input.committed) {
    return s < 1
      ? [
          {
            code: "committedMiss",
            message: `A committed OKR is expected to reach 1.0; it scored ${s.toFixed(1)}, so it counts as a miss.`,
          },
        ]
      : [];
  }
  if (s >= 1) {
    return [
      {
        code: "tooSafe",
        message: "An aspirational OKR fully reached: the target may have been too safe. Stretch further next time.",
      },
    ];
  }
  if (s > 0.8) {
    return [
      {
        code: "tooSafeStretch",
        message: `Scored ${s.toFixed(1)} on an aspirational OKR, where about 0.7 is success: consider a bolder target next period.`,
      },
    ];
  }
  return [];
}
