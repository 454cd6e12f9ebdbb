/**
 * Input schemas of every use case (zod). The HTTP layer publishes them in OpenAPI, the
 * CLI and the services parse with them, so a rule is written once.
 */
import { z } from "zod";
import { bidiControlProblem } from "../domain/bidi-controls.js";
import { AppError } from "../domain/errors.js";
import {
  KR_TYPES,
  LEVELS,
  MANUAL_STATUSES,
  OBJECTIVE_STATES,
  PERIOD_KINDS,
  PROGRESS_MODES,
  ROLLUP_METHODS,
  UNITS,
} from "../domain/types.js";
import { KeyResultSourceSchema } from "./data-source-schema.js";

const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal given as a JSON number or a decimal string; kept as a normalised string for exact storage. */
export const DecimalSchema = z
  .union([z.number(), z.string()])
  .superRefine((v, ctx) => {
    const ok = typeof v === "number" ? Number.isFinite(v) : DECIMAL_RE.test(v.trim()) && Number.isFinite(Number(v));
    if (!ok) ctx.addIssue({ code: "custom", message: 'must be a number or a decimal string such as "12.5"' });
    else if (Math.abs(Number(v)) >= 1e15)
      ctx.addIssue({ code: "custom", message: "must be smaller than 10^15 in size" });
  })
  .transform((v) => normaliseDecimal(v));

/** Writes a number or numeric string as a plain decimal string (no exponent). */
export function normaliseDecimal(v: number | string): string {
  const str = typeof v === "number" ? String(v) : v.trim();
  if (!/[eE]/.test(str)) {
    const neg = str.startsWith("-");
    let body = str.replace(/^[+-]/, "");
    if (body.startsWith(".")) body = `0${body}`;
    if (body.endsWith(".")) body = body.slice(0, -1);
    body = body.replace(/^0+(?=\d)/, "");
    const out = `${neg ? "-" : ""}${body}`;
    return /^-0(\.0*)?$/.test(out) ? out.slice(1) : out;
  }
  // Exponent notation: expand it exactly with the digits given.
  const m = /^([+-]?)(\d*)\.?(\d*)[eE]([+-]?\d+)$/.exec(str);
  if (!m) return String(Number(str));
  const [, sign, int = "", frac = "", expStr] = m;
  const digits = (int + frac).replace(/^0+/, "") || "0";
  const exp = Number(expStr) - frac.length;
  let result: string;
  if (digits === "0") result = "0";
  else if (exp >= 0) result = digits + "0".repeat(exp);
  else {
    const pad = digits.padStart(-exp + 1, "0");
    result = `${pad.slice(0, exp)}.${pad.slice(exp)}`.replace(/\.?0+$/, "");
  }
  return sign === "-" && result !== "0" ? `-${result}` : result;
}

export const IdSchema = z.string().min(1, "must be an id");
const isoDateMessage = "must be a date as YYYY-MM-DD";
/** Years Okra accepts: the database has no year 0, and an end date needs a next day. */
const YEAR_RANGE = "must be between the years 1000 and 9998";
const inYearRange = (v: string) => {
  const year = Number(v.slice(0, 4));
  return year >= 1000 && year <= 9998;
};
export const IsoDateSchema = z.iso.date({ message: isoDateMessage }).refine(inYearRange, YEAR_RANGE);
/** An instant: ISO 8601 date-time with a zone (Z or ±hh:mm). */
export const InstantSchema = z.iso
  .datetime({
    offset: true,
    message: "must be an ISO 8601 date-time with a zone, such as 2026-03-02T09:00:00Z",
  })
  .refine(inYearRange, YEAR_RANGE);
const Weight = DecimalSchema.refine((v) => Number(v) >= 0, "must be 0 or more");
const Fraction = z.number().refine(Number.isFinite, "must be a finite number");
const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR or USD");
/**
 * A title or name: trimmed, not empty, at most `max` characters, and without bidirectional
 * override or isolate characters (U+202A–U+202E, U+2066–U+2069: they reorder what is shown
 * around them; see `domain/bidi-controls.ts`).
 */
