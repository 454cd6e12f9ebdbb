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
  /** Its place among its objective's key results, from 0 (first). */
  position: z.number().int(),
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

const PreviewFigures = z.object({
  progress: Fraction.nullable().describe(
    "unrounded fraction, 1 = 100 % (null: a key result still measuring its baseline)",
  ),
  status: z.enum(STATUSES),
});

/** What an alignment change would do (POST /alignments/preview): each parent's figures before and after. */
export const AlignmentPreviewShape = z.object({
  outcome: z
    .enum(["active", "pending", "removed"])
    .describe("the alignment after the change: counting, waiting for the parent's side to accept it, or gone"),
  speaksForParent: z
    .boolean()
    .describe("whether the caller may edit the parent, and so set the weight and what counts toward it"),
  parents: z
    .array(
      z.object({
        type: z.enum(["objective", "keyResult"]),
        id: Id,
        title: z.string(),
        depth: z.number().int().describe("0: the alignment's parent; 1: what that counts toward; and so on"),
        before: PreviewFigures,
        after: PreviewFigures,
      }),
    )
    .describe("the parent first, then everything it counts toward that the caller may see, nearest first"),
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
  description: z.string(),
  ownerIds: z.array(Id),
  state: z.string(),
  progress: z.number().nullable(),
  weight: z.number(),
  startDate: DateStr.nullable(),
  endDate: DateStr.nullable(),
  version: z.number().int(),
});

export const KpiShape = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  unit: z.string(),
  currency: z.string().nullable(),
  ownerIds: z.array(Id),
  teamId: Id.nullable(),
  currentAt: Instant.nullable(),
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

export const PeriodYearShape = z.object({ year: PeriodShape, quarters: z.array(PeriodShape) });

export const PeriodClosePreviewShape = z.object({
  period: PeriodShape,
  objectives: z.object({
    total: z.number().int(),
    toClose: z.number().int().describe("open objectives the close would close, drafts included"),
    drafts: z.number().int().describe("drafts among them: closed too, and drafts again if the period is reopened"),
    alreadyClosed: z.number().int(),
  }),
  keyResults: z.object({ total: z.number().int(), toClose: z.number().int() }),
  averageSuggestedScore: z.number().nullable().describe("mean suggested score of the published objectives to close"),
  reopens: z.number().int().describe("objectives that reopening the period would restore (those its close closed)"),
  items: z.array(
    z.object({
      id: Id,
      title: z.string(),
      state: z.enum(["draft", "active", "closed"]),
      committed: z.boolean(),
      keyResults: z.number().int(),
      progress: z.number(),
      suggestedScore: z.number().nullable().describe("okr-method §6, for objectives still open"),
      score: z.number().nullable().describe("the score of an objective already closed"),
      closedByPeriodClose: z.boolean(),
    }),
  ),
});

export const PeriodReopenShape = z.object({
  period: PeriodShape,
  objectivesReopened: z.number().int(),
  objectives: z.array(z.object({ id: Id, title: z.string(), state: z.enum(["draft", "active"]) })),
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

const StatusName = z.enum(STATUSES);

const DashboardItemShape = z.object({
  type: z.enum(["objective", "keyResult"]),
  id: Id,
  title: z.string(),
  objective: z.object({ id: Id, title: z.string() }).nullable().describe("a key result's objective"),
  owners: z.array(z.object({ id: Id, name: z.string() })),
  progress: Fraction,
  expectedProgress: Fraction,
  status: StatusName,
});

export const DashboardShape = z.object({
  periodId: Id,
  teamId: Id.nullable(),
  at: Instant,
  since: Instant.describe("one week before `at`: what changed is measured from here"),
  expectedProgress: Fraction.describe("where the period's objectives should be by now"),
  cadenceDays: z.number().int(),
  teams: z
    .array(
      z.object({
        teamId: Id.nullable().describe("null: the objectives of no team (organisation view)"),
        name: z.string().nullable(),
        depth: z.number().int().describe("0 for the team shown, 1 for its direct children…"),
        statuses: z.record(StatusName, z.number().int()).describe("the team's own objectives by status"),
        objectives: z.number().int(),
        keyResults: z.number().int().describe("open key results with their own check-ins"),
        fresh: z.number().int().describe("of those, checked in within the cadence"),
        neverCheckedIn: z.number().int(),
        oldestCheckInAt: Instant.nullable().describe("the oldest latest check-in among them"),
      }),
    )
    .describe("the team shown (or the objectives of no team), then every team under it, depth first"),
  topRisks: z.array(DashboardItemShape).describe("behind or at risk now, worst first"),
  changes: z.object({
    up: z.array(DashboardItemShape.extend({ before: Fraction, after: Fraction, delta: Fraction })),
    down: z.array(DashboardItemShape.extend({ before: Fraction, after: Fraction, delta: Fraction })),
    statusChanges: z.array(DashboardItemShape.extend({ from: StatusName })),
    newRisks: z.array(DashboardItemShape.extend({ from: StatusName })).describe("became behind or at risk this week"),
  }),
});
