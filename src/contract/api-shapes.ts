/**
 * The contract of the public API: every response shape, once. The server checks its answers
 * against them (http/app.ts), the OpenAPI document is generated from them, and the web app
 * infers its types from them (web/lib/types.ts). Objects are strict: a field the presenters
 * send but the contract does not name is a mismatch too. The input schemas live in
 * services/schemas.ts.
 */
import { z } from "zod";
import { ROLES } from "../domain/access.js";
import { KR_TYPES, LEVELS, MANUAL_STATUSES, STATUSES } from "../domain/types.js";

export const Id = z.string().describe("object id (uuid)");
export const Instant = z.string().describe("ISO 8601 instant");
export const DateStr = z.string().describe("ISO 8601 date, YYYY-MM-DD");
export const Fraction = z.number().describe("unrounded fraction, 1 = 100 %");

export const ForecastShape = z
  .object({
    progress: Fraction,
    low: z.number().nullable(),
    high: z.number().nullable(),
    probability: z.number().nullable(),
  })
  .nullable();

export const PeriodShape = z.strictObject({
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

/** A check-in cadence: every 1, 2 or 3 weeks on an ISO weekday, or monthly on the first such weekday. */
export const CadenceShape = z.union([
  z.strictObject({ kind: z.literal("weekly"), everyWeeks: z.number().int(), weekday: z.number().int() }),
  z.strictObject({ kind: z.literal("monthly"), weekday: z.number().int() }),
]);

export const TeamShape = z.strictObject({
  id: Id,
  name: z.string(),
  description: z.string(),
  parentId: Id.nullable(),
  cadence: CadenceShape.nullable().describe(
    "the team's own cadence; null: it follows its parent's, up to the organisation's",
  ),
  ownerIds: z.array(Id),
  memberIds: z.array(Id),
  slackWebhookUrl: z.string().nullable().describe("null unless you are an admin or an owner of the team"),
  teamsWebhookUrl: z.string().nullable().describe("null unless you are an admin or an owner of the team"),
  slackConfigured: z.boolean().describe("whether the team has its own Slack URL"),
  teamsConfigured: z.boolean().describe("whether the team has its own Microsoft Teams URL"),
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
});

export const UserShape = z.strictObject({
  id: Id,
  name: z.string(),
  email: z.string(),
  managerId: Id.nullable(),
  teamIds: z.array(Id),
  role: z.enum(ROLES),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
});

export const KeyResultShape = z.strictObject({
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
  plan: z.array(z.strictObject({ date: DateStr, value: z.number() })).nullable(),
  progressMode: z.enum(["manual", "rollup"]),
  rollup: z.enum(["mean", "sum", "proportional"]),
  progressOverride: z.number().nullable(),
  weight: z.number(),
  position: z.number().int().describe("order among its objective's key results"),
  progress: Fraction.nullable(),
  expectedProgress: Fraction,
  status: z.enum(STATUSES),
  forecast: ForecastShape,
  closed: z.boolean(),
  score: z.number().nullable(),
  scoreReason: z.string().nullable(),
  lastCheckInAt: Instant.nullable(),
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
});

/** What was said when an objective was closed. */
export const ClosingShape = z.strictObject({
  note: z.string(),
  learnings: z.string(),
  next: z.string(),
  closedAt: Instant,
  closedBy: Id.nullable(),
  suggestedScore: z.number().nullable().describe("the score its key results suggested"),
  previousState: z
    .enum(["draft", "active"])
    .optional()
    .describe("closed by its period's close: the state it had (and gets back if the period is reopened)"),
});

export const ObjectiveShape = z.strictObject({
  id: Id,
  title: z.string(),
  description: z.string(),
  level: z.enum(LEVELS),
  teamId: Id.nullable(),
  ownerIds: z.array(Id),
  periodId: Id,
  committed: z.boolean(),
  state: z.enum(["draft", "active", "closed"]),
  reviewState: z
    .enum(["inReview", "approved"])
    .nullable()
    .describe("a draft's review: in review, approved (ready to publish), or null"),
  visibility: z.enum(["public", "private"]),
  progress: Fraction,
  progressOverride: z.number().nullable(),
  expectedProgress: Fraction,
  status: z.enum(STATUSES),
  score: z.number().nullable(),
  forecast: ForecastShape,
  lastCheckInAt: Instant.nullable(),
  closing: ClosingShape.nullable(),
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
  keyResults: z.array(KeyResultShape),
});

export const AlignmentShape = z.strictObject({
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
  createdAt: Instant,
});

const PreviewFigures = z.strictObject({
  progress: Fraction.nullable().describe(
    "unrounded fraction, 1 = 100 % (null: a key result still measuring its baseline)",
  ),
  status: z.enum(STATUSES),
});

/** What an alignment change would do (POST /alignments/preview): each parent's figures before and after. */
export const AlignmentPreviewShape = z.strictObject({
  outcome: z
    .enum(["active", "pending", "removed"])
    .describe("the alignment after the change: counting, waiting for the parent's side to accept it, or gone"),
  speaksForParent: z
    .boolean()
    .describe("whether the caller may edit the parent, and so set the weight and what counts toward it"),
  parents: z
    .array(
      z.strictObject({
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

export const CheckInShape = z.strictObject({
  id: Id,
  keyResultId: Id,
  value: z.number().nullable(),
  achieved: z.boolean().nullable(),
  status: z.enum(MANUAL_STATUSES).nullable(),
  confidence: z.number().int().nullable(),
  note: z.string(),
  authorId: Id.nullable(),
  at: Instant,
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
});

export const InitiativeShape = z.strictObject({
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
  createdAt: Instant,
  updatedAt: Instant,
});

export const KpiShape = z.strictObject({
  id: Id,
  name: z.string(),
  description: z.string(),
  unit: z.string(),
  currency: z.string().nullable(),
  ownerIds: z.array(Id),
  teamId: Id.nullable(),
  healthyMin: z.number().nullable(),
  healthyMax: z.number().nullable(),
  objectiveIds: z.array(Id),
  current: z.number().nullable().describe("the latest value"),
  currentAt: Instant.nullable(),
  healthy: z.boolean().nullable().describe("whether the latest value is inside the healthy range"),
  version: z.number().int(),
  createdAt: Instant,
  updatedAt: Instant,
});

export const KpiValueShape = z.strictObject({
  id: Id,
  kpiId: Id,
  value: z.number(),
  at: Instant,
  note: z.string(),
  authorId: Id.nullable(),
});

/** A KPI with its recorded values, oldest first (what create, get and change answer). */
export const KpiDetailShape = KpiShape.extend({ values: z.array(KpiValueShape) });

export const FindingShape = z.strictObject({
  checkId: z.string(),
  severity: z.enum(["error", "warn", "info"]),
  objectType: z.enum(["objective", "keyResult", "user"]),
  objectId: Id,
  message: z.string(),
  reason: z.string(),
});

/** A node of the alignment tree: an objective or a key result, with what aligns under it. */
export const TreeNodeShape = z
  .strictObject({
    type: z.enum(["objective", "keyResult"]),
    id: Id,
    title: z.string(),
    level: z.enum(LEVELS).nullable().describe("objectives only"),
    krType: z.enum(KR_TYPES).nullable().describe("key results only"),
    teamId: Id.nullable(),
    ownerIds: z.array(Id),
    periodId: Id,
    objectiveId: Id.nullable().describe("a key result's objective"),
    progress: Fraction.nullable(),
    expectedProgress: Fraction,
    status: z.enum(STATUSES),
    forecast: ForecastShape,
    current: z.number().nullable(),
    target: z.number().nullable(),
    unit: z.string().nullable(),
    flags: z.array(z.string()).describe("attention flags: noOwner, noCheckIn, stale, datesOutsidePeriod, …"),
    alignment: z
      .strictObject({ id: Id, weight: z.number(), contributes: z.boolean() })
      .nullable()
      .describe("the alignment under its parent node; null for a root or a key result under its own objective"),
    get children(): z.ZodArray<typeof TreeNodeShape> {
      return z.array(TreeNodeShape);
    },
  })
  .meta({ id: "TreeNode" });

export const TreeShape = z.strictObject({
  periodId: Id,
  asOf: Instant.nullable(),
  periodIds: z.array(Id),
  roots: z.array(TreeNodeShape),
});

export const TeamClusterShape = z.strictObject({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  subTeams: z.number().int().describe("live sub-teams"),
  objectives: z.number().int().describe("the team's own published objectives in the period that the caller may see"),
  statuses: z.record(z.enum(STATUSES), z.number().int()).describe("how many of those objectives are in each status"),
  progress: Fraction.nullable().describe("mean progress of those objectives, each capped at 1; null with none"),
});

export const ProgressBreakdownShape = z.strictObject({
  objectiveId: Id,
  progress: Fraction,
  progressOverride: Fraction.nullable().describe("set by hand: the progress shown is this, not the roll-up"),
  rollup: Fraction.describe("the weighted mean of the counted items (okr-method §3)"),
  items: z.array(
    z.strictObject({
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

export const SeriesShape = z.strictObject({
  periodId: Id,
  teamId: Id.nullable(),
  points: z
    .array(
      z.strictObject({
        at: Instant,
        progress: z.number().describe("mean progress of the objectives shown, each capped at 1"),
        expectedProgress: z.number(),
        objectives: z.number().int(),
        statuses: z.record(z.enum(STATUSES), z.number().int()),
      }),
    )
    .describe("one point a week from the period's start, and one at the latest instant up to now"),
});

export const PeriodCloseShape = z.strictObject({
  period: PeriodShape,
  objectivesClosed: z.number().int(),
  objectivesTotal: z.number().int(),
  averageScore: z.number().nullable(),
  grades: z.strictObject({ red: z.number(), yellow: z.number(), green: z.number() }),
  committedMissed: z.number().int().describe("committed objectives that scored below 1.0"),
  objectives: z.array(
    z.strictObject({
      id: Id,
      title: z.string(),
      committed: z.boolean(),
      score: z.number().nullable(),
      grade: z.string().nullable(),
    }),
  ),
});

export const PeriodYearShape = z.strictObject({ year: PeriodShape, quarters: z.array(PeriodShape) });

export const PeriodClosePreviewShape = z.strictObject({
  period: PeriodShape,
  objectives: z.strictObject({
    total: z.number().int(),
    toClose: z.number().int().describe("open objectives the close would close, drafts included"),
    drafts: z.number().int().describe("drafts among them: closed too, and drafts again if the period is reopened"),
    alreadyClosed: z.number().int(),
  }),
  keyResults: z.strictObject({ total: z.number().int(), toClose: z.number().int() }),
  averageSuggestedScore: z.number().nullable().describe("mean suggested score of the published objectives to close"),
  reopens: z.number().int().describe("objectives that reopening the period would restore (those its close closed)"),
  items: z.array(
    z.strictObject({
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

export const PeriodReopenShape = z.strictObject({
  period: PeriodShape,
  objectivesReopened: z.number().int(),
  objectives: z.array(z.strictObject({ id: Id, title: z.string(), state: z.enum(["draft", "active"]) })),
});

export const ErrorShape = z.strictObject({
  error: z.strictObject({
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
      "RATE_LIMITED",
      "INTERNAL",
    ]),
    message: z.string(),
    details: z.unknown(),
  }),
});

/** `{items, nextCursor}` around an item shape. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const TokenShape = z.strictObject({
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

const DashboardItemShape = z.strictObject({
  type: z.enum(["objective", "keyResult"]),
  id: Id,
  title: z.string(),
  objective: z.strictObject({ id: Id, title: z.string() }).nullable().describe("a key result's objective"),
  owners: z.array(z.strictObject({ id: Id, name: z.string() })),
  progress: Fraction,
  expectedProgress: Fraction,
  status: StatusName,
});

export const DashboardShape = z.strictObject({
  periodId: Id,
  teamId: Id.nullable(),
  at: Instant,
  since: Instant.describe("one week before `at`: what changed is measured from here"),
  expectedProgress: Fraction.describe("where the period's objectives should be by now"),
  cadenceDays: z.number().int(),
  teams: z
    .array(
      z.strictObject({
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
  changes: z.strictObject({
    up: z.array(DashboardItemShape.extend({ before: Fraction, after: Fraction, delta: Fraction })),
    down: z.array(DashboardItemShape.extend({ before: Fraction, after: Fraction, delta: Fraction })),
    statusChanges: z.array(
      DashboardItemShape.extend({
        from: StatusName,
        before: Fraction.optional().describe("key results: progress a week ago"),
        after: Fraction.optional().describe("key results: progress now"),
      }),
    ),
    newRisks: z
      .array(
        DashboardItemShape.extend({
          from: StatusName,
          before: Fraction.optional().describe("key results: progress a week ago"),
          after: Fraction.optional().describe("key results: progress now"),
        }),
      )
      .describe("became behind or at risk this week"),
  }),
});
