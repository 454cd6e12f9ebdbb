/**
 * The database schema, shared by the embedded PGlite and the PostgreSQL server.
 * Every table carries `org_id`; every repository query filters by it.
 * Values of key results, check-ins and KPIs are `numeric` (exact decimals); progress
 * fractions are derived figures and kept as double precision.
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const id = () => uuid("id").primaryKey().defaultRandom();
const orgId = () => uuid("org_id").notNull();
const version = () => integer("version").notNull().default(1);
const createdAt = () => ts("created_at").notNull().defaultNow();
const updatedAt = () => ts("updated_at").notNull().defaultNow();
const ownerIds = () => uuid("owner_ids").array().notNull().default(sql`'{}'::uuid[]`);

export const organizations = pgTable("organizations", {
  id: id(),
  name: text("name").notNull(),
  settings: jsonb("settings").notNull().default({}),
  /** Set when a change of settings asked for every stored figure to be recomputed in the background; cleared when done. */
  recomputeRequestedAt: ts("recompute_requested_at"),
  version: version(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  "users",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    managerId: uuid("manager_id"),
    role: text("role").notNull().default("member"),
    active: boolean("active").notNull().default(true),
    isInstanceAdmin: boolean("is_instance_admin").notNull().default(false),
    /** argon2id hash (PHC string); null until the person sets a password (or signs in only by SSO). */
    passwordHash: text("password_hash"),
    /**
     * Who else could have chosen the password: the issuer of the invitation or reset link it was
     * set with (a reset link's issuer is whoever set the email it went to); null when only the
     * person could have. A promotion above this person's rank clears the password.
     */
    passwordSetBy: uuid("password_set_by"),
    /** Who set the email (so receives its reset links) when not the person, an identity provider or SCIM. */
    emailSetBy: uuid("email_set_by"),
    /** Consecutive failed password sign-ins; reset by a success. */
    failedLogins: integer("failed_logins").notNull().default(0),
    lockedUntil: ts("locked_until"),
    /** The identity provider's id for this person as SCIM provisioning knows it (`externalId`). */
    externalId: text("external_id"),
    /**
     * The OpenID Connect subject (`sub`) single sign-on linked this person to. Kept apart from
     * `externalId`: providers may give SCIM and OIDC different ids for one person (Entra ID).
     */
    ssoSubject: text("sso_subject"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_org_email_uq").on(t.orgId, sql`lower(${t.email})`),
    uniqueIndex("users_org_sso_subject_uq").on(t.orgId, t.ssoSubject),
    // The passwords someone set through their links (settled when that person loses rank).
    index("users_password_set_by_idx").on(t.orgId, t.passwordSetBy).where(sql`${t.passwordSetBy} is not null`),
    // Who reports to whom (the access rules walk down from a manager).
    index("users_manager_idx").on(t.orgId, t.managerId),
    index("users_org_name_idx").on(t.orgId, t.name, t.id),
  ],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    scope: text("scope").notNull().default("write"),
    /**
     * Who issued the token, when not its own account (an admin's token for a bot account). Such a
     * token works only while its issuer is active and still outranks the account (checked on use).
     */
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_tokens_hash_uq").on(t.tokenHash),
    // What a person issued for others (live streams recheck those when the issuer changes).
    index("api_tokens_issuer_idx").on(t.orgId, t.createdBy).where(sql`${t.createdBy} is not null`),
  ],
);

export const teams = pgTable(
  "teams",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    parentId: uuid("parent_id"),
    /** The team's own check-in cadence (domain `Cadence`); null: it follows its parent's, up to the organisation's. */
    cadence: jsonb("cadence"),
    /** Incoming-webhook URLs the team's reminders summary and digest are posted to (Slack, Microsoft Teams). */
    slackWebhookUrl: text("slack_webhook_url"),
    teamsWebhookUrl: text("teams_webhook_url"),
    /** The identity provider's id for the group this team mirrors (SCIM). */
    externalId: text("external_id"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("teams_org_idx").on(t.orgId),
    index("teams_org_name_idx").on(t.orgId, t.name, t.id).where(sql`${t.deletedAt} is null`),
  ],
);

export const teamMembers = pgTable(
  "team_members",
  {
    orgId: orgId(),
    teamId: uuid("team_id").notNull(),
    userId: uuid("user_id").notNull(),
    role: text("role").notNull().default("member"),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.orgId, t.userId)],
);

