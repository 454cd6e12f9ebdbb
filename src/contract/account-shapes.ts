/**
 * The contract's shapes of accounts, sessions, credentials, settings, the audit trail, the trash
 * and imports (the OKR objects are in api-shapes.ts). Import both from `src/contract/index.ts`.
 */
import { z } from "zod";
import { ROLES } from "../domain/access.js";
import { CadenceShape, Id, Instant, UserShape } from "./api-shapes.js";

/** `GET /me`: the caller. */
export const MeShape = z.strictObject({
  user: UserShape,
  role: z.enum(ROLES),
  access: z.enum(["read", "write"]),
  organization: z.strictObject({ id: Id, name: z.string() }),
  isInstanceAdmin: z.boolean(),
  hasPassword: z.boolean(),
  authMethod: z.enum(["session", "token"]),
  csrfToken: z.string().optional().describe("for browser sessions: send it in x-csrf-token with every change"),
});

/** The organisation's settings (`GET`/`PATCH /settings`). */
export const SettingsShape = z.strictObject({
  name: z.string(),
  timeZone: z.string().describe("IANA time zone of period boundaries"),
  notStartedGraceDays: z.number().int(),
  behindThreshold: z.number(),
  initiativesCount: z.boolean(),
  cadenceDays: z.number().int(),
  checkInGraceDays: z.number().int(),
  cadence: CadenceShape.describe("the organisation's check-in cadence; teams may set their own"),
  reminderHour: z.number().int().describe("local hour from which the day's reminders go out"),
  digestWeekday: z.number().int().describe("ISO weekday of the weekly digest (1 = Monday)"),
  escalateAfterMissed: z.number().int().describe("missed reminders in a row before the manager is told; 0: never"),
  dataSyncMinutes: z
    .number()
    .int()
    .describe("how often data-linked key results read their source (15, 60, 360 or 1440 minutes); 0: only on sync now"),
  membersCreateTeamOkrs: z.boolean(),
  privateUnderPublic: z.boolean(),
  reviewWorkflow: z
    .boolean()
    .describe("a draft goes live only once reviewed (submitted, approved); admins may skip it"),
  terminology: z.strictObject({ objective: z.string(), keyResult: z.string(), initiative: z.string() }).optional(),
  slackWebhookUrl: z.string().nullable().describe("the Slack incoming-webhook URL; null unless you are an admin"),
  teamsWebhookUrl: z.string().nullable().describe("the Microsoft Teams webhook URL; null unless you are an admin"),
  slackConfigured: z.boolean().describe("whether a Slack URL is set"),
  teamsConfigured: z.boolean().describe("whether a Microsoft Teams URL is set"),
  publicUrl: z
    .string()
    .describe(
      "the server's public address (OKRA_PUBLIC_URL): the start of every link it writes (emails, the SSO redirect URI, the SCIM base URL)",
    ),
  mailConfigured: z
    .boolean()
    .describe(
      "whether the server sends email (OKRA_SMTP_URL); false: invitation and reset links are handed to the admin to pass on",
    ),
  version: z.number().int(),
  recompute: z
    .strictObject({ requestedAt: Instant, done: z.number().int().nullable(), total: z.number().int().nullable() })
    .nullable()
    .describe("a background recompute after a change of time zone or initiatives counting, while it runs"),
});

/** `POST /settings/chat-test`, `POST /teams/:id/chat-test`: what happened on each channel. */
export const ChatTestShape = z.strictObject({
  results: z.array(
    z.strictObject({
      kind: z.enum(["slack", "teams"]),
      ok: z.boolean(),
      error: z.string().optional().describe("what the receiver answered, or why it could not be reached"),
      from: z
        .enum(["team", "ancestor", "organization"])
        .describe("whose URL it is: the team's own, an ancestor team's, or the organisation's"),
      teamId: Id.nullable().describe("the team whose URL it is; null for the organisation's"),
    }),
  ),
});

