/**
 * The dashboard's aggregates: objectives by team and status, check-in freshness by team, and
 * the short candidate lists (risks, movers, status changes) the service then evaluates exactly.
 * Every query reads one period's live, published objectives of the organisation (of a set of
 * teams when a team is shown) that the caller may see, and aggregates or limits in SQL, so the
 * answer costs rows of the database, never objects in memory.
 */
import { and, eq, inArray, isNull, ne, type SQL, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import { privateVisible } from "./list-queries.js";
import type { OrgScope } from "./org-scope.js";
import type { KeyResultRow, ObjectiveRow } from "./repositories.js";
import * as s from "./schema.js";
import { inGraceSql, objectiveStatusSql, type StatusInstant } from "./status-sql.js";
import { isId } from "./table-repository.js";

const o = s.objectives;
const kr = s.keyResults;
const ci = s.checkIns;

/** What the dashboard shows: one period, the whole organisation (teamIds null) or these teams. */
export interface DashboardScope {
  periodId: string;
  /** The team shown and every team under it, or null for the whole organisation. */
  teamIds: readonly string[] | null;
  /** Whose private objectives the caller may see (Guard.visibleTo), or null for all. */
  visibleTo: { people: readonly string[]; teams: readonly string[] } | null;
}

/** The objectives a dashboard counts: live, published (drafts count nowhere), visible, in scope. */
function shownObjectives(scope: OrgScope, d: DashboardScope): SQL | undefined {
  return and(
    eq(o.orgId, scope.orgId),
    isNull(o.deletedAt),
    eq(o.periodId, d.periodId),
    ne(o.state, "draft"),
    d.teamIds ? inArray(o.teamId, d.teamIds.filter(isId)) : undefined,
    d.visibleTo ? privateVisible(d.visibleTo) : undefined,
  );
}

/** A team under the one shown, with how deep it sits (1 = a direct child). */
export interface TeamInTree {
  id: string;
  name: string;
  parentId: string | null;
  depth: number;
}

export interface TeamStatusCount {
  teamId: string | null;
  status: string;
  count: number;
}

export interface TeamFreshness {
  teamId: string | null;
  keyResults: number;
  fresh: number;
  never: number;
  oldestCheckInAt: Date | null;
}

export const dashboardQueries = {
  /**
   * The live teams under `rootId` (every team of the organisation when null), with their depth
   * below it: one recursive query over the team tree.
   */
  async teamsUnder(ex: Executor, scope: OrgScope, rootId: string | null): Promise<TeamInTree[]> {
    if (rootId !== null && !isId(rootId)) return [];
    const start = rootId
      ? sql`parent_id = ${rootId}::uuid`
      : // A team whose parent is gone sits at the top, as the team list shows it.
        sql`(parent_id is null or parent_id not in (select id from teams where org_id = ${scope.orgId} and deleted_at is null))`;
    const result = await ex.execute(sql`
      with recursive tree(id, name, parent_id, depth) as (
        select id, name, parent_id, 1 from teams where org_id = ${scope.orgId} and deleted_at is null and ${start}
        union all
        select t.id, t.name, t.parent_id, tree.depth + 1 from teams t join tree on t.parent_id = tree.id
        where t.org_id = ${scope.orgId} and t.deleted_at is null and tree.depth < 50
      )
      select id, name, parent_id, depth from tree`);
    return (
      result as unknown as { rows: { id: string; name: string; parent_id: string | null; depth: number }[] }
    ).rows.map((r) => ({ id: r.id, name: r.name, parentId: r.parent_id, depth: Number(r.depth) }));
  },

  /** How many objectives each team has in each status at `at` (one GROUP BY). */
  async statusCounts(ex: Executor, scope: OrgScope, d: DashboardScope, at: StatusInstant): Promise<TeamStatusCount[]> {
    const status = objectiveStatusSql(at);
    const rows = await ex
      .select({ teamId: o.teamId, status, count: sql<number>`count(*)`.mapWith(Number) })
      .from(o)
      .where(shownObjectives(scope, d))
      // By position: the status expression carries parameters, which GROUP BY cannot match by text.
      .groupBy(sql`1`, sql`2`);
    return rows;
  },

  /**
   * Per team, the key results that are checked in on (own check-ins, open, of an open objective):
   * how many, how many had a check-in within the cadence, how many never had one, and the oldest
   * latest check-in among them (one GROUP BY).
   */
  async freshness(ex: Executor, scope: OrgScope, d: DashboardScope, freshSinceMs: number): Promise<TeamFreshness[]> {
    const since = new Date(freshSinceMs).toISOString();
    return ex
      .select({
        teamId: o.teamId,
        keyResults: sql<number>`count(*)`.mapWith(Number),
        fresh: sql<number>`count(*) filter (where ${kr.lastCheckInAt} >= ${since}::timestamptz)`.mapWith(Number),
        never: sql<number>`count(*) filter (where ${kr.lastCheckInAt} is null)`.mapWith(Number),
        oldestCheckInAt: sql<Date | null>`min(${kr.lastCheckInAt})`.mapWith((v: string | Date | null) =>
          v === null ? null : new Date(v),
        ),
      })
      .from(kr)
      .innerJoin(o, and(eq(o.id, kr.objectiveId), eq(o.orgId, kr.orgId)))
      .where(
        and(
          eq(kr.orgId, scope.orgId),
          isNull(kr.deletedAt),
          eq(kr.progressMode, "manual"),
          eq(kr.closed, false),
          ne(kr.type, "baseline"),
          shownObjectives(scope, d),
          ne(o.state, "closed"),
        ),
      )
      .groupBy(o.teamId);
  },

  /** The `limit` objectives in `statuses` at `at`, furthest behind plan first. */
  async objectivesInStatus(
    ex: Executor,
    scope: OrgScope,
    d: DashboardScope,
    at: StatusInstant,
    statuses: readonly string[],
    limit: number,
  ): Promise<ObjectiveRow[]> {
    const status = objectiveStatusSql(at);
    return ex
      .select()
      .from(o)
      .where(and(shownObjectives(scope, d), inArray(status, [...statuses])))
      .orderBy(sql`(${status} = 'atRisk') desc`, sql`least(greatest(${o.progress}, 0), 1)`, o.id)
      .limit(limit);
  },

  /**
   * Objectives whose status may differ between `then` and `now`: those whose figures may have
   * moved (a check-in since `then` on anything they draw from) and those whose status from their
   * stored figures differs at the two instants (the clock alone moved them). At most `limit`,
   * latest check-in first.
   */
  async objectivesMaybeChanged(
    ex: Executor,
    scope: OrgScope,
    d: DashboardScope,
    then: StatusInstant,
    now: StatusInstant,
    limit: number,
  ): Promise<ObjectiveRow[]> {
    const a = s.alignments;
    // Only objectives whose figures come from their own key results: their week-ago figures cost
    // their own check-ins. One with items aligned under it (or under its key results) would need
    // everything below it replayed, up to the whole organisation for its top objectives; its
    // changes show through the key results and objectives below it that moved.
    const rollsUp = sql`exists (select 1 from ${a} where ${a.orgId} = ${o.orgId} and ${a.contributes}
      and ((${a.parentType} = 'objective' and ${a.parentId} = ${o.id})
        or (${a.parentType} = 'keyResult' and ${a.parentId} in (select ${kr.id} from ${kr} where ${kr.orgId} = ${o.orgId} and ${kr.objectiveId} = ${o.id} and ${kr.deletedAt} is null))))`;
    return ex
      .select()
      .from(o)
      .where(
        and(
          shownObjectives(scope, d),
          sql`not ${rollsUp}`,
          sql`(${o.lastCheckInAt} >= ${new Date(then.atMs).toISOString()}::timestamptz or ${objectiveStatusSql(then)} <> ${objectiveStatusSql(now)})`,
        ),
      )
      .orderBy(sql`${o.lastCheckInAt} desc nulls last`, o.id)
      .limit(limit);
  },

  /**
   * The key results (own check-ins, of the objectives shown) checked in since `sinceMs` whose
   * stored progress moved furthest from where their latest check-in up to `sinceMs` put them:
   * the `limit` biggest rises and the `limit` biggest falls. Progress at the week's start is
   * computed here only to choose these few (okr-method §2); the service evaluates them exactly.
   */
  async moverCandidates(
    ex: Executor,
    scope: OrgScope,
    d: DashboardScope,
    sinceMs: number,
    limit: number,
  ): Promise<string[]> {
    const since = new Date(sinceMs).toISOString();
    const latest = (col: SQL) =>
      sql`(select ${col} from ${ci} where ${ci.orgId} = ${scope.orgId} and ${ci.keyResultId} = ${kr.id} and ${ci.deletedAt} is null and ${ci.at} <= ${since}::timestamptz order by ${ci.at} desc, ${ci.createdAt} desc limit 1)`;
    const value = latest(sql`${ci.value}`);
    const achieved = latest(sql`${ci.achieved}`);
    const before = sql<number>`coalesce(case ${kr.type}
      when 'increase' then (${value} - ${kr.start}) / nullif(${kr.target} - ${kr.start}, 0)
      when 'decrease' then (${value} - ${kr.start}) / nullif(${kr.target} - ${kr.start}, 0)
      when 'stayAbove' then case when ${value} >= ${kr.target} then 1 else 0 end
      when 'stayBelow' then case when ${value} <= ${kr.target} then 1 else 0 end
      when 'milestone' then case when ${achieved} then 1 else 0 end
      end, 0)::float8`;
    const base = ex
      .select({ id: kr.id, delta: sql<number>`(coalesce(${kr.progress}, 0) - ${before})`.as("delta") })
      .from(kr)
      .innerJoin(o, and(eq(o.id, kr.objectiveId), eq(o.orgId, kr.orgId)))
      .where(
        and(
          eq(kr.orgId, scope.orgId),
          isNull(kr.deletedAt),
          eq(kr.progressMode, "manual"),
          ne(kr.type, "baseline"),
          sql`${kr.lastCheckInAt} >= ${since}::timestamptz`,
          shownObjectives(scope, d),
        ),
      )
      .as("m");
    const side = (dir: "up" | "down") =>
      ex
        .select({ id: base.id })
        .from(base)
        .where(dir === "up" ? sql`${base.delta} > 0` : sql`${base.delta} < 0`)
        .orderBy(dir === "up" ? sql`${base.delta} desc` : sql`${base.delta} asc`, base.id)
        .limit(limit);
    const [up, down] = [await side("up"), await side("down")];
    return [...up, ...down].map((r) => r.id);
  },

  /**
   * The `limit` key results of the objectives shown that may be behind or at risk now: open
   * ones with a manual status of behind or at risk, or below the period's expected progress
   * (a necessary condition for those two statuses without a manual one when their dates are
   * the period's), furthest behind first. The service decides each one's status exactly.
   */
  async keyResultsMaybeAtRisk(
    ex: Executor,
    scope: OrgScope,
    d: DashboardScope,
    at: StatusInstant,
    limit: number,
  ): Promise<KeyResultRow[]> {
    const expected = at.expected;
    const clamped = sql`least(greatest(coalesce(${kr.progress}, 0), 0), 1)`;
    const atTs = sql`${new Date(at.atMs).toISOString()}::timestamptz`;
    // New work without a check-in is not a risk yet (grace from the later of start and creation,
    // as objectiveStatusSql): left out here, so it cannot crowd real risks out of the short list.
    const inGrace = sql`((${kr.firstCheckInAt} is null or ${kr.firstCheckInAt} > ${atTs}) and ${inGraceSql(kr.createdAt, at)})`;
    const rows = await ex
      .select({ kr })
      .from(kr)
      .innerJoin(o, and(eq(o.id, kr.objectiveId), eq(o.orgId, kr.orgId)))
      .where(
        and(
          eq(kr.orgId, scope.orgId),
          isNull(kr.deletedAt),
          eq(kr.closed, false),
          ne(kr.type, "baseline"),
          shownObjectives(scope, d),
          ne(o.state, "closed"),
          sql`not ${inGrace}`,
          sql`(${kr.manualStatus} in ('behind', 'atRisk') or (${kr.manualStatus} is null and (${clamped} < ${expected}::float8 or ${kr.startDate} is not null or ${kr.endDate} is not null or ${kr.plan} is not null)))`,
        ),
      )
      .orderBy(sql`(${kr.manualStatus} = 'atRisk') desc nulls last`, sql`${clamped} - ${expected}::float8`, kr.id)
      .limit(limit);
    return rows.map((r) => r.kr);
  },
};