export const TitleSchema = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => {
      const problem = bidiControlProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

export const PeriodCreateSchema = z.strictObject({
  name: TitleSchema(200),
  kind: z.enum(PERIOD_KINDS),
  startDate: IsoDateSchema,
  endDate: IsoDateSchema,
  parentId: IdSchema.nullable().optional(),
});
export const PeriodUpdateSchema = PeriodCreateSchema.partial().extend({ version: z.number().int().optional() });
export const PeriodYearCreateSchema = z.strictObject({
  year: z
    .number()
    .int("must be a whole year such as 2027")
    .min(1900, "must be 1900 or later")
    .max(9998, "must be 9998 or earlier"),
  startMonth: z
    .number()
    .int()
    .min(1, "must be a month from 1 (January) to 12")
    .max(12, "must be a month from 1 (January) to 12")
    .optional(),
  name: TitleSchema(200).optional(),
});

/**
 * A Slack or Microsoft Teams incoming-webhook URL; null or "" clears it. The service checks the
 * rest against the instance's policy (`chatUrlProblems` in chat.ts).
 */
export const ChatUrlSchema = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? null : typeof v === "string" ? v.trim() : v),
  z.string().max(2000, "must be at most 2,000 characters").nullable(),
);

export const TeamCreateSchema = z.strictObject({
  name: TitleSchema(200),
  description: z.string().max(5000).optional(),
  parentId: IdSchema.nullable().optional(),
  ownerIds: z.array(IdSchema).optional(),
  memberIds: z.array(IdSchema).optional(),
  /** The team's own check-in cadence; null: follow the parent team's (up to the organisation's). */
  cadence: z
    .lazy(() => CadenceSchema)
    .nullable()
    .optional(),
  /** Where the team's reminder summaries and digests are posted (team owners and admins see them). */
  slackWebhookUrl: ChatUrlSchema.optional(),
  teamsWebhookUrl: ChatUrlSchema.optional(),
});
export const TeamUpdateSchema = TeamCreateSchema.partial().extend({ version: z.number().int().optional() });

export const UserCreateSchema = z.strictObject({
  name: TitleSchema(200),
  email: z.email({ message: "must be an email address" }),
  role: z.enum(["owner", "admin", "member", "observer"]).optional(),
  managerId: IdSchema.nullable().optional(),
  teamIds: z.array(IdSchema).optional(),
});
/** Adding a person invites them by email unless `invite` is false. */
export const UserInviteSchema = UserCreateSchema.extend({ invite: z.boolean().optional() });
export const UserUpdateSchema = UserCreateSchema.partial().extend({
  active: z.boolean().optional(),
  version: z.number().int().optional(),
});

export const ObjectiveCreateSchema = z.strictObject({
  title: TitleSchema(500),
  description: z.string().max(20000).optional(),
  level: z.enum(LEVELS),
  teamId: IdSchema.nullable().optional(),
  ownerIds: z.array(IdSchema).optional(),
  periodId: IdSchema,
  committed: z.boolean().optional(),
  state: z.enum(["draft", "active"]).optional(),
  visibility: z.enum(["public", "private"]).optional(),
  progressOverride: Fraction.nullable().optional(),
});
/** An objective with its first key results and where it aligns, made in one write. */
export const ObjectiveWithPartsSchema = ObjectiveCreateSchema.extend({
  keyResults: z.array(z.unknown()).max(20, "at most 20 key results at once").optional(),
  alignTo: z
    .strictObject({ parentType: z.enum(["objective", "keyResult"]), parentId: z.string() })
    .optional()
    .describe("the objective or key result it aligns under"),
});

export const ObjectiveUpdateSchema = ObjectiveCreateSchema.partial()
  .extend({ state: z.enum(OBJECTIVE_STATES).optional(), version: z.number().int().optional() })
  .strict();

const PlanPointSchema = z.strictObject({ date: IsoDateSchema, value: DecimalSchema });

