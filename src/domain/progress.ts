/**
 * Key result progress from its own values (okr-method.md §2).
 */
import type { CheckInPoint, KrType } from "./types.js";

/** Clamps to [0, 1]. */
export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The check-in in force at `nowMs`: greatest `atMs` ≤ now, ties to the one created later; null if none. */
export function currentCheckIn(points: readonly CheckInPoint[], nowMs: number): CheckInPoint | null {
  let best: CheckInPoint | null = null;
  for (const p of points) {
    if (p.atMs > nowMs) continue;
    if (!best || p.atMs > best.atMs || (p.atMs === best.atMs && p.createdMs > best.createdMs)) best = p;
  }
  return best;
}

export interface KrTargets {
  type: KrType;
  start: number | null;
  target: number | null;
}

/**
 * A KR's own progress as an unrounded fraction, or null when it has none (a baseline
 * KR, or a KR missing the start/target its type needs). `latest` is the check-in in force.
 */
export function krOwnProgress(
  kr: KrTargets,
  latest: { value: number | null; achieved: boolean | null } | null,
): number | null {
  const { type, start: s, target: t } = kr;
  switch (type) {
    case "baseline":
      return null;
    case "milestone":
      return latest?.achieved ? 1 : 0;
    case "stayAbove":
    case "stayBelow": {
      if (t === null) return null;
      const v = latest?.value ?? null;
      if (v === null) return 0;
      return (type === "stayAbove" ? v >= t : v <= t) ? 1 : 0;
    }
    default: {
      if (s === null || t === null || t === s) return null;
      const v = latest?.value ?? s;
      return (v - s) / (t - s);
    }
  }
}

/** Problems with a KR's start and target for its type, as "field: message"; empty when fine. */
export function validateKeyResultTargets(kr: KrTargets): string[] {
  const { type, start: s, target: t } = kr;
  const problems: string[] = [];
  if (type === "increase" || type === "decrease") {
    if (s === null)
      problems.push(
        `start: is required for an ${type === "increase" ? "increase" : "decrease"} key result (the baseline value)`,
      );
    if (t === null)
      problems.push(`target: is required for ${type === "increase" ? "an increase" : "a decrease"} key result`);
    if (s !== null && t !== null) {
      if (type === "increase" && !(t > s)) {
        problems.push(
          `target: an increase key result needs a target greater than its start (start ${s}, target ${t}); raise the target or use type "decrease"`,
        );
      }
      if (type === "decrease" && !(t < s)) {
        problems.push(
          `target: a decrease key result needs a target lower than its start (start ${s}, target ${t}); lower the target or use type "increase"`,
        );
      }
    }
  } else if ((type === "stayAbove" || type === "stayBelow") && t === null) {
    problems.push(
      `target: is required for a ${type} key result (the threshold to stay ${type === "stayAbove" ? "at or above" : "at or below"})`,
    );
  }
  return problems;
}
