/**
 * Core vocabulary of the OKR method (see shared/okr-method.md §1–§2).
 * Pure types: no I/O, no clock. Times are epoch milliseconds (UTC instants).
 */

export const KR_TYPES = ["increase", "decrease", "stayAbove", "stayBelow", "milestone", "baseline"] as const;
export type KrType = (typeof KR_TYPES)[number];

export const UNITS = ["number", "percent", "currency"] as const;
export type Unit = (typeof UNITS)[number];

export const STATUSES = ["draft", "notStarted", "onTrack", "behind", "atRisk", "closed"] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses a check-in may set by hand (rule 2 of §4); `closed` is reserved for closing. */
export const MANUAL_STATUSES = ["notStarted", "onTrack", "behind", "atRisk"] as const;
export type ManualStatus = (typeof MANUAL_STATUSES)[number];

export const LEVELS = ["organization", "team", "individual"] as const;
export type Level = (typeof LEVELS)[number];

export const PROGRESS_MODES = ["manual", "rollup"] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export const ROLLUP_METHODS = ["mean", "sum", "proportional"] as const;
export type RollupMethod = (typeof ROLLUP_METHODS)[number];

export const OBJECTIVE_STATES = ["draft", "active", "closed"] as const;
export type ObjectiveState = (typeof OBJECTIVE_STATES)[number];

export const PERIOD_KINDS = ["year", "quarter", "custom"] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export type NodeType = "objective" | "keyResult";

/** A node reference in the alignment graph. */
export interface NodeRef {
  type: NodeType;
  id: string;
}

/** Time span of an item as instants: [startMs, endMs) where endMs is end date + 1 day, 00:00 in the org's zone. */
export interface Span {
  startMs: number;
  endMs: number;
}

/** A planned value at a date (phased targets). `atMs` is the start (00:00) of that date in the org's zone. */
export interface PlanPoint {
  atMs: number;
  value: number;
}

/** One check-in as the domain sees it. */
export interface CheckInPoint {
  atMs: number;
  /** Creation instant; breaks ties between check-ins with the same `atMs` (later wins). */
  createdMs: number;
  value: number | null;
  achieved: boolean | null;
  status: ManualStatus | null;
  confidence: number | null;
}

/** Organisation settings that change how the method computes (okr-method.md "(setting)"). */
export interface MethodSettings {
  /** IANA time zone for period boundaries. */
  timeZone: string;
  /** Days after start during which an item with no check-in is `notStarted` (rule 3). */
  notStartedGraceDays: number;
  /** Upper bound of `behind` in progress points (rule 8). */
  behindThreshold: number;
  /** Whether initiatives count toward objective progress. */
  initiativesCount: boolean;
  /** Check-in cadence in days (used for `stale`). */
  cadenceDays: number;
  /** How many days before its key result's start a check-in may be dated (a baseline measured just before). */
  checkInGraceDays: number;
}

export const DEFAULT_SETTINGS: MethodSettings = {
  timeZone: "UTC",
  notStartedGraceDays: 7,
  behindThreshold: 0.25,
  initiativesCount: false,
  cadenceDays: 7,
  checkInGraceDays: 14,
};

/** A forecast of progress at the end of an item's span (§5). */
export interface Forecast {
  progress: number;
  low: number | null;
  high: number | null;
  probability: number | null;
}