const keyResultFields = {
  title: TitleSchema(500),
  description: z.string().max(20000).optional(),
  ownerIds: z.array(IdSchema).optional(),
  delegateIds: z.array(IdSchema).optional(),
  type: z.enum(KR_TYPES),
  unit: z.enum(UNITS).optional(),
  currency: CurrencyCode.nullable().optional(),
  start: DecimalSchema.nullable().optional(),
  target: DecimalSchema.nullable().optional(),
  baselineConfirmed: z.boolean().optional(),
  startDate: IsoDateSchema.nullable().optional(),
  endDate: IsoDateSchema.nullable().optional(),
  plan: z.array(PlanPointSchema).max(366).nullable().optional(),
  progressMode: z.enum(PROGRESS_MODES).optional(),
  rollup: z.enum(ROLLUP_METHODS).optional(),
  progressOverride: Fraction.nullable().optional(),
  weight: Weight.optional(),
};
export const KeyResultCreateSchema = z.strictObject(keyResultFields);
export const KeyResultUpdateSchema = z
  .strictObject(keyResultFields)
  .partial()
  .extend({
    version: z.number().int().optional(),
    /** Where the key result stands among its objective's, from 0 (first); the others move to make room. */
    position: z.number().int("must be a whole number").min(0, "must be 0 or more").optional(),
    /** Where the value is read from on a schedule (#13, pull); null: checked in by people and tokens. */
    source: KeyResultSourceSchema.nullable().optional(),
  });

export const AlignmentCreateSchema = z.strictObject({
  childType: z.enum(["objective", "keyResult"]),
  childId: IdSchema,
  parentType: z.enum(["objective", "keyResult"]),
  parentId: IdSchema,
  weight: Weight.optional(),
  contributes: z.boolean().optional(),
});
export const AlignmentUpdateSchema = z.strictObject({
  weight: Weight.optional(),
  contributes: z.boolean().optional(),
  version: z.number().int().optional(),
});
/** Accepting a pending alignment: the parent's side may set the child's weight as it accepts. */
export const AlignmentApproveSchema = z.strictObject({
  weight: Weight.optional(),
  version: z.number().int().optional(),
});

const Confidence = z.number().int("must be a whole number").min(1, "must be 1 to 10").max(10, "must be 1 to 10");
export const CheckInCreateSchema = z.strictObject({
  value: DecimalSchema.nullable().optional(),
  achieved: z.boolean().nullable().optional(),
  status: z.enum(MANUAL_STATUSES).nullable().optional(),
  confidence: Confidence.nullable().optional(),
  note: z.string().max(20000).optional(),
  at: InstantSchema.optional(),
});
export const CheckInUpdateSchema = CheckInCreateSchema.partial().extend({ version: z.number().int().optional() });

export const InitiativeCreateSchema = z.strictObject({
  title: TitleSchema(500),
  description: z.string().max(20000).optional(),
  objectiveId: IdSchema,
  keyResultId: IdSchema.nullable().optional(),
  ownerIds: z.array(IdSchema).optional(),
  state: z.enum(["planned", "inProgress", "done", "cancelled"]).optional(),
  progress: z.number().min(0, "must be 0 to 1").max(1, "must be 0 to 1").nullable().optional(),
  weight: Weight.optional(),
  startDate: IsoDateSchema.nullable().optional(),
  endDate: IsoDateSchema.nullable().optional(),
});
export const InitiativeUpdateSchema = InitiativeCreateSchema.partial().extend({ version: z.number().int().optional() });

export const KpiCreateSchema = z.strictObject({
  name: TitleSchema(300),
  description: z.string().max(20000).optional(),
  unit: z.enum(UNITS).optional(),
  currency: CurrencyCode.nullable().optional(),
  ownerIds: z.array(IdSchema).optional(),
  teamId: IdSchema.nullable().optional(),
  healthyMin: DecimalSchema.nullable().optional(),
  healthyMax: DecimalSchema.nullable().optional(),
  objectiveIds: z.array(IdSchema).optional(),
});
export const KpiUpdateSchema = KpiCreateSchema.partial().extend({ version: z.number().int().optional() });
export const KpiValueCreateSchema = z.strictObject({
  value: DecimalSchema,
  at: InstantSchema.optional(),
  note: z.string().max(20000).optional(),
});

export const CloseObjectiveSchema = z.strictObject({
  score: z.number().min(0, "must be 0.0 to 1.0").max(1, "must be 0.0 to 1.0").nullable().optional(),
  note: z.string().max(20000).optional(),
  learnings: z.string().max(20000).optional(),
  next: z.string().max(20000).optional(),
  keyResultScores: z
    .array(z.strictObject({ keyResultId: IdSchema, score: z.number().min(0).max(1), reason: z.string().max(5000) }))
    .optional(),
});
export const PostponeObjectiveSchema = z.strictObject({ periodId: IdSchema });
export const ClosePeriodSchema = z.strictObject({ note: z.string().max(20000).optional() });

