/**
 * Keyset pages of the list endpoints: each query filters and sorts in SQL and reads at
 * most `limit` rows after the position a cursor carries, so a page costs what it shows,
 * not what the organisation holds. Positions carry instants as text to the microsecond
 * (what the database stores), so a position compares exactly.
 */
import { and, asc, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { AlignmentRow, InitiativeRow, KpiRow, KpiValueRow, ObjectiveRow, PeriodRow } from "./repositories.js";
import * as s from "./schema.js";
import { rowsOf } from "./sql-text.js";
import { objectiveMayHaveStatusSql, objectiveStatusSql, type StatusInstant } from "./status-sql.js";
import { isId } from "./table-repository.js";

/** An instant as positions carry it: UTC, to the microsecond, `2026-02-15T12:00:00.123456Z`. */
function instantText(col: PgColumn): SQL<string> {
  return sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** `not in (ids)`, or nothing when there are none. */
function notIn(col: PgColumn, ids: readonly string[]): SQL | undefined {
  const valid = ids.filter(isId);
  if (!valid.length) return undefined;
  return sql`${col} not in (${sql.join(
    valid.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
}

/** An ILIKE pattern matching `text` anywhere, its wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

// ---------------------------------------------------------------- objectives

const o = s.objectives;
const kr = s.keyResults;

/** A uuid[] literal of these ids (invalid ones dropped). */
function uuidArray(ids: readonly string[]): SQL {
  const valid = ids.filter(isId);
  return valid.length
    ? sql`array[${sql.join(
        valid.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}]`
    : sql`'{}'::uuid[]`;
}

/**
 * Public objectives, and the private ones of these people or teams: who a private objective
 * shows to (okr-method's access rules, as `canSeeObjective` applies them to one row).
 */
export function privateVisible(to: { people: readonly string[]; teams: readonly string[] }): SQL {
  return sql`(${o.visibility} <> 'private' or ${o.ownerIds} && ${uuidArray(to.people)} or ${o.teamId} = any(${uuidArray(to.teams)}))`;
}

/**
 * The level's place in the list order (organisation, team, individual). The list's index
 * is on this exact expression: change both together.
 */
export const OBJECTIVE_LEVEL_RANK = sql<number>`(case ${o.level} when 'organization' then 0 when 'team' then 1 when 'individual' then 2 else -1 end)`;

export interface ObjectiveListFilter {
  teamId?: string | undefined;
  ownerId?: string | undefined;
  /** Objectives this person owns, or with a live key result they own or are a delegate of. */
  involves?: string | undefined;
  level?: string | undefined;
  state?: string | undefined;
  /** Matches the title, the description or a live key result's title, ignoring case. */
  text?: string | undefined;
  /** Stored progress within these fractions, both included (reads of now only). */
  progress?: { min: number; max: number } | undefined;
  /**
   * Objectives that may have one of these statuses by their stored figures (reads of now only):
   * a superset, in SQL, of those that do. The caller checks each candidate's exact status.
   */
  statuses?: { wanted: ReadonlySet<string>; at: (periodId: string) => StatusInstant | null } | undefined;
  /**
   * Whose private objectives the caller may see (their own and their reports', and their teams'),
   * or null for all (admins): the rule applied in SQL, so a page never reads the private
   * objectives of the whole organisation.
   */
  visibleTo: { people: readonly string[]; teams: readonly string[] } | null;
}

/** Where an objective stands in the list within its periods' start date. */
export interface ObjectivePosition {
  rank: number;
  /** Creation instant, UTC to the microsecond. */
  createdAt: string;
  title: string;
  id: string;
  /** Its stored progress (the roll-up as of now). */
  progress: number;
}

/**
 * How a period's objectives are ordered: `list` is level, creation, title, id; `title` is
 * title, id; `progress` is stored progress, then the list order. `desc` reverses every part.
 */
export interface ObjectiveOrder {
  by: "list" | "title" | "progress";
  desc: boolean;
}

export const LIST_ORDER: ObjectiveOrder = { by: "list", desc: false };

/** The parts of an order, as expressions of the table and as names of the selected columns. */
function orderParts(by: ObjectiveOrder["by"]): { table: SQL[]; selected: SQL[] } {
  const list = {
    table: [OBJECTIVE_LEVEL_RANK, sql`${o.createdAt}`, sql`${o.title}`, sql`${o.id}`],
    selected: [sql`rank`, sql`created_at`, sql`title`, sql`id`],
  };
  if (by === "title") return { table: [sql`${o.title}`, sql`${o.id}`], selected: [sql`title`, sql`id`] };
  if (by === "progress") {
    return { table: [sql`${o.progress}`, ...list.table], selected: [sql`progress`, ...list.selected] };
  }
  return list;
}

/** The position's values in the order's parts, typed for the comparison. */
function afterValues(by: ObjectiveOrder["by"], p: ObjectivePosition): SQL[] {
  const list = [sql`${p.rank}::int`, sql`${p.createdAt}::timestamptz`, sql`${p.title}::text`, sql`${p.id}::uuid`];
  if (by === "title") return [sql`${p.title}::text`, sql`${p.id}::uuid`];
  if (by === "progress") return [sql`${p.progress}::float8`, ...list];
  return list;
}

/**
 * What the list's filters ask of an objective, as one condition (the period and the status apart),
 * and whether it names few objectives found through their own index (a team, a person, a search);
 * null when a filter names nothing (an id that is not an id: no match rather than a database error).
 */
function matchingSql(scope: OrgScope, filter: ObjectiveListFilter): { where: SQL | undefined; narrow: boolean } | null {
  if (
    (filter.teamId !== undefined && !isId(filter.teamId)) ||
    (filter.ownerId !== undefined && !isId(filter.ownerId)) ||
    (filter.involves !== undefined && !isId(filter.involves))
  )
    return null;
  const pattern = filter.text ? containsPattern(filter.text) : undefined;
  const where = and(
    sql`${o.orgId} = ${scope.orgId}`,
    isNull(o.deletedAt),
    filter.teamId ? sql`${o.teamId} = ${filter.teamId}::uuid` : undefined,
    // A person's objectives are found through the owners' indexes first (`= any(array(…))` makes
    // the database collect those few ids before it looks at the period), then fetched by id.
    filter.ownerId
      ? sql`${o.id} = any(array(select m.id from ${o} m where m.org_id = ${scope.orgId} and m.deleted_at is null and m.owner_ids @> array[${filter.ownerId}::uuid]))`
      : undefined,
    filter.involves
      ? sql`${o.id} = any(array(select m.id from ${o} m where m.org_id = ${scope.orgId} and m.deleted_at is null and m.owner_ids @> array[${filter.involves}::uuid] union select ${kr.objectiveId} from ${kr} where ${kr.orgId} = ${scope.orgId} and ${kr.deletedAt} is null and (${kr.ownerIds} @> array[${filter.involves}::uuid] or ${kr.delegateIds} @> array[${filter.involves}::uuid])))`
      : undefined,
    filter.level ? eq(o.level, filter.level) : undefined,
    filter.state ? eq(o.state, filter.state) : undefined,
    // Two index-friendly halves (trigram indexes, migration 0006): the objectives whose title or
    // description matches, and those with a live key result whose title does.
    pattern
      ? sql`${o.id} = any(array(select m.id from ${o} m where m.org_id = ${scope.orgId} and m.deleted_at is null and (m.title ilike ${pattern} or m.description ilike ${pattern}) union select ${kr.objectiveId} from ${kr} where ${kr.orgId} = ${scope.orgId} and ${kr.deletedAt} is null and ${kr.title} ilike ${pattern}))`
      : undefined,
    // Stored progress within [min, max] (fractions), the edges included.
    filter.progress ? sql`${o.progress} >= ${filter.progress.min - 1e-9}::float8` : undefined,
    filter.progress ? sql`${o.progress} <= ${filter.progress.max + 1e-9}::float8` : undefined,
    filter.visibleTo ? privateVisible(filter.visibleTo) : undefined,
  );
  return { where, narrow: Boolean(filter.teamId || filter.ownerId || filter.involves || pattern) };
}

export const objectiveListQueries = {
  /**
   * The next `limit` positions among the live objectives of `periodIds` (periods sharing
   * one start date, the first part of the order) that match `filter`, after `after`, in
   * `order`. In the list order and by title, one index range per period (several periods'
   * ranges merged by the database). By progress, which changes with every check-in and so
   * has no index (one would cost every check-in its HOT update), the database sorts the
   * period's matching objectives and keeps the first `limit`: one pass over the period's
   * rows, none of them sent.
   */
  async positions(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
    filter: ObjectiveListFilter,
    after: ObjectivePosition | null,
    limit: number,
    order: ObjectiveOrder = LIST_ORDER,
  ): Promise<ObjectivePosition[]> {
    const periods = periodIds.filter(isId);
    const matching = matchingSql(scope, filter);
    if (!periods.length || limit <= 0 || !matching) return [];
    const parts = orderParts(order.by);
    const direction = order.desc ? sql` desc` : sql``;
    const orderBy = (exprs: SQL[]) =>
      sql.join(
        exprs.map((e) => sql`${e}${direction}`),
        sql`, `,
      );
    const common = and(
      matching.where,
      after
        ? sql`(${sql.join(parts.table, sql`, `)}) ${order.desc ? sql`<` : sql`>`} (${sql.join(afterValues(order.by, after), sql`, `)})`
        : undefined,
    );
    const columns = sql`${o.id} as id, ${OBJECTIVE_LEVEL_RANK} as rank, ${o.createdAt} as created_at, ${instantText(o.createdAt)} as created_key, ${o.title} as title, ${o.progress} as progress`;
    // A team's, a person's or a search's objectives are few: found first through their own index
    // (team, owners, trigrams), then sorted. Without the fence (`offset 0`) the planner may walk
    // the whole period in list order looking for them, which costs the period, not the answer.
    const narrow = matching.narrow;
    /** The period's own condition: the status prefilter depends on its span. */
    const inPeriod = (periodId: string) => {
      const at = filter.statuses?.at(periodId);
      const status = filter.statuses
        ? at
          ? objectiveMayHaveStatusSql(filter.statuses.wanted, at)
          : sql`false`
        : undefined;
      return and(sql`${o.periodId} = ${periodId}::uuid`, status);
    };
    const branch = (periodId: string) =>
      narrow
        ? sql`select * from (select ${columns} from ${o} where ${inPeriod(periodId)} and ${common} offset 0) n order by ${orderBy(parts.selected)} limit ${limit}`
        : sql`select ${columns} from ${o} where ${inPeriod(periodId)} and ${common} order by ${orderBy(parts.table)} limit ${limit}`;
    const query =
      periods.length === 1
        ? branch(periods[0]!)
        : sql`select id, rank, created_key, title, progress from (${sql.join(
            periods.map((p) => sql`(${branch(p)})`),
            sql` union all `,
          )}) x order by ${orderBy(parts.selected)} limit ${limit}`;
    const rows = rowsOf<{ id: string; rank: number; created_key: string; title: string; progress: number }>(
      await ex.execute(query),
    );
    return rows.map((r) => ({
      rank: Number(r.rank),
      createdAt: r.created_key,
      title: r.title,
      id: r.id,
      progress: Number(r.progress),
    }));
  },
  /**
   * How many live objectives of `periodIds` match `filter` and, with `statuses`, have one of the
   * wanted statuses at each period's instant (the exact rule in SQL, as the dashboard counts):
   * one count per period, added up in the database.
   */
  async count(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
    filter: ObjectiveListFilter,
  ): Promise<number> {
    const periods = periodIds.filter(isId);
    const matching = matchingSql(scope, filter);
    if (!periods.length || !matching) return 0;
    const wanted = filter.statuses ? [...filter.statuses.wanted] : null;
    const branches = periods.map((periodId) => {
      const at = filter.statuses?.at(periodId);
      const status = wanted
        ? at
          ? sql`${objectiveStatusSql(at)} in (${sql.join(
              wanted.map((w) => sql`${w}`),
              sql`, `,
            )})`
          : sql`false`
        : undefined;
      return sql`select count(*) as n from ${o} where ${and(sql`${o.periodId} = ${periodId}::uuid`, status, matching.where)}`;
    });
    const rows = rowsOf<{ n: string | number }>(
      await ex.execute(sql`select coalesce(sum(n), 0) as n from (${sql.join(branches, sql` union all `)}) c`),
    );
    return Number(rows[0]?.n ?? 0);
  },
  /** Live objectives with these ids, in the order of `ids` (missing ones left out). */
  async inOrder(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<ObjectiveRow[]> {
    const valid = ids.filter(isId);
    if (!valid.length) return [];
    const rows = await ex
      .select()
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), isNull(o.deletedAt), inArray(o.id, valid)));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return valid.map((id) => byId.get(id)).filter((r): r is ObjectiveRow => r !== undefined);
  },
};

// ---------------------------------------------------------------- initiatives and KPIs (creation order)

/** Position in a list in creation order. */
export interface CreatedPosition {
  /** Creation instant, UTC to the microsecond. */
  createdAt: string;
  id: string;
}

/** A row with its position. */
export interface Positioned<R> {
  row: R;
  position: CreatedPosition;
}

type CreatedTable = typeof s.initiatives | typeof s.kpis | typeof s.alignments | typeof s.objectives;

async function createdPage<T extends CreatedTable>(
  ex: Executor,
  scope: OrgScope,
  t: T,
  where: SQL | undefined,
  after: CreatedPosition | null,
  limit: number,
  /** Whether the row at `after` itself comes first (when it is still there). */
  inclusive = false,
): Promise<Positioned<T["$inferSelect"]>[]> {
  // drizzle's generic table types do not narrow through a union; the cast stays here.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const table = t as any;
  const rows = (await ex
    .select({ row: table, createdKey: instantText(table.createdAt) })
    .from(table)
    .where(
      and(
        eq(table.orgId, scope.orgId),
        "deletedAt" in table ? isNull(table.deletedAt) : undefined,
        where,
        after
          ? sql`(${table.createdAt}, ${table.id}) ${inclusive ? sql`>=` : sql`>`} (${after.createdAt}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(table.createdAt), asc(table.id))
    .limit(limit)) as { row: T["$inferSelect"]; createdKey: string }[];
  return rows.map((r) => ({ row: r.row, position: { createdAt: r.createdKey, id: (r.row as { id: string }).id } }));
}

export interface InitiativeListFilter {
  objectiveId?: string | undefined;
  keyResultId?: string | undefined;
  /** Objectives the caller may not see: their initiatives are left out. */
  hiddenObjectiveIds: readonly string[];
}

export const initiativeListQueries = {
  /** The next `limit` live initiatives matching `filter` after `after`, oldest first. */
  async page(
    ex: Executor,
    scope: OrgScope,
    filter: InitiativeListFilter,
    after: CreatedPosition | null,
    limit: number,
  ): Promise<Positioned<InitiativeRow>[]> {
    const i = s.initiatives;
    if (
      (filter.objectiveId !== undefined && !isId(filter.objectiveId)) ||
      (filter.keyResultId !== undefined && !isId(filter.keyResultId))
    )
      return [];
    return createdPage(
      ex,
      scope,
      i,
      and(
        filter.objectiveId ? eq(i.objectiveId, filter.objectiveId) : undefined,
        filter.keyResultId ? eq(i.keyResultId, filter.keyResultId) : undefined,
        notIn(i.objectiveId, filter.hiddenObjectiveIds),
      ),
      after,
      limit,
    );
  },
};

export const coachListQueries = {
  /**
   * A period's live objectives (with `teamId`, one team's) in creation order, the order of a
   * whole coach run: at most `limit` after `from` (or from it on, `inclusive`).
   */
  async objectivesFrom(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    teamId: string | undefined,
    from: CreatedPosition | null,
    limit: number,
    inclusive: boolean,
  ): Promise<Positioned<ObjectiveRow>[]> {
    if (!isId(periodId) || (teamId !== undefined && !isId(teamId))) return [];
    const where = and(eq(o.periodId, periodId), teamId === undefined ? undefined : eq(o.teamId, teamId));
    return createdPage(ex, scope, o, where, from, limit, inclusive);
  },
  /**
   * The titles `duplicate` compares of a period's live objectives (one team's, with `teamId`)
   * in creation order, after `after` (from the first, when null) up to `upTo`, included (to
   * the last, when null).
   */
  async titlesBetween(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    teamId: string | undefined,
    after: CreatedPosition | null,
    upTo: CreatedPosition | null,
  ): Promise<
    Pick<ObjectiveRow, "id" | "title" | "state" | "periodId" | "level" | "teamId" | "ownerIds" | "visibility">[]
  > {
    if (!isId(periodId) || (teamId !== undefined && !isId(teamId))) return [];
    return ex
      .select({
        id: o.id,
        title: o.title,
        state: o.state,
        periodId: o.periodId,
        level: o.level,
        teamId: o.teamId,
        ownerIds: o.ownerIds,
        visibility: o.visibility,
      })
      .from(o)
      .where(
        and(
          livePeriodObjectives(scope, periodId, teamId),
          after ? sql`(${o.createdAt}, ${o.id}) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined,
          upTo ? sql`(${o.createdAt}, ${o.id}) <= (${upTo.createdAt}::timestamptz, ${upTo.id}::uuid)` : undefined,
        ),
      )
      .orderBy(asc(o.createdAt), asc(o.id));
  },
  /**
   * How many live objectives the period holds (one team's, with `teamId`), counted only up to
   * `cap + 1`: whether it holds more than `cap`, at the cost of `cap` index entries at most.
   */
  async countUpTo(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    teamId: string | undefined,
    cap: number,
  ): Promise<number> {
    if (!isId(periodId) || (teamId !== undefined && !isId(teamId))) return 0;
    const some = ex
      .select({ one: sql`1` })
      .from(o)
      .where(livePeriodObjectives(scope, periodId, teamId))
      .limit(cap + 1)
      .as("some");
    const [row] = await ex.select({ n: sql<number>`count(*)::int` }).from(some);
    return row?.n ?? 0;
  },
};

/** A period's live objectives (one team's, with `teamId`). */
function livePeriodObjectives(scope: OrgScope, periodId: string, teamId: string | undefined) {
  return and(
    eq(o.orgId, scope.orgId),
    isNull(o.deletedAt),
    eq(o.periodId, periodId),
    teamId === undefined ? undefined : eq(o.teamId, teamId),
  );
}

export const kpiListQueries = {
  /** The next `limit` live KPIs after `after`, oldest first. */
  async page(
    ex: Executor,
    scope: OrgScope,
    after: CreatedPosition | null,
    limit: number,
  ): Promise<Positioned<KpiRow>[]> {
    return createdPage(ex, scope, s.kpis, undefined, after, limit);
  },
  /** The latest value of each of these KPIs (by date, then recording): one row per KPI that has any. */
  async latestValues(ex: Executor, scope: OrgScope, kpiIds: readonly string[]): Promise<KpiValueRow[]> {
    const ids = kpiIds.filter(isId);
    if (!ids.length) return [];
    const v = s.kpiValues;
    return ex
      .selectDistinctOn([v.kpiId])
      .from(v)
      .where(and(eq(v.orgId, scope.orgId), inArray(v.kpiId, ids)))
      .orderBy(v.kpiId, desc(v.at), desc(v.createdAt), desc(v.id));
  },
};

// ---------------------------------------------------------------- periods

/** Position in the period list: start date, then longer first, then name, id. */
export interface PeriodPosition {
  startDate: string;
  endDate: string;
  name: string;
  id: string;
}

export const periodListQueries = {
  /** The next `limit` live periods after `after`, by start date, then length (a year before its first quarter), name. */
  async page(ex: Executor, scope: OrgScope, after: PeriodPosition | null, limit: number): Promise<PeriodRow[]> {
    const p = s.periods;
    const cursor = after
      ? sql`(${p.startDate} > ${after.startDate}::date or (${p.startDate} = ${after.startDate}::date and (${p.endDate} < ${after.endDate}::date or (${p.endDate} = ${after.endDate}::date and (${p.name}, ${p.id}) > (${after.name}::text, ${after.id}::uuid)))))`
      : undefined;
    return ex
      .select()
      .from(p)
      .where(and(eq(p.orgId, scope.orgId), isNull(p.deletedAt), cursor))
      .orderBy(asc(p.startDate), desc(p.endDate), asc(p.name), asc(p.id))
      .limit(limit);
  },
};

// ---------------------------------------------------------------- people and teams

/** Position in a list ordered by name, then id. */
export interface NamedPosition {
  name: string;
  id: string;
}

/** The next `limit` live rows of `t` ordered by name, then id, after `after`. */
async function namedPage<T extends typeof s.users | typeof s.teams>(
  ex: Executor,
  scope: OrgScope,
  t: T,
  after: NamedPosition | null,
  limit: number,
  text?: string,
  ids?: readonly string[],
): Promise<T["$inferSelect"][]> {
  // An id that is not a uuid names no row (and would make the cast fail).
  const wanted = ids?.filter(isId);
  if (wanted && wanted.length === 0) return [];
  // drizzle's generic table types do not narrow through a union; the cast stays here.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const table = t as any;
  return (await ex
    .select()
    .from(table)
    .where(
      and(
        eq(table.orgId, scope.orgId),
        "deletedAt" in table ? isNull(table.deletedAt) : undefined,
        text
          ? "email" in table
            ? sql`(${table.name} ilike ${containsPattern(text)} or ${table.email} ilike ${containsPattern(text)})`
            : sql`${table.name} ilike ${containsPattern(text)}`
          : undefined,
        wanted ? inArray(table.id, wanted) : undefined,
        after ? sql`(${table.name}, ${table.id}) > (${after.name}::text, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(table.name), asc(table.id))
    .limit(limit)) as T["$inferSelect"][];
}

/** Where a page by name starts, how long it is, and what it holds: text in the name (or email), some ids. */
type NamedPageArgs = [after: NamedPosition | null, limit: number, text?: string, ids?: readonly string[]];

export const namedListQueries = {
  /** The next `limit` people of the organisation by name (deactivated ones too), whose name or email contains `text`, of `ids` when given. */
  users: (ex: Executor, scope: OrgScope, ...page: NamedPageArgs) => namedPage(ex, scope, s.users, ...page),
  /** The next `limit` live teams of the organisation by name, whose name contains `text`, of `ids` when given. */
  teams: (ex: Executor, scope: OrgScope, ...page: NamedPageArgs) => namedPage(ex, scope, s.teams, ...page),
};

// ---------------------------------------------------------------- alignments

export interface AlignmentListFilter {
  childId?: string | undefined;
  parentId?: string | undefined;
  state?: string | undefined;
  /** Objectives and key results the caller may not see: alignments touching them are left out. */
  hiddenNodeIds: readonly string[];
}

export const alignmentListQueries = {
  /** The next `limit` alignments matching `filter` after `after`, oldest first. */
  async page(
    ex: Executor,
    scope: OrgScope,
    filter: AlignmentListFilter,
    after: CreatedPosition | null,
    limit: number,
  ): Promise<Positioned<AlignmentRow>[]> {
    const a = s.alignments;
    if (
      (filter.childId !== undefined && !isId(filter.childId)) ||
      (filter.parentId !== undefined && !isId(filter.parentId))
    )
      return [];
    return createdPage(
      ex,
      scope,
      a,
      and(
        filter.childId ? eq(a.childId, filter.childId) : undefined,
        filter.parentId ? eq(a.parentId, filter.parentId) : undefined,
        filter.state ? eq(a.state, filter.state) : undefined,
        notIn(a.childId, filter.hiddenNodeIds),
        notIn(a.parentId, filter.hiddenNodeIds),
      ),
      after,
      limit,
    );
  },
};
