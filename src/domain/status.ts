/**
 * Expected progress, automatic status and attention flags (okr-method.md §4).
 * Pure: the moment to judge at is always a parameter (epoch ms), never the clock.
 */
import { DAY_MS } from "./periods.js";
import { roundScore } from "./scoring.js";
import type { KrType, Level, ManualStatus, MethodSettings, PlanPoint, Span, Status } from "./types.js";

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

// Progress differences are compared after rounding to 6 decimals so that binary noise
// (0.55 − 0.3 = 0.25000000000000006) cannot push an item across a threshold.
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** A phased plan: the KR's start and target values plus the planned values in between. */
export interface ExpectedPlan {
  start: number;
  target: number;
  points: readonly PlanPoint[];
}

/**
 * Where an item should be at `nowMs`, as a fraction in [0, 1] (not rounded).
 *
 * Without a plan (or with an empty one): the elapsed share of the span,
 * `clamp((now − start) / (end − start), 0, 1)`.
 *
 * With a plan: the planned value at `nowMs` on the piecewise-linear path from
 * (`span.startMs`, `plan.start`) through the plan points in time order to
 * (`span.endMs`, `plan.target`), expressed as progress `(value − start) / (target − start)`
 * and clamped to [0, 1]. Points at or outside the span's ends are ignored (the ends
 * belong to the start and the target); points sharing an instant form a step, the later
 * one in the list taking effect at that instant. A plan whose target equals its start has
 * no direction to measure along, so the straight time line is used instead.
 *
 * A span with no length counts as fully elapsed from its end on. Never throws.
 */
export function expectedProgress(span: Span, nowMs: number, plan?: ExpectedPlan | null): number {
  const length = span.endMs - span.startMs;
  if (!(length > 0)) return nowMs >= span.endMs ? 1 : 0;
  if (!plan || plan.points.length === 0 || plan.target === plan.start) {
    return clamp01((nowMs - span.startMs) / length);
  }

  const path: PlanPoint[] = [
    { atMs: span.startMs, value: plan.start },
    ...plan.points
      .filter((p) => p.atMs > span.startMs && p.atMs < span.endMs && Number.isFinite(p.value))
      .sort((a, b) => a.atMs - b.atMs),
    { atMs: span.endMs, value: plan.target },
  ];

  let value: number;
  if (nowMs <= span.startMs) value = plan.start;
  else if (nowMs >= span.endMs) value = plan.target;
  else {
    // The segment [path[i], path[i + 1]] holding now: path[i] is the last point at or before now.
    let i = 0;
    while (i + 1 < path.length && path[i + 1]!.atMs <= nowMs) i++;
    const a = path[i]!;
    const b = path[i + 1];
    value = b === undefined ? a.value : a.value + ((b.value - a.value) * (nowMs - a.atMs)) / (b.atMs - a.atMs);
  }
  return clamp01((value - plan.start) / (plan.target - plan.start));
}

/** Everything the §4 status rules look at, for one KR or objective at one moment. */
export interface StatusInput {
  /** The item is a draft (an objective not yet published, or a KR of one): status `draft` before every rule. */
  draft?: boolean;
  /** The item was closed and scored (rule 1). */
  closed: boolean;
  /** Manual status carried by the latest check-in at or before now, if any (rule 2). */
  manualStatus: ManualStatus | null;
  /**
   * The item's unrounded progress. `null` (a baseline KR, or a KR still missing its
   * target) counts as 0 for every rule: nothing measured is nothing achieved.
   */
  progress: number | null;
  /** Whether a check-in exists at or before now (objectives and roll-up KRs: on any KR they draw from, transitively). */
  hasCheckIn: boolean;
  span: Span;
  /**
   * When the item was created (epoch ms), or null when unknown. The grace of rule 3 runs from
   * the later of the span's start and this: work added mid-period is not red on day one.
   */
  createdMs?: number | null;
  /** The KR's type; `null` for objectives and for roll-up KRs, which are judged like objectives. */
  krType: KrType | null;
  /** Expected progress at now, from {@link expectedProgress}. */
  expected: number;
  nowMs: number;
  settings: MethodSettings;
}

/**
 * The item's status by the first rule of the §4 table that applies, after `draft`
 * (okr-method §3 "Drafts": a draft is not yet a commitment, so no rule judges it):
 * 1 `closed`; 2 the manual status; 3 `notStarted` without a check-in while
 * `now < max(start, created) + notStartedGraceDays` and the span has not ended; 4 `onTrack` when P ≥ 1; 5 `atRisk` once the span has
 * ended short of 1; 6 `stayAbove`/`stayBelow`: `onTrack` only at P = 1, else `atRisk`;
 * then with `d = round6(expected − clamp01(P))`: 7 `onTrack` when d ≤ 0, 8 `behind`
 * when d ≤ `behindThreshold`, 9 `atRisk` beyond. Never throws.
 */
