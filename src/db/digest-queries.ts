/**
 * What the weekly digest reads (#12): the organisation's people a page at a time, the teams
 * each leads, one person's key results, a team's key results that may be due, and which
 * digests went out already. Every query names the organisation.
 */
import { and, asc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { KeyResultRow, ObjectiveRow } from "./repositories.js";
import { openInPeriodOf } from "./rhythm-queries.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

export const digestQueries = {
  /** Active people after the id `after`, in id order. */
  async people(ex: Executor, scope: OrgScope, after: string | null, limit: number) {
    const u = s.users;
    return ex
      .select({ id: u.id, name: u.name, email: u.email, role: u.role })
      .from(u)
      .where(and(eq(u.orgId, scope.orgId), eq(u.active, true), after ? gt(u.id, after) : undefined))
      .orderBy(asc(u.id))
      .limit(limit);
  },

  /** The teams these people own (team lead), with each team's parent. */
  async ownedTeams(ex: Executor, scope: OrgScope, userIds: readonly string[]) {
    const m = s.teamMembers;
    const t = s.teams;
    const ids = userIds.filter(isId);
    if (ids.length === 0) return [];
    return ex
      .select({ userId: m.userId, teamId: t.id, name: t.name, parentId: t.parentId })
      .from(m)
      .innerJoin(t, and(eq(t.orgId, scope.orgId), eq(t.id, m.teamId), isNull(t.deletedAt)))
      .where(and(eq(m.orgId, scope.orgId), inArray(m.userId, ids), eq(m.role, "owner")))
      .orderBy(asc(t.name), asc(t.id));
  },

  /** The keys among these already recorded as delivered. */
  async delivered(ex: Executor, scope: OrgScope, keys: readonly string[]): Promise<Set<string>> {
    const d = s.deliveries;
    if (keys.length === 0) return new Set();
    const rows = await ex
      .select({ key: d.key })
      .from(d)
      .where(and(eq(d.orgId, scope.orgId), inArray(d.key, [...keys])));
    return new Set(rows.map((r) => r.key));
  },

  /**
   * One person's open key results of published objectives in periods containing `today`: those
   * they own, and those without owners of objectives they own (the objective's owners answer
   * for them). At most `limit`, most recently checked in first.
   */
  async ownKeyResults(
    ex: Executor,
    scope: OrgScope,
    userId: string,
    today: string,
    limit: number,
  ): Promise<{ kr: KeyResultRow; objective: ObjectiveRow }[]> {
    const k = s.keyResults;
    const o = s.objectives;
    const p = s.periods;
    if (!isId(userId)) return [];
    const person = sql`array[${userId}::uuid]`;
    return ex
      .select({ kr: k, objective: o })
      .from(k)
      .innerJoin(o, and(eq(o.orgId, scope.orgId), eq(o.id, k.objectiveId)))
      .innerJoin(p, and(eq(p.orgId, scope.orgId), eq(p.id, o.periodId)))
      .where(
        and(
          openInPeriodOf(scope, today),
          or(
            sql`${k.ownerIds} @> ${person}`,
            and(sql`cardinality(${k.ownerIds}) = 0`, sql`${o.ownerIds} @> ${person}`),
          ),
        ),
      )
      .orderBy(sql`${k.lastCheckInAt} desc nulls last`, asc(k.id))
      .limit(limit);
  },
};
