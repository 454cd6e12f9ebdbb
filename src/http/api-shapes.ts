/**
 * Response shapes of the public API, for the OpenAPI document. The services' presenters
 * produce these objects; the input schemas live in services/schemas.ts.
 */
import { z } from "zod";
import { KR_TYPES, LEVELS, STATUSES } from "../domain/types.js";

const Id = z.string().describe("object id (uuid)");
const Instant = z.string().describe("ISO 8601 instant");
const DateStr = z.string().describe("ISO 8601 date, YYYY-MM-DD");
const Fraction = z.number().describe("unrounded fraction, 1 = 100 %");

export const ForecastShape = z
  .object({
    progress: Fraction,
    low: z.number().nullable(),
    high: z.number().nullable(),
    probability: z.number().nullable(),
  })
  .nullable();

export const PeriodShape = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(["year", "quarter", "custom"]),
  startDate: DateStr,
  endDate: DateStr,
  parentId: Id.nullable(),
  closedAt: Instant.nullable(),
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
});

export const TeamShape = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  parentId: Id.nullable(),
  ownerIds: z.array(Id),
  memberIds: z.array(Id),
  version: z.number().int(),
});

export const UserShape = z.object({
  id: Id,
  name: z.string(),
  email: z.string(),
  managerId: Id.nullable(),
  teamIds: z.array(Id),
  role: z.string(),
  active: z.boolean(),
  version: z.number().int(),
});

export const KeyResultShape = z.object({
  id: Id,
  objectiveId: Id,
  title: z.string(),
  description: z.string(),
  ownerIds: z.array(Id),
  delegateIds: z.array(Id),
  type: z.enum(KR_TYPES),
  unit: z.enum(["number", "percent", "currency"]),
  currency: z.string().nullable(),
  start: z.number().nullable(),
  target: z.number().nullable(),
  current: z.number().nullable(),
  achieved: z.boolean().nullable(),
  baselineConfirmed: z.boolean(),
  startDate: DateStr.nullable(),
  endDate: DateStr.nullable(),
  plan: z.array(z.object({ date: DateStr, value: z.number() })).nullable(),
  progressMode: z.enum(["manual", "rollup"]),
  rollup: z.enum(["mean", "sum", "proportional"]),
  progressOverride: z.number().nullable(),
  weight: z.number(),
  progress: Fraction.nullable(),
  expectedProgress: Fraction,
  status: z.enum(STATUSES),
  forecast: ForecastShape,
  closed: z.boolean(),
  score: z.number().nullable(),
  lastCheckInAt: Instant.nullable(),
  version: z.number().int(),
});

export const ObjectiveShape = z.object({
  id: Id,
  title: z.string(),
  description: z.string(),
  level: z.enum(LEVELS),
  teamId: Id.nullable(),
  ownerIds: z.array(Id),
  periodId: Id,
  committed: z.boolean(),
  state: z.enum(["draft", "active", "closed"]),
  visibility: z.enum(["public", "private"]),
  progress: Fraction,
  progressOverride: z.number().nullable(),
  expectedProgress: Fraction,
  status: z.enum(STATUSES),
  score: z.number().nullable(),
  forecast: ForecastShape,
  lastCheckInAt: Instant.nullable(),
  closing: z.unknown(),
  version: z.number().int(),
  keyResults: z.array(KeyResultShape),
});

export const AlignmentShape = z.object({
  id: Id,
  childType: z.enum(["objective", "keyResult"]),
  childId: Id,
  parentType: z.enum(["objective", "keyResult"]),
  parentId: Id,
  weight: z.number(),
  contributes: z.boolean(),
  /** `pending`: asked for by the child's side, waiting for the parent's owners (counts nowhere until accepted). */
  state: z.enum(["active", "pending"]),
  version: z.number().int(),
});

export const CheckInShape = z.object({
  id: Id,
  keyResultId: Id,
  value: z.number().nullable(),
  achieved: z.boolean().nullable(),
  status: z.enum(["notStarted", "onTrack", "behind", "atRisk"]).nullable(),
  confidence: z.number().int().nullable(),
  note: z.string(),
  authorId: Id.nullable(),
  at: Instant,
  version: z.number().int(),
});

