/**
 * The /api/v1 route table: each route names its input shapes and its answer's shape (from
 * src/contract: documented in OpenAPI, checked on every answer) and calls one service function.
 */
import { z } from "zod";
import * as shape from "../contract/index.js";
import type { Permission } from "../domain/access.js";
import * as accounts from "../services/account.service.js";
import * as alignments from "../services/alignment.service.js";
import * as alignmentPreview from "../services/alignment-preview.service.js";
import * as audit from "../services/audit.service.js";
import { getProgressBreakdown } from "../services/breakdown.service.js";
import * as chatTest from "../services/chat-test.service.js";
import * as checkIns from "../services/check-in.service.js";
import type { Actor, Services } from "../services/context.js";
import { getDashboard } from "../services/dashboard.service.js";
import * as initiatives from "../services/initiative.service.js";
import * as lifecycle from "../services/lifecycle.service.js";
import { listTeamClusters } from "../services/map.service.js";
import { getMe } from "../services/me.service.js";
import * as okr from "../services/okr.service.js";
import { createOrganization, OrganizationCreateSchema } from "../services/organization.service.js";
import * as people from "../services/people.service.js";
import * as periods from "../services/period.service.js";
import * as periodClose from "../services/period-close.service.js";
import * as S from "../services/schemas.js";
import * as tokens from "../services/token.service.js";
import * as trash from "../services/trash.service.js";
import * as views from "../services/view.service.js";
import { commentRoutes } from "./routes-comments.js";
import { dataLinkRoutes } from "./routes-data-link.js";
import { importRoutes } from "./routes-import.js";
import { reviewRoutes } from "./routes-review.js";
import { rhythmRoutes } from "./routes-rhythm.js";
import { scimTokenRoutes } from "./routes-scim.js";
import { webhookRoutes } from "./routes-webhooks.js";
import { ssoRoutes } from "./sso-routes.js";

export interface RouteContext {
  svc: Services;
  actor: Actor;
  id: string;
  /** Every path parameter (`id` included), decoded; absent when a test calls a handler directly. */
  params?: Record<string, string>;
  body: unknown;
  query: unknown;
  ifMatch: number | undefined;
}

/** A file a raw route answers: text (CSV, JSON) or bytes (XLSX, PPTX), and its download name. */
export interface RawFile {
  contentType: string;
  body: string | Buffer;
  filename?: string;
}

export interface RouteDef {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  tag: string;
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response: z.ZodType | null;
  /** Who may call it (enforced before the handler runs); object rules are the services'. */
  permission: Permission;
  status?: 200 | 201 | 204;
  /** The handler answers a `RawFile` to send as is (file exports). */
  raw?: boolean;
  /** The largest body this route takes, in bytes, when more than the server's 1 MiB (file imports). */
  bodyLimit?: number;
  handler: (c: RouteContext) => Promise<unknown>;
}

const page = shape.pageOf;
const { AuditEntryShape, InvitationShape } = shape;
const AsOf = S.AsOfQuerySchema;
const Page = S.PageQuerySchema;