/** Another object an audit entry is about, named. */
export const AuditRefShape = z.strictObject({
  role: z
    .enum(["child", "parent", "keyResult", "objective", "account"])
    .describe(
      "an alignment's child or parent, a check-in's or check-in token's key result, a comment's objective, the account a token or session is for",
    ),
  type: z.string().describe("objective, keyResult or user"),
  id: Id.nullable().describe("null when hidden from the reader, or erased and the reader is not an admin"),
  name: z.string().nullable().describe("its title or name now; null when deleted, erased or hidden"),
  deleted: z.boolean(),
  hidden: z.boolean().describe("a private objective (or its key result) the reader may not see: no id, no name"),
});

export const AuditEntryShape = z.strictObject({
  id: Id,
  actorId: Id.nullable(),
  actorName: z.string().nullable(),
  at: Instant,
  action: z.string(),
  objectType: z.string(),
  objectId: z.string(),
  objectName: z
    .string()
    .nullable()
    .describe(
      "the object in words: its title or name now; for a deleted object the name this entry recorded; null when none is known",
    ),
  objectDeleted: z.boolean().describe("the object no longer exists (in the trash or erased)"),
  related: z.array(AuditRefShape).describe("the other objects this entry is about, named"),
  before: z.unknown(),
  after: z.unknown(),
});

export const InvitationShape = z.strictObject({
  email: z.string(),
  sent: z.boolean(),
  url: z.string().optional(),
  error: z.string().optional(),
});

export const SessionShape = z.strictObject({
  id: Id,
  createdAt: Instant,
  lastSeenAt: Instant,
  expiresAt: Instant,
  userAgent: z.string(),
  method: z.string(),
  current: z.boolean(),
});

export const OrganizationCreatedShape = z.strictObject({
  organization: z.strictObject({ id: Id, name: z.string(), createdAt: Instant }),
  owner: z.strictObject({ id: Id, name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  ownerToken: z.string(),
});

/** What the trash holds (services/trash.service.ts restores them). */
export const TRASH_TYPES = ["objective", "keyResult", "checkIn", "initiative", "kpi", "team", "period"] as const;

export const TrashItemShape = z.strictObject({
  type: z.enum(TRASH_TYPES),
  id: Id,
  title: z.string(),
  deletedAt: Instant,
  purgeAt: Instant,
  deletedBy: z.strictObject({ id: Id, name: z.string() }).nullable(),
  objectiveId: Id.nullable(),
});

export const TrashRestoreShape = z.strictObject({
  type: z.enum(TRASH_TYPES),
  id: Id,
  restored: z.array(z.string()),
  skippedAlignments: z.number(),
});

export const ScimTokenShape = z.strictObject({
  id: Id,
  name: z.string(),
  createdAt: Instant,
  lastUsedAt: Instant.nullable(),
});

export const SsoConfigShape = z.strictObject({
  enabled: z.boolean(),
  issuer: z.string(),
  clientId: z.string(),
  hasClientSecret: z.boolean().describe("whether a client secret is stored (the secret itself is never answered)"),
  allowedDomains: z.array(z.string()),
  defaultRole: z.enum(["member", "observer"]),
  redirectUri: z.string().describe("register this at the provider as the redirect URI"),
  version: z.number().int().describe("0 until the settings are first saved"),
  updatedAt: Instant.nullable(),
});

const ImportCountsShape = z.strictObject({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int().describe("named in a file and already as it says"),
});

export const PeopleImportSummaryShape = z.strictObject({
  dryRun: z.boolean(),
  people: ImportCountsShape,
  teams: ImportCountsShape,
  problems: z
    .array(z.string())
    .describe('rows applied only in part, as "users.csv line N: message"; rows that cannot be applied answer 400'),
});

/** What a browser sign-in answers (password, emailed link, printed link); the cookie carries the session. */
export const SignedInShape = z.strictObject({
  user: z.strictObject({ id: Id, name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  organizationId: Id,
  csrfToken: z.string(),
  expiresAt: Instant,
});

export const PasswordResetRequestedShape = z.strictObject({
  accepted: z.literal(true),
  canEmail: z.boolean().describe("false when the server has no mail configured: ask an admin for a link"),
});

/** `GET /openapi.json`: this API's OpenAPI 3.1 document (generated from the shapes above). */
export const OpenApiDocumentShape = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
