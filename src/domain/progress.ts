/**
 * A key result's progress from its own figures (okr-method.md §2): which check-in is in
 * force, the per-type progress formulas, and the start/target rules each type needs.
 */
import type { CheckInPoint, KrType } from "./types.js";

/** The fields of a key result that decide how its progress is measured. */
export interface KrTargets {
  type: KrType;
  /** `s`, the baseline value; null when unknown. */
  start: number | null;
  /** `t`, the value that means done; null when not set yet. */
  target: number | null;
}

/** The part of a check-in that progress reads: a value, or achieved / not achieved for a milestone. */
export interface LatestReading {
  value: number | null;
  achieved: boolean | null;
}

/** `x` limited to [0, 1] (roll-ups count every child this way, §3). NaN stays NaN. */
export function clamp01(x: number): number {
  if (x < 0) return 0;
  if (x > 1) return 1;
  return x;
}

/**
 * The check-in in force at `nowMs` (§2): among those with `atMs ≤ nowMs`, the one with the
 * greatest `atMs`; on a tie the one created later (greater `createdMs`). Null when none is
 * dated at or before now. The input order does not matter.
 */
export function currentCheckIn(points: readonly CheckInPoint[], nowMs: number): CheckInPoint | null {
  let best: CheckInPoint | null = null;
  for (const p of points) {
    if (p.atMs > nowMs) continue;
    if (best === null || p.atMs > best.atMs || (p.atMs === best.atMs && p.createdMs > best.createdMs)) best = p;
  }
  return best;
}

/**
 * A key result's own progress as an unrounded fraction (1 = done), by the §2 formulas:
 *
 * - `increase` / `decrease`: `(v − s) / (t − s)`, unclamped, where `v` is the latest value, or `s`
 *   when there is no check-in or its value is null. Null when `s` or `t` is missing, and also
 *   when `t = s` (refused at input; dividing would give NaN or Infinity).
 * - `stayAbove` / `stayBelow`: 1 when `v ≥ t` (resp. `v ≤ t`), else 0; 0 with no value yet.
 *   Null when `t` is missing.
 * - `milestone`: 1 when the latest check-in marks it achieved, else 0.
 * - `baseline`: always null, so roll-ups leave it out.
 *
 * `latest` is the check-in in force (see {@link currentCheckIn}), or null when there is none.
 */
export function krOwnProgress(kr: KrTargets, latest: LatestReading | null): number | null {
  const { start: s, target: t } = kr;
  switch (kr.type) {
    case "baseline":
      return null;
    case "milestone":
      return latest?.achieved === true ? 1 : 0;
    case "stayAbove":
    case "stayBelow": {
      if (t === null) return null;
      const v = latest?.value ?? null;
      if (v === null) return 0;
      const kept = kr.type === "stayAbove" ? v >= t : v <= t;
      return kept ? 1 : 0;
    }
    case "increase":
    case "decrease": {
      if (s === null || t === null || t === s) return null;
      const v = latest?.value ?? s;
      // Adding 0 turns −0 (a decrease KR at its start) into 0, which would otherwise print as "-0 %".
      const p = (v - s) / (t - s) + 0;
      // A range too small for doubles (start 0, target 5e-324) cannot be measured: no progress, never ±Infinity.
      return Number.isFinite(p) ? p : null;
    }
  }
}

function isNumber(x: number | null): x is number {
  return x !== null && Number.isFinite(x);
}

/** Past this progress a new value is probably a typo (an extra digit), worth a question. */
export const FAR_BEYOND_TARGET = 2;

/**
 * Whether a new value of an `increase` / `decrease` KR deserves a question before it is saved
 * (okr-method §2 keeps such progress, unclamped): `beforeStart` when it lies on the wrong side
 * of the start (below it for an increase, above it for a decrease), `farBeyond` when progress
 * would pass {@link FAR_BEYOND_TARGET}; null otherwise, and for every other type.
 */
export function unusualCheckInValue(
  kr: KrTargets,
  value: number | null,
): { kind: "beforeStart" | "farBeyond"; progress: number } | null {
  if ((kr.type !== "increase" && kr.type !== "decrease") || value === null || !Number.isFinite(value)) return null;
  const progress = krOwnProgress(kr, { value, achieved: null });
  if (progress === null) return null;
  if (progress < 0) return { kind: "beforeStart", progress };
  if (progress > FAR_BEYOND_TARGET) return { kind: "farBeyond", progress };
  return null;
}

/**
 * What is wrong with a key result's start and target for its type, as `"field: message"`
 * strings that say how to fix it; empty when the KR is fine. `increase` needs both with
 * `t > s`, `decrease` both with `t < s`; `stayAbove` / `stayBelow` need a target;
 * `milestone` and `baseline` need neither. Values that are not finite numbers are refused.
 */
export function validateKeyResultTargets(kr: KrTargets): string[] {
  const { type, start: s, target: t } = kr;
  const problems: string[] = [];
  if (s !== null && !Number.isFinite(s)) problems.push(`start: must be a finite number (got ${s})`);
  if (t !== null && !Number.isFinite(t)) problems.push(`target: must be a finite number (got ${t})`);
  if (problems.length > 0) return problems;

  if (type === "increase" || type === "decrease") {
    const article = type === "increase" ? "an" : "a";
    if (s === null) {
      problems.push(
        `start: ${article} ${type} key result needs a start value (the baseline it moves from); enter today's value, or use type "baseline" while you are still measuring it`,
      );
    }
    if (t === null) {
      problems.push(
        `target: ${article} ${type} key result needs a target value (where it should be at the end of the period); set one, or use type "baseline" until you know it`,
      );
    }
    if (isNumber(s) && isNumber(t)) {
      if (t === s) {
        const other = type === "increase" ? "stayAbove" : "stayBelow";
        problems.push(
          `target: ${article} ${type} key result needs a target different from its start (both are ${s}); change the target, or use type "${other}" to hold a level`,
        );
      } else if (type === "increase" && t < s) {
        problems.push(
          `target: an increase key result needs a target greater than its start (start ${s}, target ${t}); swap them or use type "decrease"`,
        );
      } else if (type === "decrease" && t > s) {
        problems.push(
          `target: a decrease key result needs a target lower than its start (start ${s}, target ${t}); swap them or use type "increase"`,
        );
      }
    }
  } else if ((type === "stayAbove" || type === "stayBelow") && t === null) {
    const how = type === "stayAbove" ? "at or above" : "at or below";
    problems.push(`target: a ${type} key result needs a target (the level to stay ${how}); set the threshold`);
  }
  return problems;
}