const WEEKDAY_MESSAGE = "is an ISO weekday: 1 (Monday) to 7 (Sunday)";
const WeekdaySchema = z.number().int(WEEKDAY_MESSAGE).min(1, WEEKDAY_MESSAGE).max(7, WEEKDAY_MESSAGE);
/** A check-in cadence (okr-method §7): every 1, 2 or 3 weeks on a weekday, or monthly on the first such weekday. */
export const CadenceSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({
      kind: z.literal("weekly"),
      everyWeeks: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: "must be 1, 2 or 3 (weeks)" }),
      weekday: WeekdaySchema,
    }),
    z.strictObject({ kind: z.literal("monthly"), weekday: WeekdaySchema }),
  ],
  { message: 'kind must be "weekly" (with everyWeeks 1, 2 or 3 and a weekday) or "monthly" (with a weekday)' },
);

/** A whole number from `min` to `max`; out of range is refused with the range (never clamped). */
function wholeNumberIn(min: number, max: number, unit: string) {
  const message = `must be a whole number from ${min} to ${max} (${unit})`;
  return z.number().int(message).min(min, message).max(max, message);
}

export const SettingsUpdateSchema = z.strictObject({
  /** The organisation's check-in cadence (teams may set their own). */
  cadence: CadenceSchema.optional(),
  /** Local hour from which the day's reminders go out. */
  reminderHour: wholeNumberIn(0, 23, "an hour of the day").optional(),
  /** ISO weekday of the weekly digest. */
  digestWeekday: WeekdaySchema.optional(),
  /** Missed reminders in a row before the manager is told; 0 turns escalation off. */
  escalateAfterMissed: wholeNumberIn(0, 10, "missed reminders; 0 turns escalation off").optional(),
  /** How often data-linked key results read their source, in minutes; 0: only on "sync now". */
  dataSyncMinutes: z
    .union([z.literal(0), z.literal(15), z.literal(60), z.literal(360), z.literal(1440)], {
      message: "must be 15, 60, 360 or 1440 (minutes), or 0 to read sources only on demand",
    })
    .optional(),
  name: TitleSchema(200).optional(),
  timeZone: z.string().optional(),
  /** Days before an item without a check-in counts as started. */
  notStartedGraceDays: wholeNumberIn(0, 90, "days").optional(),
  /** How far short of plan (0 to 1) an item may be and still be "behind" rather than at risk. */
  behindThreshold: z
    .number()
    .min(0, "must be 0 to 1 (a share of the plan, e.g. 0.25)")
    .max(1, "must be 0 to 1 (a share of the plan, e.g. 0.25)")
    .optional(),
  initiativesCount: z.boolean().optional(),
  /** Days between expected check-ins (what makes a key result stale). */
  cadenceDays: wholeNumberIn(1, 92, "days").optional(),
  /** How many days before its key result's start a check-in may be dated. */
  checkInGraceDays: wholeNumberIn(0, 366, "days").optional(),
  /** Whether members of a team may create its objectives (team owners and admins always may). */
  membersCreateTeamOkrs: z.boolean().optional(),
  /** Whether a private objective may align under a public one (its progress then shows through). */
  privateUnderPublic: z.boolean().optional(),
  /** Whether a draft needs a review (submitted, approved) before it goes live; admins may skip it. */
  reviewWorkflow: z.boolean().optional(),
  /** What the organisation calls objectives, key results and initiatives (as Viva Goals allowed). */
  terminology: z
    .strictObject({
      objective: TitleSchema(40),
      keyResult: TitleSchema(40),
      initiative: TitleSchema(40),
    })
    .optional(),
  /** The organisation's Slack and Microsoft Teams channels (incoming webhooks); null clears one. */
  slackWebhookUrl: ChatUrlSchema.optional(),
  teamsWebhookUrl: ChatUrlSchema.optional(),
});

export const TokenCreateSchema = z.strictObject({
  name: TitleSchema(200),
  scope: z.enum(["read", "write"]).optional(),
});

/** Pagination query parameters shared by lists. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1, "must be 1 to 500").max(500, "must be 1 to 500").optional(),
  cursor: z.string().optional(),
});

/** At most this many ids in one `ids` filter (a page's worth of owners or teams). */
export const MAX_LIST_IDS = 100;