export const periods = pgTable(
  "periods",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    kind: text("kind").notNull(),
    startDate: date("start_date", { mode: "string" }).notNull(),
    endDate: date("end_date", { mode: "string" }).notNull(),
    parentId: uuid("parent_id"),
    closedAt: ts("closed_at"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [index("periods_org_idx").on(t.orgId, t.startDate)],
);

export const objectives = pgTable(
  "objectives",
  {
    id: id(),
    orgId: orgId(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    level: text("level").notNull(),
    teamId: uuid("team_id"),
    periodId: uuid("period_id").notNull(),
    ownerIds: ownerIds(),
    committed: boolean("committed").notNull().default(false),
    state: text("state").notNull().default("active"),
    visibility: text("visibility").notNull().default("public"),
    progressOverride: doublePrecision("progress_override"),
    score: doublePrecision("score"),
    closing: jsonb("closing"),
    // Set when a period close closed it (the period's id), so reopening the period restores
    // exactly those; null when it is open or was closed on its own.
    closedByPeriodId: uuid("closed_by_period_id"),
    // The review workflow's step for a draft (setting `reviewWorkflow`): inReview or approved; null otherwise.
    reviewState: text("review_state"),
    /** The reference an import file gives it (Viva's "OKR reference"): importing again updates it. */
    ref: text("ref"),
    /** The objective this one continues (postponed into this period), if any. */
    continuedFrom: uuid("continued_from"),
    /** When a draft was published (null: created active): its history starts then (okr-method §3 "Drafts"). */
    publishedAt: ts("published_at"),
    // Stored roll-up, recomputed in the transaction of every write that changes an input.
    progress: doublePrecision("progress").notNull().default(0),
    firstCheckInAt: ts("first_check_in_at"),
    lastCheckInAt: ts("last_check_in_at"),
    forecast: jsonb("forecast"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("objectives_org_period_idx").on(t.orgId, t.periodId),
    // The list's keyset order within a period (db/list-queries.ts: OBJECTIVE_LEVEL_RANK must match).
    index("objectives_list_idx")
      .on(
        t.orgId,
        t.periodId,
        sql`(case ${t.level} when 'organization' then 0 when 'team' then 1 when 'individual' then 2 else -1 end)`,
        t.createdAt,
        t.title,
        t.id,
      )
      .where(sql`${t.deletedAt} is null`),
    // A period's objectives by title (the list's `sort=title`). Progress has no such index on
    // purpose: it changes with every check-in, and an index on it would cost each one its HOT update.
    index("objectives_title_idx").on(t.orgId, t.periodId, t.title, t.id).where(sql`${t.deletedAt} is null`),
    // A period's objectives in creation order: the coach's walk (`GET /coach?limit=`) and its titles.
    index("objectives_continued_idx").on(t.orgId, t.continuedFrom).where(sql`${t.continuedFrom} is not null`),
    index("objectives_created_idx").on(t.orgId, t.periodId, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
    // A team's objectives (lists and trees by teamId), without reading the period's.
    index("objectives_team_idx").on(t.orgId, t.teamId, t.periodId).where(sql`${t.deletedAt} is null`),
    // One person's objectives (ownerId filters, written `owner_ids @> array[id]`).
    index("objectives_owners_idx").using("gin", t.ownerIds).where(sql`${t.deletedAt} is null`),
    // The few private objectives every non-admin read checks.
    index("objectives_private_idx").on(t.orgId).where(sql`${t.visibility} = 'private' and ${t.deletedAt} is null`),
    uniqueIndex("objectives_ref_uq").on(t.orgId, t.ref).where(sql`${t.ref} is not null`),
  ],
);

/**
 * The keys of each objective's title (`domain/title-index.ts`: its word set, its 4-character
 * segments, its words when it has many), per period, in creation order: what the coach's
 * `duplicate` looks up to find an objective's near-identical earlier twin without reading the
 * period's titles.
 * Derived from `objectives` (never backed up): a trigger queues every insert, title, period or
 * creation-time change in `objective_title_pending`, and a read drains the queue first
 * (`db/title-token-queries.ts`); `okra recompute` rebuilds it.
 */
export const objectiveTitleTokens = pgTable(
  "objective_title_tokens",
  {
    orgId: orgId(),
    periodId: uuid("period_id").notNull(),
    token: text("token").notNull(),
    createdAt: ts("created_at").notNull(),
    objectiveId: uuid("objective_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.periodId, t.token, t.createdAt, t.objectiveId] }),
    index("objective_title_tokens_objective_idx").on(t.orgId, t.objectiveId),
  ],
);

/**
 * Objectives whose title keys are to be (re)written: filled by triggers on `objectives` (migration
 * 0019), one row per change. Never merged with a row already queued: a drain that took that one
 * may have read the title before the change committed.
 */
export const objectiveTitlePending = pgTable(
  "objective_title_pending",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: orgId(),
    objectiveId: uuid("objective_id").notNull(),
  },
  (t) => [
    index("objective_title_pending_org_idx").on(t.orgId, t.id),
    index("objective_title_pending_objective_idx").on(t.orgId, t.objectiveId),
  ],
);

export const keyResults = pgTable(
  "key_results",
  {
    id: id(),
    orgId: orgId(),
    objectiveId: uuid("objective_id").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    ownerIds: ownerIds(),
    /** People who may check in on the owners' behalf. */
    delegateIds: uuid("delegate_ids").array().notNull().default(sql`'{}'::uuid[]`),
    type: text("type").notNull(),
    unit: text("unit").notNull().default("number"),
    currency: text("currency"),
    start: numeric("start"),
    target: numeric("target"),
    baselineConfirmed: boolean("baseline_confirmed").notNull().default(true),
    startDate: date("start_date", { mode: "string" }),
    endDate: date("end_date", { mode: "string" }),
    plan: jsonb("plan"),
    progressMode: text("progress_mode").notNull().default("manual"),
    rollup: text("rollup").notNull().default("mean"),
    progressOverride: doublePrecision("progress_override"),
    weight: numeric("weight").notNull().default("1"),
    position: integer("position").notNull().default(0),
    closed: boolean("closed").notNull().default(false),
    score: doublePrecision("score"),
    scoreReason: text("score_reason"),
    // Derived from check-ins and the roll-up; recomputed on every write that changes an input.
    latestValue: numeric("latest_value"),
    achieved: boolean("achieved"),
    current: numeric("current"),
    manualStatus: text("manual_status"),
    progress: doublePrecision("progress"),
    firstCheckInAt: ts("first_check_in_at"),
    lastCheckInAt: ts("last_check_in_at"),
    forecast: jsonb("forecast"),
    /** The reference an import file gives it: importing again updates it. */
    ref: text("ref"),
    /**
     * Where the value is read from on a schedule (a data-linked key result): `{ kind: "json",
     * url, path }` (a JSONPath) or `{ kind: "csv", url, cell }`; null when checked in by people.
     */
    source: jsonb("source"),
    /** The last sync of `source`: when, what it read, and the error when it failed. */
    sourceState: jsonb("source_state"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("key_results_org_objective_idx").on(t.orgId, t.objectiveId),
    uniqueIndex("key_results_ref_uq").on(t.orgId, t.ref).where(sql`${t.ref} is not null`),
    // The data-linked key results the sync job reads.
    index("key_results_source_idx").on(t.orgId).where(sql`${t.source} is not null and ${t.deletedAt} is null`),
    // What one person owns or stands in for (My OKRs: `involves`).
    index("key_results_owners_idx").using("gin", t.ownerIds).where(sql`${t.deletedAt} is null`),
    index("key_results_delegates_idx").using("gin", t.delegateIds).where(sql`${t.deletedAt} is null`),
  ],
);

export const initiatives = pgTable(
  "initiatives",
  {
    id: id(),
    orgId: orgId(),
    objectiveId: uuid("objective_id").notNull(),
    keyResultId: uuid("key_result_id"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    ownerIds: ownerIds(),
    state: text("state").notNull().default("planned"),
    progress: doublePrecision("progress"),
    weight: numeric("weight").notNull().default("1"),
    startDate: date("start_date", { mode: "string" }),
    endDate: date("end_date", { mode: "string" }),
    /** The reference an import file gives it: importing again updates it. */
    ref: text("ref"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("initiatives_org_objective_idx").on(t.orgId, t.objectiveId),
    uniqueIndex("initiatives_ref_uq").on(t.orgId, t.ref).where(sql`${t.ref} is not null`),
    index("initiatives_org_created_idx").on(t.orgId, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
  ],
);

export const alignments = pgTable(
  "alignments",
  {
    id: id(),
    orgId: orgId(),
    childType: text("child_type").notNull(),
    childId: uuid("child_id").notNull(),
    parentType: text("parent_type").notNull(),
    parentId: uuid("parent_id").notNull(),
    weight: numeric("weight").notNull().default("1"),
    contributes: boolean("contributes").notNull().default(true),
    /**
     * `active`, or `pending`: asked for by the child's side and waiting for the parent's owners to
     * accept; a pending alignment counts in no roll-up (it does count for the loop check).
     */
    state: text("state").notNull().default("active"),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("alignments_edge_uq").on(t.orgId, t.childType, t.childId, t.parentType, t.parentId),
    index("alignments_parent_idx").on(t.orgId, t.parentType, t.parentId),
    index("alignments_org_created_idx").on(t.orgId, t.createdAt, t.id),
  ],
);

export const checkIns = pgTable(
  "check_ins",
  {
    id: id(),
    orgId: orgId(),
    keyResultId: uuid("key_result_id").notNull(),
    value: numeric("value"),
    achieved: boolean("achieved"),
    status: text("status"),
    confidence: smallint("confidence"),
    note: text("note").notNull().default(""),
    authorId: uuid("author_id"),
    at: ts("at").notNull(),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [index("check_ins_kr_at_idx").on(t.orgId, t.keyResultId, t.at)],
);

/** Earlier versions of check-ins: an edit or a deletion never erases what was there. */
export const checkInRevisions = pgTable(
  "check_in_revisions",
  {
    id: id(),
    orgId: orgId(),
    checkInId: uuid("check_in_id").notNull(),
    version: integer("version").notNull(),
    snapshot: jsonb("snapshot").notNull(),
    replacedAt: ts("replaced_at").notNull().defaultNow(),
    replacedBy: uuid("replaced_by"),
    change: text("change").notNull(),
  },
  (t) => [index("check_in_revisions_idx").on(t.orgId, t.checkInId)],
);

export const kpis = pgTable(
  "kpis",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    unit: text("unit").notNull().default("number"),
    currency: text("currency"),
    ownerIds: ownerIds(),
    teamId: uuid("team_id"),
    healthyMin: numeric("healthy_min"),
    healthyMax: numeric("healthy_max"),
    objectiveIds: uuid("objective_ids").array().notNull().default(sql`'{}'::uuid[]`),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("kpis_org_idx").on(t.orgId),
    index("kpis_org_created_idx").on(t.orgId, t.createdAt, t.id).where(sql`${t.deletedAt} is null`),
  ],
);

export const kpiValues = pgTable(
  "kpi_values",
  {
    id: id(),
    orgId: orgId(),
    kpiId: uuid("kpi_id").notNull(),
    value: numeric("value").notNull(),
    at: ts("at").notNull(),
    note: text("note").notNull().default(""),
    authorId: uuid("author_id"),
    createdAt: createdAt(),
  },
  (t) => [index("kpi_values_idx").on(t.orgId, t.kpiId, t.at)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    orgId: orgId(),
    actorId: uuid("actor_id"),
    at: ts("at").notNull().defaultNow(),
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: uuid("object_id").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
  },
  (t) => [
    index("audit_events_object_idx").on(t.orgId, t.objectType, t.objectId),
    index("audit_events_at_idx").on(t.orgId, t.at),
  ],
);

/** One-time sign-in links: the server prints one at start; exchanging it issues an API token. */
export const signInCodes = pgTable(
  "sign_in_codes",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("sign_in_codes_hash_uq").on(t.codeHash)],
);

/** Browser sessions: the cookie holds the secret, the table its hash. */
export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** The CSRF token the web app echoes in `x-csrf-token` on writes. */
    csrfToken: text("csrf_token").notNull(),
    createdAt: createdAt(),
    lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    revokedAt: ts("revoked_at"),
    userAgent: text("user_agent").notNull().default(""),
    /** How the session was opened: password, sso, link. */
    method: text("method").notNull().default("password"),
  },
  (t) => [uniqueIndex("sessions_hash_uq").on(t.tokenHash), index("sessions_user_idx").on(t.orgId, t.userId)],
);

/** One-time links sent by email: invitations and password resets. */
export const emailTokens = pgTable(
  "email_tokens",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    purpose: text("purpose").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Who had the link made (an admin's invitation); null when the person asked for it (a reset). */
    createdBy: uuid("created_by"),
    /** How many times the link was emailed (a repeated "forgot password" re-sends the same link). */
    sends: integer("sends").notNull().default(1),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("email_tokens_hash_uq").on(t.tokenHash)],
);

/**
 * Secrets of the instance, made on first need and shared by every app instance on one database
 * (the key that derives reset links, so that a repeated request re-sends the same link).
 */
export const instanceSecrets = pgTable("instance_secrets", {
  name: text("name").primaryKey(),
  secret: text("secret").notNull(),
  createdAt: createdAt(),
});

/** Bearer tokens for SCIM provisioning clients (Okta, Entra ID), one or more per organisation. */
export const scimTokens = pgTable(
  "scim_tokens",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** The owner who issued it: SCIM acts with their rank, and only while they are an active owner. */
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [uniqueIndex("scim_tokens_hash_uq").on(t.tokenHash)],
);

/** Single sign-on (OpenID Connect) configuration, one per organisation. */
export const ssoConfigs = pgTable("sso_configs", {
  orgId: uuid("org_id").primaryKey(),
  enabled: boolean("enabled").notNull().default(false),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  clientSecret: text("client_secret").notNull().default(""),
  /** Email domains whose people get an account on first sign-in (just in time). */
  allowedDomains: text("allowed_domains").array().notNull().default(sql`'{}'::text[]`),
  defaultRole: text("default_role").notNull().default("member"),
  version: version(),
  updatedAt: updatedAt(),
});

/** In-flight OIDC sign-ins: the state, nonce and PKCE verifier between redirect and callback. */
export const ssoStates = pgTable("sso_states", {
  state: text("state").primaryKey(),
  orgId: orgId(),
  codeVerifier: text("code_verifier").notNull(),
  nonce: text("nonce").notNull(),
  returnTo: text("return_to").notNull().default("/"),
  createdAt: createdAt(),
});

// ---------------------------------------------------------------------------------------------
// The rhythm (#12): notifications, preferences, reminders, comments, following, reviews, jobs.

/** The in-app notification centre: one row per person per notice. */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    /** reminder, escalation, mention, comment, change, review, digest … */
    kind: text("kind").notNull(),
    objectType: text("object_type").notNull(),
    objectId: uuid("object_id").notNull(),
    /** The objective the notice concerns: the centre shows it only while the person may see that objective. */
    objectiveId: uuid("objective_id"),
    actorId: uuid("actor_id"),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    /** Path inside the web app (`/key-results/…?checkIn=1`), made absolute with OKRA_PUBLIC_URL for email and chat. */
    link: text("link").notNull(),
    /** Lines listed under the body (a reminder's key results): `[{ text, link?, detail? }]`. */
    items: jsonb("items").notNull().default([]),
    createdAt: createdAt(),
    readAt: ts("read_at"),
    /** pending while its email waits (an outbox the delivery job drains), sending once claimed, sent, failed; null: not emailed. */
    emailState: text("email_state"),
    emailAttempts: integer("email_attempts").notNull().default(0),
    emailedAt: ts("emailed_at"),
  },
  (t) => [
    index("notifications_email_idx").on(t.orgId, t.createdAt).where(sql`${t.emailState} = 'pending'`),
    index("notifications_user_idx").on(t.orgId, t.userId, t.createdAt, t.id),
    index("notifications_unread_idx").on(t.orgId, t.userId).where(sql`${t.readAt} is null`),
  ],
);

/** How a person wants to be reached; a person without a row has the defaults. */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    /** email (and the app) or inApp (the app only). */
    channel: text("channel").notNull().default("email"),
    /** ISO weekdays (1 = Monday … 7 = Sunday) on which no reminder or digest is sent. */
    quietDays: smallint("quiet_days").array().notNull().default(sql`'{}'::smallint[]`),
    digest: boolean("digest").notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] })],
);

