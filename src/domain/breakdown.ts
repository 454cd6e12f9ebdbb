/**
 * What makes up a roll-up's percentage (okr-method §3): each child's weight, its share of the
 * total weight, its progress clamped to [0, 1], and what it adds to the parent. The shares of
 * the counted children sum to 1 and their contributions sum to the weighted mean.
 */
import { clamp01 } from "./progress.js";

export interface BreakdownInput {
  progress: number | null;
  weight: number;
}

export interface BreakdownLine {
  /** Whether the child counts: it has a progress and a weight above 0. */
  counted: boolean;
  /** weight / Σ weights of the counted children; 0 when not counted. */
  share: number;
  /** The progress the roll-up uses (clamped to [0, 1]); null when not counted. */
  counts: number | null;
  /** share × counted progress: what the child adds to the parent's progress. */
  contribution: number;
}

/**
 * One line per input, in the input's order, and the total (Σ contributions; null when nothing
 * counts, where the parent reads 0). A weight that is 0, negative or not finite counts nowhere,
 * as in the roll-up.
 */
export function progressBreakdown(items: readonly BreakdownInput[]): {
  lines: BreakdownLine[];
  total: number | null;
} {
  const counts = (i: BreakdownInput) =>
    i.progress !== null && !Number.isNaN(i.progress) && Number.isFinite(i.weight) && i.weight > 0;
  const weightSum = items.reduce((sum, i) => (counts(i) ? sum + i.weight : sum), 0);
  let total = 0;
  const lines = items.map((i): BreakdownLine => {
    if (!counts(i) || weightSum === 0) return { counted: false, share: 0, counts: null, contribution: 0 };
    const share = i.weight / weightSum;
    const p = clamp01(i.progress as number);
    total += share * p;
    return { counted: true, share, counts: p, contribution: share * p };
  });
  return { lines, total: weightSum === 0 ? null : total };
}

/** One child of a roll-up as its breakdown line gives it. */
export interface CountedChild {
  /** Its relative weight (≤ 0: counts nowhere). */
  weight: number;
  /** Its share of the counted children's total weight; 0 when it does not count. */
  share: number;
  /** Its own progress, unclamped; null when it has none. */
  progress: number | null;
}

/**
 * The roll-up after one child's progress changes to `next`, every other child (visible or not)
 * unchanged: what a check-in would move its objective to. The weighted mean is linear in each
 * child, so it moves by the child's share times the change of its clamped progress. A child that
 * counts neither before nor after (weight 0, no progress) leaves the roll-up as it is. Null when
 * the child would start or stop counting: every share changes then, and the other children's
 * weights are not all known from a breakdown.
 */
export function rollupAfterChange(rollup: number, child: CountedChild, next: number | null): number | null {
  const counts = (p: number | null) =>
    p !== null && !Number.isNaN(p) && Number.isFinite(child.weight) && child.weight > 0;
  const before = counts(child.progress);
  const after = counts(next);
  if (!before && !after) return rollup;
  if (!before || !after) return null;
  return rollup + child.share * (clamp01(next as number) - clamp01(child.progress as number));
}

/** An objective's breakdown as the server gives it (GET /objectives/:id/breakdown), the parts read here. */
export interface ObjectiveBreakdownFigures {
  progressOverride: number | null;
  rollup: number;
  items: readonly (CountedChild & { type: string; id: string; source: string })[];
}

/**
 * The objective's progress if its own key result `keyResultId` moved to `next` (the check-in
 * preview): a progress set by hand stays; otherwise the roll-up over every contributing child,
 * hidden ones included, moves by that key result's share. Null when the key result is not among
 * the objective's own, or when it would start or stop counting.
 */
export function objectiveProgressAfterCheckIn(
  breakdown: ObjectiveBreakdownFigures,
  keyResultId: string,
  next: number | null,
): number | null {
  if (breakdown.progressOverride !== null) return breakdown.progressOverride;
  const line = breakdown.items.find((i) => i.type === "keyResult" && i.source === "own" && i.id === keyResultId);
  return line ? rollupAfterChange(breakdown.rollup, line, next) : null;
}
