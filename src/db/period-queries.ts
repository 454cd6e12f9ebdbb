/**
 * The queries of managing periods and of closing and reopening one: each reads only the
 * period asked about (its objectives through `objectives_org_period_idx`), never the organisation.
 */
import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { ObjectiveRow } from "./repositories.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

const o = s.objectives;

export const periodQueries = {
  /** How many live objectives the period holds (what refuses its deletion). */
  async objectiveCount(ex: Executor, scope: OrgScope, periodId: string): Promise<number> {
    if (!isId(periodId)) return 0;
    const rows = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), eq(o.periodId, periodId), isNull(o.deletedAt)));
    return rows[0]?.n ?? 0;
  },

  /**
   * The live objectives of the period that its period close closed (and nothing reopened since).
   * A close made before the mark existed (migration 0011), whose objectives carry no mark at all,
   * is recognised by its instant: it closed them at the very moment it recorded as the period's
   * `closed_at`.
   */
  async closedByPeriodClose(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    periodClosedAt: Date | null,
  ): Promise<ObjectiveRow[]> {
    if (!isId(periodId)) return [];
    const legacy = periodClosedAt
      ? and(
          isNull(o.closedByPeriodId),
          sql`(${o.closing}->>'closedAt')::timestamptz = ${periodClosedAt.toISOString()}::timestamptz`,
        )
      : undefined;
    const rows = await ex
      .select()
      .from(o)
      .where(
        and(
          eq(o.orgId, scope.orgId),
          eq(o.periodId, periodId),
          legacy ? or(eq(o.closedByPeriodId, periodId), legacy) : eq(o.closedByPeriodId, periodId),
          eq(o.state, "closed"),
          isNull(o.deletedAt),
        ),
      )
      .orderBy(o.createdAt, o.id);
    const marked = rows.filter((r) => r.closedByPeriodId === periodId);
    return marked.length > 0 ? marked : rows;
  },

  /** The live sub-periods of a period (quarters of a year). */
  async childNames(ex: Executor, scope: OrgScope, periodId: string): Promise<string[]> {
    if (!isId(periodId)) return [];
    const p = s.periods;
    const rows = await ex
      .select({ name: p.name })
      .from(p)
      .where(and(eq(p.orgId, scope.orgId), eq(p.parentId, periodId), isNull(p.deletedAt)))
      .orderBy(p.startDate);
    return rows.map((r) => r.name);
  },
};
