/**
 * The /api/v1 route table: each route names its input and output shapes (for OpenAPI)
 * and calls one service function.
 */
import { z } from "zod";
import * as alignments from "../services/alignment.service.js";
import * as checkIns from "../services/check-in.service.js";
import type { Actor, Services } from "../services/context.js";
import * as initiatives from "../services/initiative.service.js";
import * as lifecycle from "../services/lifecycle.service.js";
import { getMe } from "../services/me.service.js";
import * as okr from "../services/okr.service.js";
import { createOrganization, OrganizationCreateSchema } from "../services/organization.service.js";
import * as people from "../services/people.service.js";
import * as periods from "../services/period.service.js";
import * as S from "../services/schemas.js";
import * as tokens from "../services/token.service.js";
import * as views from "../services/view.service.js";
import * as shape from "./api-shapes.js";

export interface RouteContext {
  svc: Services;
  actor: Actor;
  id: string;
  body: unknown;
  query: unknown;
  ifMatch: number | undefined;
}

export interface RouteDef {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  tag: string;
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response: z.ZodType | null;
  status?: 200 | 201 | 204;
  handler: (c: RouteContext) => Promise<unknown>;
}

const page = shape.pageOf;
const AsOf = S.AsOfQuerySchema;
const Page = S.PageQuerySchema;