export function computeStatus(input: StatusInput): Status {
  const { span, nowMs, settings } = input;
  if (input.draft === true) return "draft";
  if (input.closed) return "closed";
  if (input.manualStatus !== null) return input.manualStatus;
  if (!input.hasCheckIn && nowMs < graceEndMs(span, input.createdMs, nowMs, settings) && nowMs < span.endMs) {
    return "notStarted";
  }
  const p = input.progress ?? 0;
  if (p >= 1) return "onTrack";
  if (nowMs >= span.endMs) return "atRisk";
  // Control KRs are either holding the line or not; there is no "partly on plan".
  // (Rule 4 has already taken p = 1, so this is atRisk in practice; kept literal to the table.)
  if (input.krType === "stayAbove" || input.krType === "stayBelow") return p === 1 ? "onTrack" : "atRisk";
  const d = round6(input.expected - clamp01(p));
  if (d <= 0) return "onTrack";
  if (d <= settings.behindThreshold) return "behind";
  return "atRisk";
}

/**
 * Where an item's grace starts: the later of its span's start and its creation
 * (okr-method §4 rule 3, §8 `no-check-in`). A creation after `nowMs` (a read as of an instant
 * before the item existed) is not known at that instant: the span's start counts.
 */
export function graceStartMs(span: Span, createdMs: number | null | undefined, nowMs: number): number {
  return createdMs !== null && createdMs !== undefined && createdMs > span.startMs && createdMs <= nowMs
    ? createdMs
    : span.startMs;
}

/** The end of the grace an item gets before "no check-in yet" counts against it. */
export function graceEndMs(
  span: Span,
  createdMs: number | null | undefined,
  nowMs: number,
  settings: MethodSettings,
): number {
  return graceStartMs(span, createdMs, nowMs) + settings.notStartedGraceDays * DAY_MS;
}

/** A warning shown beside an item's status (okr-method.md §4, "Attention flags"). */
export type AttentionFlag =
  | "noOwner"
  | "noCheckIn"
  | "stale"
  | "datesOutsidePeriod"
  | "tooManyKeyResults"
  | "unaligned"
  | "tooSafe";

/** What {@link attentionFlags} looks at. Optional fields only matter for the flags that use them. */
export interface AttentionInput {
  kind: "objective" | "keyResult";
  ownerCount: number;
  /** Earliest check-in instant (objectives: on any KR they draw from), or null when there is none. */
  firstCheckInMs: number | null;
  /** Latest check-in instant at or before now, or null when there is none. */
  lastCheckInMs: number | null;
  /** The item's span, or null when it has no period (then no time-based flag applies). */
  span: Span | null;
  nowMs: number;
  settings: MethodSettings;
  closed: boolean;
  /** Objectives: how many KRs they hold. */
  keyResultCount?: number;
  /** Objectives: their level (only team and individual objectives need to align). */
  level?: Level;
  /** Objectives: whether they align to any parent. */
  aligned?: boolean;
  /** KRs: whether their own dates fall outside their objective's period (decided by the caller). */
  datesOutsidePeriod?: boolean;
  /** Whether the OKR is committed; absent means aspirational, the method's default. */
  committed?: boolean;
  /** The closing score, for closed items. */
  score?: number | null;
  /** When the item was created (epoch ms): `noCheckIn` counts from the later of this and the start. */
  createdMs?: number | null;
  /** Drafts get no time-based flag: they are not running yet. */
  draft?: boolean;
}

/**
 * The attention flags of one item, in the order of {@link AttentionFlag}.
 *
 * - A closed item gets at most `tooSafe`: aspirational and scored above 0.8 (on the
 *   one-decimal score). Everything else is moot once an item is closed.
 * - `noOwner`: no owner.
 * - Time-based flags apply only while `span.startMs ≤ now < span.endMs`:
 *   `noCheckIn` when no check-in exists at or before now and
 *   `now ≥ max(start, created) + notStartedGraceDays` days; `stale` when the last check-in is more
 *   than `cadenceDays` days old. An item that never had a check-in is flagged
 *   `noCheckIn` only, never also `stale`: the quiet time is then measured from the start,
 *   and past the grace days `noCheckIn` already says the same thing more precisely.
 * - `datesOutsidePeriod`: as given by the caller.
 * - Objectives only: `tooManyKeyResults` above 5 KRs; `unaligned` for team and
 *   individual objectives that align to nothing.
 *
 * Never throws.
 */
export function attentionFlags(input: AttentionInput): AttentionFlag[] {
  const { span, nowMs, settings } = input;
  const flags: AttentionFlag[] = [];
  if (input.closed) {
    const score = input.score;
    if (input.committed !== true && score !== null && score !== undefined && roundScore(score) > 0.8) {
      flags.push("tooSafe");
    }
    return flags;
  }

  if (input.ownerCount <= 0) flags.push("noOwner");

  if (span !== null && input.draft !== true && nowMs >= span.startMs && nowMs < span.endMs) {
    const checkedIn = input.firstCheckInMs !== null && input.firstCheckInMs <= nowMs;
    if (!checkedIn) {
      if (nowMs >= graceEndMs(span, input.createdMs, nowMs, settings)) flags.push("noCheckIn");
    } else if (input.lastCheckInMs !== null && nowMs - input.lastCheckInMs > settings.cadenceDays * DAY_MS) {
      flags.push("stale");
    }
  }

  if (input.datesOutsidePeriod === true) flags.push("datesOutsidePeriod");
  if (input.kind === "objective") {
    if ((input.keyResultCount ?? 0) > 5) flags.push("tooManyKeyResults");
    if ((input.level === "team" || input.level === "individual") && input.aligned === false) flags.push("unaligned");
  }
  return flags;
}