/**
 * A page of a list by name, optionally of the rows whose name (or a person's email) contains `q`,
 * and of those with one of `ids` (comma-separated): how a screen fetches every owner it shows at once.
 */
export const NamedListQuerySchema = PageQuerySchema.extend({
  q: z.string().max(200, "must be at most 200 characters").optional(),
  ids: commaIdsSchema(MAX_LIST_IDS).optional(),
});

/** 1 to `max` ids separated by commas (each once). */
export function commaIdsSchema(max: number) {
  return z
    .string()
    .transform((v) => [
      ...new Set(
        v
          .split(",")
          .map((id) => id.trim())
          .filter(Boolean),
      ),
    ])
    .refine((ids) => ids.length >= 1 && ids.length <= max, {
      message: `must be 1 to ${max} ids separated by commas`,
    });
}

export const AsOfQuerySchema = z.object({ asOf: InstantSchema.optional() });

/** Parses `input` with `schema`, or throws VALIDATION listing every bad field as "path: message". */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = ""): z.output<S> {
  const r = schema.safeParse(input ?? (where === "query" ? {} : input));
  if (r.success) return r.data;
  throw AppError.validation(formatIssues(r.error.issues, where, input));
}

/** Parses each item of a list; a problem names its item (`[3].value: is required`). */
export function parseEach<S extends z.ZodType>(schema: S, items: readonly unknown[]): z.output<S>[] {
  return items.map((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) return r.data;
    throw AppError.validation(formatIssues(r.error.issues, "", item).map((d) => `[${i}].${d}`));
  });
}

/** What a JSON value is, in the words of the messages ("a number", "a list", "null"). */
function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  date: "a date",
};

/** The value at `path` in `input`, and whether there is one. */
function valueAt(input: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key))
      return { present: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { present: cur !== undefined, value: cur };
}

/**
 * Formats zod issues as "path: message" lines. With the `input` that was parsed, a field of the
 * wrong type says what it should be and what it was, and only a missing one "is required".
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], where = "", input?: unknown): string[] {
  return issues.map((i) => {
    const path = i.path.length ? i.path.map(String).join(".") : where || "body";
    if (i.code === "unrecognized_keys") {
      return `${i.keys.map((k) => (i.path.length ? `${path}.${k}` : k)).join(", ")}: unknown field; remove it (check the spelling against the API reference)`;
    }
    if (i.code === "invalid_type") {
      const at = input === undefined ? { present: i.input !== undefined, value: i.input } : valueAt(input, i.path);
      if (!at.present) return `${path}: is required`;
      const expected = EXPECTED[i.expected] ?? i.expected;
      return `${path}: must be ${expected}, not ${describeValue(at.value)}`;
    }
    return `${path}: ${i.message}`;
  });
}

// The rhythm (#12): notification centre and preferences.
export const NotificationListQuerySchema = PageQuerySchema.extend({
  unread: z.enum(["true", "false"], { message: 'must be "true" or "false"' }).optional(),
});
export const NotificationReadSchema = z
  .strictObject({
    ids: z.array(IdSchema).min(1, "list at least one notification id, or send all: true").max(500).optional(),
    all: z.literal(true, { message: "must be true (to mark every notification read)" }).optional(),
  })
  .refine((v) => (v.ids === undefined) !== (v.all === undefined), {
    message: "send either ids (the notifications to mark read) or all: true",
  });
const IsoWeekdaySchema = z
  .number()
  .int()
  .min(1, "is an ISO weekday: 1 (Monday) to 7 (Sunday)")
  .max(7, "is an ISO weekday: 1 (Monday) to 7 (Sunday)");
export const NotificationPreferencesSchema = z.strictObject({
  channel: z
    .enum(["email", "inApp"], { message: 'must be "email" (email and the app) or "inApp" (the app only)' })
    .optional(),
  quietDays: z.array(IsoWeekdaySchema).max(7).optional(),
  digest: z.boolean().optional(),
});

// The review workflow (#12): a note with a submission or an approval; what to change when sent back.
export const ReviewCommentSchema = z.strictObject({
  comment: z.string().trim().max(5000, "must be at most 5000 characters").optional(),
});
export const ReviewSendBackSchema = z.strictObject({
  comment: z
    .string({ message: "is required: say what to change before it is submitted again" })
    .trim()
    .min(1, "must not be empty: say what to change before it is submitted again")
    .max(5000, "must be at most 5000 characters"),
});
