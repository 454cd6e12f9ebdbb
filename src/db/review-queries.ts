/**
 * The review workflow (#12): its trail of steps, the people who decide who reviews an
 * objective, and the drafts waiting for one person's review. Every query names the organisation.
 */
import { and, asc, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { ObjectiveRow } from "./repositories.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

export type ReviewStepRow = typeof s.reviewSteps.$inferSelect;

/** A person as the reviewer rule and the review panel need them. */
export interface ReviewPersonRow {
  id: string;
  name: string;
  managerId: string | null;
  role: string;
  active: boolean;
}

const personColumns = {
  id: s.users.id,
  name: s.users.name,
  managerId: s.users.managerId,
  role: s.users.role,
  active: s.users.active,
};

/** Most admins the fallback names (an organisation has a handful). */
const ADMINS_CAP = 100;

export const reviewQueries = {
  /** These people (active or not), by id. */
  async people(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<ReviewPersonRow[]> {
    const valid = [...new Set(ids.filter(isId))];
    if (valid.length === 0) return [];
    return ex
      .select(personColumns)
      .from(s.users)
      .where(and(eq(s.users.orgId, scope.orgId), inArray(s.users.id, valid)));
  },

  /** The organisation's active owners and admins: who reviews when an objective has no named reviewer. */
  async admins(ex: Executor, scope: OrgScope): Promise<ReviewPersonRow[]> {
    return ex
      .select(personColumns)
      .from(s.users)
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.active, true), inArray(s.users.role, ["owner", "admin"])))
      .orderBy(asc(s.users.id))
      .limit(ADMINS_CAP);
  },

  /** The owners of these (live) teams, by team. */
  async teamOwners(ex: Executor, scope: OrgScope, teamIds: readonly (string | null)[]): Promise<Map<string, string[]>> {
    const valid = [...new Set(teamIds.filter((id): id is string => id !== null && isId(id)))];
    const out = new Map<string, string[]>();
    if (valid.length === 0) return out;
    const rows = await ex
      .select({ teamId: s.teamMembers.teamId, userId: s.teamMembers.userId })
      .from(s.teamMembers)
      .innerJoin(s.teams, and(eq(s.teams.id, s.teamMembers.teamId), isNull(s.teams.deletedAt)))
      .where(
        and(
          eq(s.teamMembers.orgId, scope.orgId),
          inArray(s.teamMembers.teamId, valid),
          eq(s.teamMembers.role, "owner"),
        ),
      )
      .orderBy(asc(s.teamMembers.userId));
    for (const r of rows) out.set(r.teamId, [...(out.get(r.teamId) ?? []), r.userId]);
    return out;
  },

  /** An objective's review trail, oldest first, with each actor's name. */
  async steps(
    ex: Executor,
    scope: OrgScope,
    objectiveId: string,
  ): Promise<(ReviewStepRow & { actorName: string | null })[]> {
    const r = s.reviewSteps;
    return ex
      .select({
        id: r.id,
        orgId: r.orgId,
        objectiveId: r.objectiveId,
        step: r.step,
        actorId: r.actorId,
        comment: r.comment,
        createdAt: r.createdAt,
        actorName: s.users.name,
      })
      .from(r)
      .leftJoin(s.users, and(eq(s.users.id, r.actorId), eq(s.users.orgId, scope.orgId)))
      .where(and(eq(r.orgId, scope.orgId), eq(r.objectiveId, objectiveId)))
      .orderBy(asc(r.createdAt), asc(r.id));
  },

  /** When the objective's latest step was recorded, or null. */
  async lastStepAt(ex: Executor, scope: OrgScope, objectiveId: string): Promise<Date | null> {
    const r = s.reviewSteps;
    const rows = await ex
      .select({ at: r.createdAt })
      .from(r)
      .where(and(eq(r.orgId, scope.orgId), eq(r.objectiveId, objectiveId)))
      .orderBy(desc(r.createdAt))
      .limit(1);
    return rows[0]?.at ?? null;
  },

  async insertStep(
    ex: Executor,
    scope: OrgScope,
    step: { objectiveId: string; step: string; actorId: string | null; comment: string; createdAt: Date },
  ): Promise<ReviewStepRow> {
    const rows = await ex
      .insert(s.reviewSteps)
      .values({ ...step, orgId: scope.orgId })
      .returning();
    return rows[0]!;
  },

  /** When each of these objectives was last submitted for review (objectives never submitted are absent). */
  async lastSubmitted(ex: Executor, scope: OrgScope, objectiveIds: readonly string[]): Promise<Map<string, Date>> {
    const valid = objectiveIds.filter(isId);
    if (valid.length === 0) return new Map();
    const r = s.reviewSteps;
    const rows = await ex
      .select({ objectiveId: r.objectiveId, at: sql<Date>`max(${r.createdAt})`.mapWith(r.createdAt) })
      .from(r)
      .where(and(eq(r.orgId, scope.orgId), inArray(r.objectiveId, valid), eq(r.step, "submitted")))
      .groupBy(r.objectiveId);
    return new Map(rows.map((row) => [row.objectiveId, row.at]));
  },

  /**
   * Drafts in review that `viewerId` may be asked to review: those owned by someone who reports
   * directly to them or of a team they own (the GIN index on owners and the team index find
   * them) — or, with `everyone` (an admin, who reviews what has no named reviewer), every draft
   * in review. The service then applies the reviewer rule; `limit` bounds the work.
   */
  async waitingFor(
    ex: Executor,
    scope: OrgScope,
    viewerId: string,
    everyone: boolean,
    limit: number,
  ): Promise<ObjectiveRow[]> {
    if (!isId(viewerId)) return [];
    const o = s.objectives;
    const mine = or(
      sql`${o.ownerIds} && array(select u.id from users u where u.org_id = ${scope.orgId} and u.manager_id = ${viewerId}::uuid and u.active)`,
      sql`${o.teamId} in (select m.team_id from team_members m where m.org_id = ${scope.orgId} and m.user_id = ${viewerId}::uuid and m.role = 'owner')`,
    );
    return ex
      .select()
      .from(o)
      .where(
        and(
          eq(o.orgId, scope.orgId),
          isNull(o.deletedAt),
          eq(o.state, "draft"),
          eq(o.reviewState, "inReview"),
          everyone ? undefined : mine,
        ),
      )
      .orderBy(desc(o.updatedAt), asc(o.id))
      .limit(limit);
  },
};
