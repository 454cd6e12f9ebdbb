/**
 * What the alignment map's team clusters read: a page of teams under one parent (or the
 * top-level ones), how many sub-teams each has, and the objectives each holds in a period.
 * Every query reads only the teams of the page and their rows.
 */
import { and, asc, count, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { AlignmentRow, ObjectiveRow } from "./repositories.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

export type TeamRow = typeof s.teams.$inferSelect;

export const mapQueries = {
  /**
   * The next `limit` live teams by name, then id, after `after`: those whose parent is
   * `parentId` (top-level teams when null), or only those with these `ids`.
   */
  async teamsUnder(
    ex: Executor,
    scope: OrgScope,
    where: { parentId: string | null } | { ids: readonly string[] },
    after: { name: string; id: string } | null,
    limit: number,
  ): Promise<TeamRow[]> {
    const t = s.teams;
    let filter: ReturnType<typeof eq> | undefined;
    if ("ids" in where) {
      const ids = where.ids.filter(isId);
      if (!ids.length) return [];
      filter = inArray(t.id, ids);
    } else if (where.parentId === null) {
      // At the top: no parent, or a parent that is gone (as the team list and the dashboard show them).
      filter = or(
        isNull(t.parentId),
        sql`${t.parentId} not in (select id from teams where org_id = ${scope.orgId} and deleted_at is null)`,
      );
    } else {
      if (!isId(where.parentId)) return [];
      filter = eq(t.parentId, where.parentId);
    }
    return ex
      .select()
      .from(t)
      .where(
        and(
          eq(t.orgId, scope.orgId),
          isNull(t.deletedAt),
          filter,
          after ? sql`(${t.name}, ${t.id}) > (${after.name}::text, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(asc(t.name), asc(t.id))
      .limit(limit);
  },

  /** How many live sub-teams each of these teams has (teams with none are left out). */
  async subTeamCounts(ex: Executor, scope: OrgScope, teamIds: readonly string[]): Promise<Map<string, number>> {
    const ids = teamIds.filter(isId);
    if (!ids.length) return new Map();
    const t = s.teams;
    const rows = await ex
      .select({ parentId: t.parentId, n: count() })
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), isNull(t.deletedAt), inArray(t.parentId, ids)))
      .groupBy(t.parentId);
    return new Map(rows.map((r) => [r.parentId as string, Number(r.n)]));
  },

  /** The live, published (not draft) objectives of these teams in these periods. */
  async objectivesOfTeams(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
    teamIds: readonly string[],
  ): Promise<ObjectiveRow[]> {
    const periods = periodIds.filter(isId);
    const teams = teamIds.filter(isId);
    if (!periods.length || !teams.length) return [];
    const o = s.objectives;
    return ex
      .select()
      .from(o)
      .where(
        and(
          eq(o.orgId, scope.orgId),
          isNull(o.deletedAt),
          inArray(o.teamId, teams),
          inArray(o.periodId, periods),
          ne(o.state, "draft"),
        ),
      );
  },

  /** The live objectives of one level in these periods (the organisation's own, for the map's first view). */
  async objectivesAtLevel(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
    level: "organization",
  ): Promise<ObjectiveRow[]> {
    const periods = periodIds.filter(isId);
    if (!periods.length) return [];
    const o = s.objectives;
    return ex
      .select()
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), isNull(o.deletedAt), inArray(o.periodId, periods), eq(o.level, level)));
  },

  /** The alignments whose both ends are among these nodes (the links inside one level). */
  async alignmentsAmong(
    ex: Executor,
    scope: OrgScope,
    nodes: { objective: readonly string[]; keyResult: readonly string[] },
  ): Promise<AlignmentRow[]> {
    const a = s.alignments;
    const ends = (typeCol: PgColumn, idCol: PgColumn) => {
      const parts = (["objective", "keyResult"] as const)
        .map((type) => ({ type, ids: nodes[type].filter(isId) }))
        .filter((p) => p.ids.length > 0)
        .map((p) => and(eq(typeCol, p.type), inArray(idCol, p.ids)));
      return parts.length ? or(...parts) : undefined;
    };
    const child = ends(a.childType, a.childId);
    const parent = ends(a.parentType, a.parentId);
    if (!child || !parent) return [];
    return ex
      .select()
      .from(a)
      .where(and(eq(a.orgId, scope.orgId), child, parent));
  },
};