/** CRUD routes of one resource, spelled out so each one reads as its contract. */
export const apiRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/me",
    permission: "self",
    tag: "users",
    summary: "The caller's user, role and organisation",
    response: shape.MeShape,
    handler: (c) => getMe(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/me/password",
    permission: "self",
    tag: "auth",
    summary: "Set or change my password (my other sessions end)",
    body: accounts.PasswordChangeSchema,
    response: null,
    status: 204,
    handler: (c) => accounts.changePassword(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/sessions",
    permission: "self",
    tag: "auth",
    summary: "My open browser sessions",
    response: shape.pageOf(shape.SessionShape),
    handler: (c) => accounts.listSessions(c.svc, c.actor),
  },
  {
    method: "DELETE",
    url: "/sessions/:id",
    permission: "self",
    tag: "auth",
    summary: "End one of my sessions",
    response: null,
    status: 204,
    handler: (c) => accounts.revokeSession(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/auth/sign-out-everywhere",
    permission: "self",
    tag: "auth",
    summary: "Sign out everywhere: end all my browser sessions",
    response: null,
    status: 204,
    handler: (c) => accounts.signOutEverywhere(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/users/:id/invite",
    permission: "admin",
    tag: "users",
    summary: "Email a person a (new) invitation link to choose their password",
    response: InvitationShape,
    status: 201,
    handler: (c) => accounts.inviteUser(c.svc, c.actor, c.id),
  },

  {
    method: "POST",
    url: "/organizations",
    permission: "instanceAdmin",
    tag: "organizations",
    summary: "Create another, fully isolated organisation with its owner (instance administrators)",
    body: OrganizationCreateSchema,
    response: shape.OrganizationCreatedShape,
    status: 201,
    handler: (c) => createOrganization(c.svc, c.actor, c.body),
  },

  // personal API tokens
  {
    method: "GET",
    url: "/tokens",
    permission: "self",
    tag: "tokens",
    summary: "My API tokens (never the secrets)",
    response: shape.pageOf(shape.TokenShape),
    handler: (c) => tokens.listTokens(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/tokens",
    permission: "self",
    tag: "tokens",
    summary: "Issue a personal API token (the secret is in this answer only)",
    body: S.TokenCreateSchema,
    response: shape.TokenShape.extend({ token: z.string() }),
    status: 201,
    handler: (c) => tokens.createToken(c.svc, c.actor, c.body),
  },
  {
    method: "DELETE",
    url: "/tokens/:id",
    permission: "self",
    tag: "tokens",
    summary: "Revoke an API token",
    response: null,
    status: 204,
    handler: (c) => tokens.revokeToken(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/users/:id/tokens",
    permission: "admin",
    tag: "tokens",
    summary: "Issue an API token for another account (admins)",
    body: S.TokenCreateSchema,
    response: shape.TokenShape.extend({ token: z.string() }),
    status: 201,
    handler: (c) => tokens.createToken(c.svc, c.actor, c.body, c.id),
  },

  // periods
  {
    method: "GET",
    url: "/periods",
    permission: "read",
    tag: "periods",
    summary: "List periods",
    query: Page,
    response: page(shape.PeriodShape),
    handler: (c) => periods.listPeriods(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/periods",
    permission: "admin",
    tag: "periods",
    summary: "Create a period",
    body: S.PeriodCreateSchema,
    response: shape.PeriodShape,
    status: 201,
    handler: (c) => periods.createPeriod(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/periods/:id",
    permission: "read",
    tag: "periods",
    summary: "Get a period",
    response: shape.PeriodShape,
    handler: (c) => periods.getPeriod(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/periods/:id",
    permission: "admin",
    tag: "periods",
    summary: "Change a period",
    body: S.PeriodUpdateSchema,
    response: shape.PeriodShape,
    handler: (c) => periods.updatePeriod(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/periods/:id",
    permission: "admin",
    tag: "periods",
    summary: "Delete an empty period",
    response: null,
    status: 204,
    handler: (c) => periods.deletePeriod(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/periods/years",
    permission: "admin",
    tag: "periods",
    summary: "Create a year with its four quarters",
    description: "One transaction: the year (from the first of startMonth, January by default) and Q1–Q4 nested in it.",
    body: S.PeriodYearCreateSchema,
    response: shape.PeriodYearShape,
    status: 201,
    handler: (c) => periods.createYearWithQuarters(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/periods/:id/close-preview",
    permission: "admin",
    tag: "lifecycle",
    summary: "What closing the period would close",
    description:
      "Counts of objectives and key results to close, the drafts among them, each objective's suggested score.",
    response: shape.PeriodClosePreviewShape,
    handler: (c) => periodClose.getClosePreview(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/periods/:id/close",
    permission: "admin",
    tag: "lifecycle",
    summary: "Close every OKR of a period and report",
    body: S.ClosePeriodSchema,
    response: shape.PeriodCloseShape,
    handler: (c) => periodClose.closePeriod(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "POST",
    url: "/periods/:id/reopen",
    permission: "admin",
    tag: "lifecycle",
    summary: "Reopen a closed period",
    description:
      "Restores every objective the period close closed (and their key results); objectives closed on their own stay closed.",
    response: shape.PeriodReopenShape,
    handler: (c) => periodClose.reopenPeriod(c.svc, c.actor, c.id),
  },

  // teams and people
  {
    method: "GET",
    url: "/teams",
    permission: "read",
    tag: "teams",
    summary: "List teams",
    query: S.NamedListQuerySchema,
    response: page(shape.TeamShape),
    handler: (c) => people.listTeams(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/teams",
    permission: "admin",
    tag: "teams",
    summary: "Create a team",
    body: S.TeamCreateSchema,
    response: shape.TeamShape,
    status: 201,
    handler: (c) => people.createTeam(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/teams/:id",
    permission: "read",
    tag: "teams",
    summary: "Get a team",
    response: shape.TeamShape,
    handler: (c) => people.getTeam(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/teams/:id",
    permission: "contribute",
    tag: "teams",
    summary: "Change a team",
    body: S.TeamUpdateSchema,
    response: shape.TeamShape,
    handler: (c) => people.updateTeam(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/teams/:id",
    permission: "admin",
    tag: "teams",
    summary: "Delete a team no objective uses",
    response: null,
    status: 204,
    handler: (c) => people.deleteTeam(c.svc, c.actor, c.id),
  },
  {
    method: "GET",
    url: "/users",
    permission: "read",
    tag: "users",
    summary: "List people",
    query: S.NamedListQuerySchema,
    response: page(shape.UserShape),
    handler: (c) => people.listUsers(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/users",
    permission: "admin",
    tag: "users",
    summary: "Add a person and email them an invitation (unless invite is false)",
    body: S.UserInviteSchema,
    response: shape.UserShape.extend({ invitation: InvitationShape.optional() }),
    status: 201,
    handler: (c) => people.createUser(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/users/:id",
    permission: "read",
    tag: "users",
    summary: "Get a person",
    response: shape.UserShape,
    handler: (c) => people.getUser(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/users/:id",
    permission: "self",
    tag: "users",
    summary: "Change a person",
    body: S.UserUpdateSchema,
    response: shape.UserShape,
    handler: (c) => people.updateUser(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/users/:id",
    permission: "admin",
    tag: "users",
    summary: "Deactivate a person",
    response: null,
    status: 204,
    handler: (c) => people.deleteUser(c.svc, c.actor, c.id),
  },

  // objectives and key results
  {
    method: "GET",
    url: "/objectives",
    permission: "read",
    tag: "objectives",
    summary: "List objectives (filterable)",
    query: z
      .object({
        periodId: z.string(),
        teamId: z.string(),
        ownerId: z.string(),
        involves: z
          .string()
          .describe("a person: objectives they own or with a key result they own or are a delegate of"),
        level: z.string(),
        status: z.string().describe("one status, or several separated by commas (onTrack,behind)"),
        progress: z.string().describe('progress in percent, "min-max", both included (e.g. "0-30")'),
        sort: z
          .string()
          .describe(
            'level (the default: level, creation, title), title, progress or status; a leading "-" for descending. Orders objectives within each period',
          ),
        state: z.string(),
        q: z.string(),
        asOf: z.string(),
        limit: z.number(),
        cursor: z.string(),
      })
      .partial(),
    response: page(shape.ObjectiveShape),
    handler: (c) => views.listObjectives(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/objectives/count",
    permission: "read",
    tag: "objectives",
    summary: "How many objectives the list gives for the same filters",
    description:
      "Takes the filters of GET /objectives (limit, cursor and sort are ignored) and answers { count }, counted in the database. With asOf, a status or progress filter is a 400: past figures are worked out per page.",
    query: z
      .object({
        periodId: z.string(),
        teamId: z.string(),
        ownerId: z.string(),
        involves: z.string(),
        level: z.string(),
        status: z.string(),
        progress: z.string(),
        state: z.string(),
        q: z.string(),
        asOf: z.string(),
      })
      .partial(),
    response: z.object({ count: z.number().int() }),
    handler: (c) => views.countObjectives(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/objectives",
    permission: "contribute",
    tag: "objectives",
    summary: "Create an objective",
    description:
      "With `keyResults` and `alignTo`, those too, in one transaction. A closed period takes no new objective (409 CLOSED): pick an open period or reopen that one.",
    body: S.ObjectiveWithPartsSchema,
    response: shape.ObjectiveShape,
    status: 201,
    handler: (c) => okr.createObjective(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/objectives/:id",
    permission: "read",
    tag: "objectives",
    summary: "Get an objective with its key results",
    query: AsOf,
    response: shape.ObjectiveShape,
    handler: (c) => okr.getObjective(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "GET",
    url: "/objectives/:id/breakdown",
    permission: "read",
    tag: "objectives",
    summary: "What makes up an objective's progress: each counted item's weight, share and contribution",
    response: shape.ProgressBreakdownShape,
    handler: (c) => getProgressBreakdown(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/objectives/:id",
    permission: "contribute",
    tag: "objectives",
    summary: "Change an objective",
    body: S.ObjectiveUpdateSchema,
    response: shape.ObjectiveShape,
    handler: (c) => okr.updateObjective(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/objectives/:id",
    permission: "contribute",
    tag: "objectives",
    summary: "Delete an objective with its key results",
    response: null,
    status: 204,
    handler: (c) => okr.deleteObjective(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/objectives/:id/close",
    permission: "contribute",
    tag: "lifecycle",
    summary: "Close and score an objective",
    body: S.CloseObjectiveSchema,
    response: shape.ObjectiveShape,
    handler: (c) => lifecycle.closeObjective(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "POST",
    url: "/objectives/:id/reopen",
    permission: "contribute",
    tag: "lifecycle",
    summary: "Reopen a closed objective",
    response: shape.ObjectiveShape,
    handler: (c) => lifecycle.reopenObjective(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/objectives/:id/postpone",
    permission: "contribute",
    tag: "lifecycle",
    summary: "Continue an objective in another period (a clone)",
    body: S.PostponeObjectiveSchema,
    response: shape.ObjectiveShape,
    status: 201,
    handler: (c) => lifecycle.postponeObjective(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "GET",
    url: "/objectives/:id/key-results",
    permission: "read",
    tag: "key results",
    summary: "List an objective's key results",
    query: AsOf,
    response: page(shape.KeyResultShape),
    handler: (c) => okr.listKeyResults(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "POST",
    url: "/objectives/:id/key-results",
    permission: "contribute",
    tag: "key results",
    summary: "Add a key result",
    body: S.KeyResultCreateSchema,
    response: shape.KeyResultShape,
    status: 201,
    handler: (c) => okr.createKeyResult(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "GET",
    url: "/key-results/:id",
    permission: "read",
    tag: "key results",
    summary: "Get a key result",
    query: AsOf,
    response: shape.KeyResultShape,
    handler: (c) => okr.getKeyResult(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "PATCH",
    url: "/key-results/:id",
    permission: "contribute",
    tag: "key results",
    summary: "Change a key result",
    body: S.KeyResultUpdateSchema,
    response: shape.KeyResultShape,
    handler: (c) => okr.updateKeyResult(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/key-results/:id",
    permission: "contribute",
    tag: "key results",
    summary: "Delete a key result",
    response: null,
    status: 204,
    handler: (c) => okr.deleteKeyResult(c.svc, c.actor, c.id),
  },

  // alignments
  {
    method: "GET",
    url: "/alignments",
    permission: "read",
    tag: "alignments",
    summary: "List alignments",
    query: Page.extend({
      childId: z.string().optional(),
      parentId: z.string().optional(),
      state: z.enum(["active", "pending"]).optional(),
    }),
    response: page(shape.AlignmentShape),
    handler: (c) => alignments.listAlignments(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/alignments",
    permission: "contribute",
    tag: "alignments",
    summary: "Align a child under a parent",
    description:
      "A link that would close a loop answers 409 ALIGNMENT_CYCLE. Counting toward a parent needs edit rights on it: " +
      'without them, a contributing alignment is created with `state: "pending"` (and `contributes: false`) until ' +
      "the parent's side accepts it (POST /alignments/{id}/approve), and a weight other than 1 is refused (403).",
    body: S.AlignmentCreateSchema,
    response: shape.AlignmentShape,
    status: 201,
    handler: (c) => alignments.createAlignment(c.svc, c.actor, c.body),
  },
  {
    method: "POST",
    url: "/alignments/preview",
    permission: "contribute",
    tag: "alignments",
    summary: "Preview an alignment change",
    description:
      "What adding (`add`, the body of POST /alignments), changing (`update`), accepting (`approve`) or removing " +
      "(`remove`) an alignment would do to the progress and status of its parent and of everything above it. " +
      "The change is rehearsed with the same checks and refusals as the real request, then rolled back: nothing is stored.",
    body: alignmentPreview.AlignmentPreviewSchema,
    response: shape.AlignmentPreviewShape,
    handler: (c) => alignmentPreview.previewAlignment(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/alignments/:id",
    permission: "read",
    tag: "alignments",
    summary: "Get an alignment",
    response: shape.AlignmentShape,
    handler: (c) => alignments.getAlignment(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/alignments/:id",
    permission: "contribute",
    tag: "alignments",
    summary: "Change an alignment's weight or contribution",
    body: S.AlignmentUpdateSchema,
    response: shape.AlignmentShape,
    handler: (c) => alignments.updateAlignment(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "POST",
    url: "/alignments/:id/approve",
    permission: "contribute",
    tag: "alignments",
    summary: "Accept a pending alignment (the parent's side)",
    description:
      "Those who may edit the parent accept a child's request to count toward it, optionally setting its weight. " +
      "403 for anyone else, 409 CONFLICT when the alignment is not pending. To decline, DELETE it.",
    body: S.AlignmentApproveSchema,
    response: shape.AlignmentShape,
    handler: (c) => alignments.approveAlignment(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/alignments/:id",
    permission: "contribute",
    tag: "alignments",
    summary: "Remove an alignment",
    response: null,
    status: 204,
    handler: (c) => alignments.deleteAlignment(c.svc, c.actor, c.id),
  },

  // check-ins
  {
    method: "GET",
    url: "/key-results/:id/check-ins",
    permission: "read",
    tag: "check-ins",
    summary: "A key result's check-ins, newest first",
    query: Page.extend({ asOf: z.string().optional() }),
    response: page(shape.CheckInShape),
    handler: (c) => checkIns.listCheckIns(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "POST",
    url: "/key-results/:id/check-ins",
    permission: "contribute",
    tag: "check-ins",
    summary: "Check in on a key result",
    body: S.CheckInCreateSchema,
    response: shape.CheckInShape,
    status: 201,
    handler: (c) => checkIns.createCheckIn(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "PATCH",
    url: "/check-ins/:id",
    permission: "contribute",
    tag: "check-ins",
    summary: "Correct a check-in (the earlier version is kept)",
    body: S.CheckInUpdateSchema,
    response: shape.CheckInShape,
    handler: (c) => checkIns.updateCheckIn(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/check-ins/:id",
    permission: "contribute",
    tag: "check-ins",
    summary: "Delete a check-in (kept in its history)",
    response: null,
    status: 204,
    handler: (c) => checkIns.deleteCheckIn(c.svc, c.actor, c.id),
  },

  // initiatives and KPIs
  {
    method: "GET",
    url: "/initiatives",
    permission: "read",
    tag: "initiatives",
    summary: "List initiatives",
    query: Page.extend({ objectiveId: z.string().optional(), keyResultId: z.string().optional() }),
    response: page(shape.InitiativeShape),
    handler: (c) => initiatives.listInitiatives(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/initiatives",
    permission: "contribute",
    tag: "initiatives",
    summary: "Create an initiative",
    body: S.InitiativeCreateSchema,
    response: shape.InitiativeShape,
    status: 201,
    handler: (c) => initiatives.createInitiative(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/initiatives/:id",
    permission: "read",
    tag: "initiatives",
    summary: "Get an initiative",
    response: shape.InitiativeShape,
    handler: (c) => initiatives.getInitiative(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/initiatives/:id",
    permission: "contribute",
    tag: "initiatives",
    summary: "Change an initiative",
    body: S.InitiativeUpdateSchema,
    response: shape.InitiativeShape,
    handler: (c) => initiatives.updateInitiative(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/initiatives/:id",
    permission: "contribute",
    tag: "initiatives",
    summary: "Delete an initiative",
    response: null,
    status: 204,
    handler: (c) => initiatives.deleteInitiative(c.svc, c.actor, c.id),
  },
  {
    method: "GET",
    url: "/kpis",
    permission: "read",
    tag: "KPIs",
    summary: "List KPIs",
    query: Page,
    response: page(shape.KpiShape),
    handler: (c) => initiatives.listKpis(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/kpis",
    permission: "contribute",
    tag: "KPIs",
    summary: "Create a KPI",
    body: S.KpiCreateSchema,
    response: shape.KpiDetailShape,
    status: 201,
    handler: (c) => initiatives.createKpi(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/kpis/:id",
    permission: "read",
    tag: "KPIs",
    summary: "Get a KPI with its values",
    response: shape.KpiDetailShape,
    handler: (c) => initiatives.getKpi(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/kpis/:id",
    permission: "contribute",
    tag: "KPIs",
    summary: "Change a KPI",
    body: S.KpiUpdateSchema,
    response: shape.KpiDetailShape,
    handler: (c) => initiatives.updateKpi(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/kpis/:id",
    permission: "contribute",
    tag: "KPIs",
    summary: "Delete a KPI",
    response: null,
    status: 204,
    handler: (c) => initiatives.deleteKpi(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/kpis/:id/values",
    permission: "contribute",
    tag: "KPIs",
    summary: "Record a KPI value",
    body: S.KpiValueCreateSchema,
    response: shape.KpiValueShape,
    status: 201,
    handler: (c) => initiatives.addKpiValue(c.svc, c.actor, c.id, c.body),
  },

  // views
  {
    method: "GET",
    url: "/tree",
    permission: "read",
    tag: "views",
    summary: "The alignment tree of a period; of one team (teamId) or under one objective (rootId)",
    query: z.object({
      periodId: z.string(),
      asOf: z.string().optional(),
      teamId: z.string().optional().describe("the team's objectives and what aligns under them"),
      rootId: z.string().optional().describe("one objective and what aligns under it"),
      level: z.enum(["organization"]).optional().describe("the organisation's own objectives and their key results"),
    }),
    response: shape.TreeShape,
    handler: (c) => views.getTree(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/tree/teams",
    permission: "read",
    tag: "views",
    summary: "Team clusters of the alignment map: teams by name with their objectives' count and status summary",
    query: z.object({
      periodId: z.string(),
      parentId: z.string().optional().describe("the teams under this team (default: top-level teams)"),
      ids: z.string().optional().describe("comma-separated team ids: these teams only (at most 100)"),
      limit: z.string().optional(),
      cursor: z.string().optional(),
    }),
    response: page(shape.TeamClusterShape),
    handler: (c) => listTeamClusters(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/series",
    permission: "read",
    tag: "views",
    summary: "Progress against plan over time: a point a week for a period's objectives (of a team, or all)",
    description:
      "Each point counts the objectives that existed then: an objective counts from its creation (a draft from its publication). With subTeams=true, a team's series includes the teams under it.",
    query: z.object({
      periodId: z.string(),
      teamId: z.string().optional(),
      subTeams: z.enum(["true", "false"]).optional().describe("with teamId: include the teams under it"),
    }),
    response: shape.SeriesShape,
    handler: (c) => views.getSeries(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/coach",
    permission: "read",
    tag: "views",
    summary: "The coach's findings for a period, or for one team's objectives in it (teamId)",
    description:
      "With objectiveIds (up to 200, separated by commas), only the findings of those objectives and their key results, as a run over the whole period gives them; findings about people are then left out.",
    query: z.object({
      periodId: z.string(),
      teamId: z.string().optional(),
      objectiveIds: z.string().optional(),
      asOf: z.string().optional(),
    }),
    response: page(shape.FindingShape),
    handler: (c) => views.getCoach(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/audit",
    permission: "admin",
    tag: "audit",
    summary: "The audit trail: who changed what, when, before and after (filter by object, person, action, time)",
    query: audit.AuditQuerySchema,
    response: page(AuditEntryShape),
    handler: (c) => audit.listAudit(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/audit/export",
    permission: "admin",
    tag: "audit",
    summary: "Export the (filtered) audit trail as CSV or JSON",
    query: audit.AuditExportQuerySchema,
    response: null,
    raw: true,
    handler: (c) => audit.exportAudit(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/objectives/:id/history",
    permission: "read",
    tag: "audit",
    summary:
      "The history of an objective: its own changes, its key results', check-ins', initiatives' and alignments', newest first",
    query: S.PageQuerySchema,
    response: page(AuditEntryShape),
    handler: (c) => audit.objectiveHistory(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "GET",
    url: "/trash",
    permission: "admin",
    tag: "trash",
    summary: "What was deleted in the last 30 days and can be restored",
    query: z.object({ type: z.enum(trash.TRASH_TYPES).optional() }),
    response: page(shape.TrashItemShape),
    handler: (c) => trash.listTrash(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/trash/:id/restore",
    permission: "admin",
    tag: "trash",
    summary:
      "Restore an item from the trash (an objective comes back with its key results, initiatives and alignments)",
    response: shape.TrashRestoreShape,
    handler: (c) => trash.restoreFromTrash(c.svc, c.actor, c.id),
  },
  {
    method: "GET",
    url: "/settings",
    permission: "read",
    tag: "settings",
    summary: "The organisation's settings",
    response: shape.SettingsShape,
    handler: (c) => views.getSettings(c.svc, c.actor),
  },
  {
    method: "PATCH",
    url: "/settings",
    permission: "admin",
    tag: "settings",
    summary: "Change the organisation's settings",
    body: S.SettingsUpdateSchema,
    response: shape.SettingsShape,
    handler: (c) => views.updateSettings(c.svc, c.actor, c.body),
  },
  // chat channels (Slack, Microsoft Teams): check a webhook URL
  {
    method: "POST",
    url: "/settings/chat-test",
    permission: "admin",
    tag: "settings",
    summary: "Send a test message to the organisation's Slack and Microsoft Teams channels",
    description:
      "Posts a short message to each webhook URL set in the settings and answers, per channel, whether the receiver accepted it (or what it answered). No channel set: no results.",
    response: shape.ChatTestShape,
    handler: (c) => chatTest.testOrganizationChat(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/teams/:id/chat-test",
    permission: "contribute",
    tag: "teams",
    summary: "Send a test message to where the team's chat messages go (team owners and admins)",
    description:
      "Posts a short message to the team's own Slack and Microsoft Teams channels, else its nearest ancestor's, else the organisation's, and answers per channel whether it arrived and whose URL it used.",
    response: shape.ChatTestShape,
    handler: (c) => chatTest.testTeamChat(c.svc, c.actor, c.id),
  },
  ...importRoutes,
  ...rhythmRoutes,
  ...commentRoutes,
  ...reviewRoutes,
  ...scimTokenRoutes,
  ...ssoRoutes,
  ...webhookRoutes,
  ...dataLinkRoutes,
  {
    method: "GET",
    url: "/dashboard",
    permission: "read",
    tag: "views",
    summary:
      "The manager's dashboard of a period, for the organisation or a team and the teams under it: objectives by team and status, check-in freshness, top risks, what changed since a week ago",
    query: z.object({
      periodId: z.string(),
      teamId: z.string().optional().describe("this team and every team under it"),
    }),
    response: shape.DashboardShape,
    handler: (c) => getDashboard(c.svc, c.actor, c.query),
  },
];