/** Reminders sent: one per key result and due date, so a rerun (or a second instance) never sends one twice. */
export const reminders = pgTable(
  "reminders",
  {
    id: id(),
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    keyResultId: uuid("key_result_id").notNull(),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    /** Where it went: email or inApp. */
    channel: text("channel").notNull(),
    createdAt: createdAt(),
    /** The manager told after too many missed reminders in a row, and when. */
    escalatedTo: uuid("escalated_to"),
    escalatedAt: ts("escalated_at"),
  },
  (t) => [
    uniqueIndex("reminders_kr_due_uq").on(t.orgId, t.keyResultId, t.dueDate),
    index("reminders_user_idx").on(t.orgId, t.userId, t.createdAt),
  ],
);

/** Deliveries made at most once per key: a person's weekly digest, a team's chat post for a due date. */
export const deliveries = pgTable(
  "deliveries",
  {
    orgId: orgId(),
    key: text("key").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.key] })],
);

/** Comments on objectives, key results and check-ins. */
export const comments = pgTable(
  "comments",
  {
    id: id(),
    orgId: orgId(),
    /** objective, keyResult or checkIn. */
    objectType: text("object_type").notNull(),
    objectId: uuid("object_id").notNull(),
    /** The objective whose visibility the comment follows. */
    objectiveId: uuid("objective_id").notNull(),
    authorId: uuid("author_id").notNull(),
    body: text("body").notNull(),
    mentionIds: uuid("mention_ids").array().notNull().default(sql`'{}'::uuid[]`),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    editedAt: ts("edited_at"),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    index("comments_object_idx").on(t.orgId, t.objectType, t.objectId, t.createdAt),
    index("comments_objective_idx").on(t.orgId, t.objectiveId),
  ],
);

