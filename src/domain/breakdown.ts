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