/** CRUD routes of one resource, spelled out so each one reads as its contract. */
export const apiRoutes: RouteDef[] = [
  {
    method: "GET",
    url: "/me",
    tag: "users",
    summary: "The caller's user, role and organisation",
    response: z.object({
      user: shape.UserShape,
      role: z.string(),
      access: z.enum(["read", "write"]),
      organization: z.object({ id: z.string(), name: z.string() }),
    }),
    handler: (c) => getMe(c.svc, c.actor),
  },

  {
    method: "POST",
    url: "/organizations",
    tag: "organizations",
    summary: "Create another, fully isolated organisation with its owner (instance administrators)",
    body: OrganizationCreateSchema,
    response: z.object({
      organization: z.object({ id: z.string(), name: z.string() }),
      owner: z.object({ id: z.string(), email: z.string() }),
      ownerToken: z.string(),
    }),
    status: 201,
    handler: (c) => createOrganization(c.svc, c.actor, c.body),
  },

  // personal API tokens
  {
    method: "GET",
    url: "/tokens",
    tag: "tokens",
    summary: "My API tokens (never the secrets)",
    response: shape.pageOf(shape.TokenShape),
    handler: (c) => tokens.listTokens(c.svc, c.actor),
  },
  {
    method: "POST",
    url: "/tokens",
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
    tag: "tokens",
    summary: "Revoke an API token",
    response: null,
    status: 204,
    handler: (c) => tokens.revokeToken(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/users/:id/tokens",
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
    tag: "periods",
    summary: "List periods",
    query: Page,
    response: page(shape.PeriodShape),
    handler: (c) => periods.listPeriods(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/periods",
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
    tag: "periods",
    summary: "Get a period",
    response: shape.PeriodShape,
    handler: (c) => periods.getPeriod(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/periods/:id",
    tag: "periods",
    summary: "Change a period",
    body: S.PeriodUpdateSchema,
    response: shape.PeriodShape,
    handler: (c) => periods.updatePeriod(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/periods/:id",
    tag: "periods",
    summary: "Delete an empty period",
    response: null,
    status: 204,
    handler: (c) => periods.deletePeriod(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/periods/:id/close",
    tag: "lifecycle",
    summary: "Close every OKR of a period and report",
    body: S.ClosePeriodSchema,
    response: shape.PeriodCloseShape,
    handler: (c) => lifecycle.closePeriod(c.svc, c.actor, c.id, c.body),
  },

  // teams and people
  {
    method: "GET",
    url: "/teams",
    tag: "teams",
    summary: "List teams",
    query: Page,
    response: page(shape.TeamShape),
    handler: (c) => people.listTeams(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/teams",
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
    tag: "teams",
    summary: "Get a team",
    response: shape.TeamShape,
    handler: (c) => people.getTeam(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/teams/:id",
    tag: "teams",
    summary: "Change a team",
    body: S.TeamUpdateSchema,
    response: shape.TeamShape,
    handler: (c) => people.updateTeam(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/teams/:id",
    tag: "teams",
    summary: "Delete a team no objective uses",
    response: null,
    status: 204,
    handler: (c) => people.deleteTeam(c.svc, c.actor, c.id),
  },
  {
    method: "GET",
    url: "/users",
    tag: "users",
    summary: "List people",
    query: Page,
    response: page(shape.UserShape),
    handler: (c) => people.listUsers(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/users",
    tag: "users",
    summary: "Add a person",
    body: S.UserCreateSchema,
    response: shape.UserShape,
    status: 201,
    handler: (c) => people.createUser(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/users/:id",
    tag: "users",
    summary: "Get a person",
    response: shape.UserShape,
    handler: (c) => people.getUser(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/users/:id",
    tag: "users",
    summary: "Change a person",
    body: S.UserUpdateSchema,
    response: shape.UserShape,
    handler: (c) => people.updateUser(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/users/:id",
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
    tag: "objectives",
    summary: "List objectives (filterable)",
    query: z
      .object({
        periodId: z.string(),
        teamId: z.string(),
        ownerId: z.string(),
        level: z.string(),
        status: z.string(),
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
    method: "POST",
    url: "/objectives",
    tag: "objectives",
    summary: "Create an objective",
    body: S.ObjectiveCreateSchema,
    response: shape.ObjectiveShape,
    status: 201,
    handler: (c) => okr.createObjective(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/objectives/:id",
    tag: "objectives",
    summary: "Get an objective with its key results",
    query: AsOf,
    response: shape.ObjectiveShape,
    handler: (c) => okr.getObjective(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "PATCH",
    url: "/objectives/:id",
    tag: "objectives",
    summary: "Change an objective",
    body: S.ObjectiveUpdateSchema,
    response: shape.ObjectiveShape,
    handler: (c) => okr.updateObjective(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/objectives/:id",
    tag: "objectives",
    summary: "Delete an objective with its key results",
    response: null,
    status: 204,
    handler: (c) => okr.deleteObjective(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/objectives/:id/close",
    tag: "lifecycle",
    summary: "Close and score an objective",
    body: S.CloseObjectiveSchema,
    response: shape.ObjectiveShape,
    handler: (c) => lifecycle.closeObjective(c.svc, c.actor, c.id, c.body),
  },
  {
    method: "POST",
    url: "/objectives/:id/reopen",
    tag: "lifecycle",
    summary: "Reopen a closed objective",
    response: shape.ObjectiveShape,
    handler: (c) => lifecycle.reopenObjective(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/objectives/:id/postpone",
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
    tag: "key results",
    summary: "List an objective's key results",
    query: AsOf,
    response: page(shape.KeyResultShape),
    handler: (c) => okr.listKeyResults(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "POST",
    url: "/objectives/:id/key-results",
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
    tag: "key results",
    summary: "Get a key result",
    query: AsOf,
    response: shape.KeyResultShape,
    handler: (c) => okr.getKeyResult(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "PATCH",
    url: "/key-results/:id",
    tag: "key results",
    summary: "Change a key result",
    body: S.KeyResultUpdateSchema,
    response: shape.KeyResultShape,
    handler: (c) => okr.updateKeyResult(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/key-results/:id",
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
    tag: "alignments",
    summary: "List alignments",
    query: Page.extend({ childId: z.string().optional(), parentId: z.string().optional() }),
    response: page(shape.AlignmentShape),
    handler: (c) => alignments.listAlignments(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/alignments",
    tag: "alignments",
    summary: "Align a child under a parent",
    description: "A link that would close a loop answers 409 ALIGNMENT_CYCLE.",
    body: S.AlignmentCreateSchema,
    response: shape.AlignmentShape,
    status: 201,
    handler: (c) => alignments.createAlignment(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/alignments/:id",
    tag: "alignments",
    summary: "Get an alignment",
    response: shape.AlignmentShape,
    handler: (c) => alignments.getAlignment(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/alignments/:id",
    tag: "alignments",
    summary: "Change an alignment's weight or contribution",
    body: S.AlignmentUpdateSchema,
    response: shape.AlignmentShape,
    handler: (c) => alignments.updateAlignment(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/alignments/:id",
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
    tag: "check-ins",
    summary: "A key result's check-ins, newest first",
    query: Page.extend({ asOf: z.string().optional() }),
    response: page(shape.CheckInShape),
    handler: (c) => checkIns.listCheckIns(c.svc, c.actor, c.id, c.query),
  },
  {
    method: "POST",
    url: "/key-results/:id/check-ins",
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
    tag: "check-ins",
    summary: "Correct a check-in (the earlier version is kept)",
    body: S.CheckInUpdateSchema,
    response: shape.CheckInShape,
    handler: (c) => checkIns.updateCheckIn(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/check-ins/:id",
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
    tag: "initiatives",
    summary: "List initiatives",
    query: Page.extend({ objectiveId: z.string().optional(), keyResultId: z.string().optional() }),
    response: page(shape.InitiativeShape),
    handler: (c) => initiatives.listInitiatives(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/initiatives",
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
    tag: "initiatives",
    summary: "Get an initiative",
    response: shape.InitiativeShape,
    handler: (c) => initiatives.getInitiative(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/initiatives/:id",
    tag: "initiatives",
    summary: "Change an initiative",
    body: S.InitiativeUpdateSchema,
    response: shape.InitiativeShape,
    handler: (c) => initiatives.updateInitiative(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/initiatives/:id",
    tag: "initiatives",
    summary: "Delete an initiative",
    response: null,
    status: 204,
    handler: (c) => initiatives.deleteInitiative(c.svc, c.actor, c.id),
  },
  {
    method: "GET",
    url: "/kpis",
    tag: "KPIs",
    summary: "List KPIs",
    query: Page,
    response: page(shape.KpiShape),
    handler: (c) => initiatives.listKpis(c.svc, c.actor, c.query),
  },
  {
    method: "POST",
    url: "/kpis",
    tag: "KPIs",
    summary: "Create a KPI",
    body: S.KpiCreateSchema,
    response: shape.KpiShape,
    status: 201,
    handler: (c) => initiatives.createKpi(c.svc, c.actor, c.body),
  },
  {
    method: "GET",
    url: "/kpis/:id",
    tag: "KPIs",
    summary: "Get a KPI with its values",
    response: shape.KpiShape.extend({ values: z.array(shape.KpiValueShape) }),
    handler: (c) => initiatives.getKpi(c.svc, c.actor, c.id),
  },
  {
    method: "PATCH",
    url: "/kpis/:id",
    tag: "KPIs",
    summary: "Change a KPI",
    body: S.KpiUpdateSchema,
    response: shape.KpiShape,
    handler: (c) => initiatives.updateKpi(c.svc, c.actor, c.id, c.body, c.ifMatch),
  },
  {
    method: "DELETE",
    url: "/kpis/:id",
    tag: "KPIs",
    summary: "Delete a KPI",
    response: null,
    status: 204,
    handler: (c) => initiatives.deleteKpi(c.svc, c.actor, c.id),
  },
  {
    method: "POST",
    url: "/kpis/:id/values",
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
    tag: "views",
    summary: "The alignment tree of a period",
    query: z.object({ periodId: z.string(), asOf: z.string().optional() }),
    response: shape.TreeShape,
    handler: (c) => views.getTree(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/coach",
    tag: "views",
    summary: "The coach's findings for a period",
    query: z.object({ periodId: z.string(), asOf: z.string().optional() }),
    response: page(shape.FindingShape),
    handler: (c) => views.getCoach(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/audit",
    tag: "audit",
    summary: "The audit trail",
    query: z.object({ objectType: z.string(), objectId: z.string(), limit: z.number(), cursor: z.string() }).partial(),
    response: page(z.record(z.string(), z.unknown())),
    handler: (c) => views.listAudit(c.svc, c.actor, c.query),
  },
  {
    method: "GET",
    url: "/settings",
    tag: "settings",
    summary: "The organisation's settings",
    response: z.record(z.string(), z.unknown()),
    handler: (c) => views.getSettings(c.svc, c.actor),
  },
  {
    method: "PATCH",
    url: "/settings",
    tag: "settings",
    summary: "Change the organisation's settings",
    body: S.SettingsUpdateSchema,
    response: z.record(z.string(), z.unknown()),
    handler: (c) => views.updateSettings(c.svc, c.actor, c.body),
  },
];