export const commentReactions = pgTable(
  "comment_reactions",
  {
    orgId: orgId(),
    commentId: uuid("comment_id").notNull(),
    userId: uuid("user_id").notNull(),
    emoji: text("emoji").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.commentId, t.userId, t.emoji] })],
);

/**
 * Who follows an objective. Owners and commenters follow without a row; a row with
 * `following = false` is someone who stopped following.
 */
export const follows = pgTable(
  "follows",
  {
    orgId: orgId(),
    userId: uuid("user_id").notNull(),
    objectiveId: uuid("objective_id").notNull(),
    following: boolean("following").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId, t.objectiveId] }),
    index("follows_objective_idx").on(t.orgId, t.objectiveId),
  ],
);

/** The review workflow's steps for an objective: submitted, approved, sentBack, activated. */
export const reviewSteps = pgTable(
  "review_steps",
  {
    id: id(),
    orgId: orgId(),
    objectiveId: uuid("objective_id").notNull(),
    step: text("step").notNull(),
    actorId: uuid("actor_id"),
    comment: text("comment").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [index("review_steps_objective_idx").on(t.orgId, t.objectiveId, t.createdAt)],
);

/** What each run of a background job did, per organisation: the jobs screen and `POST /jobs/{name}/run`. */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: id(),
    orgId: orgId(),
    name: text("name").notNull(),
    /** schedule (the job library) or manual (an admin, the CLI). */
    trigger: text("trigger").notNull(),
    startedAt: ts("started_at").notNull().defaultNow(),
    finishedAt: ts("finished_at"),
    ok: boolean("ok"),
    summary: jsonb("summary"),
    error: text("error"),
  },
  (t) => [index("job_runs_org_name_idx").on(t.orgId, t.name, t.startedAt)],
);

