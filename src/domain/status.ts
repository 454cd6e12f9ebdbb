/**
 * Expected progress, automatic status and attention flags (okr-method.md §4).
 */
import { DAY_MS } from "./periods.js";
import { clamp01 } from "./progress.js";
import type { KrType, Level, ManualStatus, MethodSettings, PlanPoint, Span, Status } from "./types.js";

/**
 * Where an item should be at `nowMs`: the straight line over its span, or the phased
 * plan (piecewise linear from `start` at the span's start through the planned points to
 * `target` at its end), as a fraction clamped to [0, 1]. Not rounded.
 */
export function expectedProgress(
  span: Span,
  nowMs: number,
  plan?: { start: number; target: number; points: readonly PlanPoint[] } | null,
): number {
  const length = span.endMs - span.startMs;
  if (length <= 0) return nowMs >= span.endMs ? 1 : 0;
  if (!plan || plan.points.length === 0 || plan.target === plan.start) {
    return clamp01((nowMs - span.startMs) / length);
  }
  const path = [
    { atMs: span.startMs, value: plan.start },
    ...plan.points.filter((p) => p.atMs > span.startMs && p.atMs < span.endMs).sort((a, b) => a.atMs - b.atMs),
    { atMs: span.endMs, value: plan.target },
  ];
  let value = plan.target;
  if (nowMs <= span.startMs) value = plan.start;
  else {
    for (let i = 1; i < path.length; i++) {
      const a = path[i - 1]!;
      const b = path[i]!;
      if (nowMs <= b.atMs) {
        value = b.atMs === a.atMs ? b.value : a.value + ((b.value - a.value) * (nowMs - a.atMs)) / (b.atMs - a.atMs);
        break;
      }
    }
  }
  return clamp01((value - plan.start) / (plan.target - plan.start));
}

export interface StatusInput {
  closed: boolean;
  manualStatus: ManualStatus | null;
  /** The item's progress; null (a baseline KR, an empty roll-up) counts as 0. */
  progress: number | null;
  /** Whether any check-in at or before now exists (for objectives and roll-ups: on any KR they draw from). */
  hasCheckIn: boolean;
  span: Span;
  /** The KR's type, or null for objectives and roll-up KRs. */
  krType: KrType | null;
  expected: number;
  nowMs: number;
  settings: MethodSettings;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The status by the first rule of §4 that applies. */
export function computeStatus(s: StatusInput): Status {
  if (s.closed) return "closed";
  if (s.manualStatus) return s.manualStatus;
  if (!s.hasCheckIn && s.nowMs < s.span.startMs + s.settings.notStartedGraceDays * DAY_MS) return "notStarted";
  const p = s.progress ?? 0;
  if (p >= 1) return "onTrack";
  if (s.nowMs >= s.span.endMs) return "atRisk";
  if (s.krType === "stayAbove" || s.krType === "stayBelow") return p === 1 ? "onTrack" : "atRisk";
  const d = round6(s.expected - clamp01(p));
  if (d <= 0) return "onTrack";
  if (d <= s.settings.behindThreshold) return "behind";
  return "atRisk";
}

export type AttentionFlag =
  | "noOwner"
  | "noCheckIn"
  | "stale"
  | "datesOutsidePeriod"
  | "tooManyKeyResults"
  | "unaligned"
  | "tooSafe";

export interface AttentionInput {
  kind: "objective" | "keyResult";
  ownerCount: number;
  firstCheckInMs: number | null;
  lastCheckInMs: number | null;
  span: Span | null;
  nowMs: number;
  settings: MethodSettings;
  closed: boolean;
  keyResultCount?: number;
  level?: Level;
  aligned?: boolean;
  datesOutsidePeriod?: boolean;
  committed?: boolean;
  score?: number | null;
}

/**
 * The attention flags shown beside status. Closed items only get `tooSafe`. Time-based
 * flags apply while now is inside the span: `noCheckIn` once the grace days have passed
 * without any check-in, `stale` when the last check-in is older than the cadence (an item
 * that never had one is `noCheckIn`, not also `stale`).
 */
export function attentionFlags(a: AttentionInput): AttentionFlag[] {
  const flags: AttentionFlag[] = [];
  if (a.closed) {
    if (a.kind === "objective" && !a.committed && a.score !== null && a.score !== undefined && a.score > 0.8)
      flags.push("tooSafe");
    return flags;
  }
  if (a.ownerCount === 0) flags.push("noOwner");
  const inside = a.span !== null && a.nowMs >= a.span.startMs && a.nowMs < a.span.endMs;
  if (inside && a.span) {
    const graceEnd = a.span.startMs + a.settings.notStartedGraceDays * DAY_MS;
    if (a.firstCheckInMs === null || a.firstCheckInMs > a.nowMs) {
      if (a.nowMs >= graceEnd) flags.push("noCheckIn");
    } else if (a.lastCheckInMs !== null && a.nowMs - a.lastCheckInMs > a.settings.cadenceDays * DAY_MS) {
      flags.push("stale");
    }
  }
  if (a.kind === "keyResult" && a.datesOutsidePeriod) flags.push("datesOutsidePeriod");
  if (a.kind === "objective") {
    if ((a.keyResultCount ?? 0) > 5) flags.push("tooManyKeyResults");
    if ((a.level === "team" || a.level === "individual") && a.aligned === false) flags.push("unaligned");
  }
  return flags;
}