export const InitiativeShape = z.object({
  id: Id,
  objectiveId: Id,
  keyResultId: Id.nullable(),
  title: z.string(),
  ownerIds: z.array(Id),
  state: z.string(),
  progress: z.number().nullable(),
  weight: z.number(),
  version: z.number().int(),
});

export const KpiShape = z.object({
  id: Id,
  name: z.string(),
  unit: z.string(),
  healthyMin: z.number().nullable(),
  healthyMax: z.number().nullable(),
  current: z.number().nullable(),
  healthy: z.boolean().nullable(),
  objectiveIds: z.array(Id),
  version: z.number().int(),
});

export const KpiValueShape = z.object({ id: Id, kpiId: Id, value: z.number(), at: Instant, note: z.string() });

export const FindingShape = z.object({
  checkId: z.string(),
  severity: z.enum(["error", "warn", "info"]),
  objectType: z.enum(["objective", "keyResult", "user"]),
  objectId: Id,
  message: z.string(),
  reason: z.string(),
});

export const TreeShape = z.object({
  periodId: Id,
  asOf: Instant.nullable(),
  periodIds: z.array(Id),
  roots: z
    .array(z.record(z.string(), z.unknown()))
    .describe("nodes: {type, id, title, progress, expectedProgress, status, forecast, flags, alignment, children}"),
});

export const TeamClusterShape = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  subTeams: z.number().int().describe("live sub-teams"),
  objectives: z.number().int().describe("the team's own published objectives in the period that the caller may see"),
  statuses: z.record(z.enum(STATUSES), z.number().int()).describe("how many of those objectives are in each status"),
  progress: Fraction.nullable().describe("mean progress of those objectives, each capped at 1; null with none"),
});

export const ProgressBreakdownShape = z.object({
  objectiveId: Id,
  progress: Fraction,
  progressOverride: Fraction.nullable().describe("set by hand: the progress shown is this, not the roll-up"),
  rollup: Fraction.describe("the weighted mean of the counted items (okr-method §3)"),
  items: z.array(
    z.object({
      type: z.enum(["keyResult", "objective", "initiative"]),
      id: Id,
      title: z.string(),
      objectiveId: Id.nullable(),
      source: z.enum(["own", "aligned", "initiative"]),
      weight: z.number(),
      share: Fraction.describe("weight / sum of the counted items' weights"),
      progress: z.number().nullable().describe("the item's own progress, unclamped"),
      counted: z.boolean().describe("false without a progress or with weight 0"),
      contribution: Fraction.describe("share × progress clamped to [0, 1]"),
    }),
  ),
  hidden: z
    .object({ count: z.number().int(), share: Fraction })
    .describe("contributing items the caller may not see: how many and their share of the weight"),
});

export const SeriesShape = z.object({
  periodId: Id,
  teamId: Id.nullable(),
  points: z
    .array(
      z.object({
        at: Instant,
        progress: z.number().describe("mean progress of the objectives shown, each capped at 1"),
        expectedProgress: z.number(),
        objectives: z.number().int(),
        statuses: z.record(z.enum(STATUSES), z.number().int()),
      }),
    )
    .describe("one point a week from the period's start, and one at the latest instant up to now"),
});

export const PeriodCloseShape = z.object({
  period: PeriodShape,
  objectivesClosed: z.number().int(),
  objectivesTotal: z.number().int(),
  averageScore: z.number().nullable(),
  grades: z.object({ red: z.number(), yellow: z.number(), green: z.number() }),
  objectives: z.array(
    z.object({ id: Id, title: z.string(), score: z.number().nullable(), grade: z.string().nullable() }),
  ),
});

export const ErrorShape = z.object({
  error: z.object({
    code: z.enum([
      "VALIDATION",
      "UNAUTHENTICATED",
      "FORBIDDEN",
      "NOT_FOUND",
      "VERSION_CONFLICT",
      "CLOSED",
      "ALIGNMENT_CYCLE",
      "ALREADY_EXISTS",
      "CONFLICT",
      "INTERNAL",
    ]),
    message: z.string(),
    details: z.unknown(),
  }),
});

/** `{items, nextCursor}` around an item shape. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const TokenShape = z.object({
  id: Id,
  name: z.string(),
  scope: z.enum(["read", "write"]),
  userId: Id,
  /** Who issued it, when not its own account; it works only while they still outrank the account. */
  createdBy: Id.nullable(),
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
});