/**
 * A key result's own check-in tokens (#13, push): a script or CI job posts new values with one
 * without a personal token. Only the hash is kept; revoking keeps the row for the audit trail.
 */
export const keyResultTokens = pgTable(
  "key_result_tokens",
  {
    id: id(),
    orgId: orgId(),
    keyResultId: uuid("key_result_id").notNull(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
  },
  (t) => [
    uniqueIndex("key_result_tokens_hash_uq").on(t.tokenHash),
    index("key_result_tokens_kr_idx").on(t.orgId, t.keyResultId),
  ],
);

/** Outbound webhook subscriptions (#13): events posted, HMAC-signed, to a subscriber's URL. */
export const webhooks = pgTable(
  "webhooks",
  {
    id: id(),
    orgId: orgId(),
    url: text("url").notNull(),
    /** The HMAC-SHA256 signing secret (shown once when created). */
    secret: text("secret").notNull(),
    /** Event names: checkIn.created, status.changed, objective.closed, comment.created… */
    events: text("events").array().notNull(),
    description: text("description").notNull().default(""),
    active: boolean("active").notNull().default(true),
    /** Whose sight limits what it carries: a delivery never holds what this person could not see. */
    createdBy: uuid("created_by").notNull(),
    version: version(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: ts("deleted_at"),
  },
  (t) => [index("webhooks_org_idx").on(t.orgId).where(sql`${t.deletedAt} is null`)],
);

/** Each delivery of an event to a webhook, its attempts and the answer: the delivery log and replay. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    orgId: orgId(),
    webhookId: uuid("webhook_id").notNull(),
    event: text("event").notNull(),
    payload: jsonb("payload").notNull(),
    /** pending, sending, sent or failed. */
    state: text("state").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    responseStatus: integer("response_status"),
    error: text("error"),
    /** A replay names the delivery it repeats. */
    replayOf: uuid("replay_of"),
    createdAt: createdAt(),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    deliveredAt: ts("delivered_at"),
  },
  (t) => [
    index("webhook_deliveries_log_idx").on(t.orgId, t.webhookId, t.createdAt),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.state} in ('pending', 'sending')`),
  ],
);
