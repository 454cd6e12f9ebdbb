/**
 * What the OKR import reads and writes (#13): the people, teams and periods a file names, the
 * objects its references already point to, and bulk inserts in chunks (one statement per
 * chunk, never one per row). Every query names the organisation; lists of names and
 * references are sent in slices so no statement carries an unbounded list.
 */
import { and, asc, type Column, eq, getTableColumns, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { InitiativeRow, KeyResultRow, ObjectiveRow, PeriodRow, TeamRow, UserRow } from "./repositories.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

/** Items per IN list and rows per INSERT. */
const SLICE = 1000;

async function sliced<T, R>(items: readonly T[], fn: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(...(await fn(items.slice(i, i + SLICE))));
  return out;
}

/** Rows per bulk INSERT: each statement carries one array per column, whatever its row count. */
const ROWS_PER_INSERT = 5000;

/**
 * Inserts rows with one parameter per column — `insert … select from unnest($1::uuid[], …)` —
 * instead of one per cell, which spares the query builder and the driver most of their work
 * on a big import. Every row must name the same columns (an absent one would get null rather
 * than its default); rows that do not are inserted the ordinary way.
 */
async function insertByColumns<T extends PgTable>(
  ex: Executor,
  table: T,
  rows: readonly T["$inferInsert"][],
): Promise<void> {
  if (!rows.length) return;
  const columns = getTableColumns(table) as Record<string, Column>;
  const given = (r: object) =>
    Object.entries(r)
      .filter(([k, v]) => v !== undefined && columns[k])
      .map(([k]) => k);
  const keys = given(rows[0]!);
  const uniform = rows.every((r) => {
    const own = given(r);
    return own.length === keys.length && keys.every((k) => (r as Record<string, unknown>)[k] !== undefined);
  });
  if (!uniform) {
    for (let i = 0; i < rows.length; i += SLICE / 4) await ex.insert(table).values(rows.slice(i, i + SLICE / 4));
    return;
  }
  // Arrays and JSON travel as their text (an array of arrays would be flattened by unnest).
  const travel = (c: Column) => (c.columnType === "PgArray" || c.columnType === "PgJsonb" ? "text" : c.getSQLType());
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT) as Record<string, unknown>[];
    const arrays: SQL[] = keys.map((k) => {
      const c = columns[k]!;
      const values = part.map((r) => (r[k] === null ? null : c.mapToDriverValue(r[k])));
      return sql`${sql.param(values)}::${sql.raw(`${travel(c)}[]`)}`;
    });
    const names = keys.map((_, j) => `c${j}`);
    const picked = keys.map((k, j) => {
      const c = columns[k]!;
      return sql.raw(travel(c) === "text" && c.getSQLType() !== "text" ? `${names[j]}::${c.getSQLType()}` : names[j]!);
    });
    await ex.execute(
      sql`insert into ${table} (${sql.join(
        keys.map((k) => sql.identifier(columns[k]!.name)),
        sql`, `,
      )}) select ${sql.join(picked, sql`, `)} from unnest(${sql.join(arrays, sql`, `)}) as u(${sql.raw(names.join(", "))})`,
    );
  }
}

export const importQueries = {
  /** People whose email (lower case) is one of these. */
  usersByEmails(ex: Executor, scope: OrgScope, emails: readonly string[]): Promise<UserRow[]> {
    const u = s.users;
    return sliced(emails, (part) =>
      ex
        .select()
        .from(u)
        .where(and(eq(u.orgId, scope.orgId), inArray(sql`lower(${u.email})`, part))),
    );
  },

  /** People whose name (lower case) is one of these. */
  usersByNames(ex: Executor, scope: OrgScope, names: readonly string[]): Promise<UserRow[]> {
    const u = s.users;
    return sliced(names, (part) =>
      ex
        .select()
        .from(u)
        .where(and(eq(u.orgId, scope.orgId), inArray(sql`lower(${u.name})`, part))),
    );
  },

  /** Teams (not deleted) whose name (lower case) is one of these. */
  teamsByNames(ex: Executor, scope: OrgScope, names: readonly string[]): Promise<TeamRow[]> {
    const t = s.teams;
    return sliced(names, (part) =>
      ex
        .select()
        .from(t)
        .where(and(eq(t.orgId, scope.orgId), isNull(t.deletedAt), inArray(sql`lower(${t.name})`, part))),
    );
  },

  /** Periods (not deleted) whose name (lower case) is one of these. */
  periodsByNames(ex: Executor, scope: OrgScope, names: readonly string[]): Promise<PeriodRow[]> {
    const p = s.periods;
    return sliced(names, (part) =>
      ex
        .select()
        .from(p)
        .where(and(eq(p.orgId, scope.orgId), isNull(p.deletedAt), inArray(sql`lower(${p.name})`, part))),
    );
  },

  /**
   * Objectives, key results and initiatives (not deleted) with one of these references, or,
   * for one without a reference, whose id is one of them (an export names those by id). Each
   * row's `ref` is then the reference it was found by.
   */
  async byRefs(ex: Executor, scope: OrgScope, refs: readonly string[]) {
    const ids = refs.filter(isId);
    const find = async <T extends typeof s.objectives | typeof s.keyResults | typeof s.initiatives>(table: T) => {
      // The three tables share id, org_id, ref and deleted_at.
      const t = table as unknown as typeof s.objectives;
      const rows = await sliced(refs, (part) => {
        const idPart = part.filter(isId);
        return ex
          .select()
          .from(t)
          .where(
            and(
              eq(t.orgId, scope.orgId),
              isNull(t.deletedAt),
              or(inArray(t.ref, part), idPart.length ? and(isNull(t.ref), inArray(t.id, idPart)) : undefined),
            ),
          );
      });
      return rows.map((r) =>
        r.ref === null && ids.includes(r.id) ? { ...r, ref: r.id } : r,
      ) as unknown as T["$inferSelect"][];
    };
    const objectives: ObjectiveRow[] = await find(s.objectives);
    const keyResults: KeyResultRow[] = await find(s.keyResults);
    const initiatives: InitiativeRow[] = await find(s.initiatives);
    return { objectives, keyResults, initiatives };
  },

  /** The references of these objectives and key results (their ids where they have none). */
  async refsOf(ex: Executor, scope: OrgScope, objectiveIds: readonly string[], keyResultIds: readonly string[]) {
    const o = s.objectives;
    const k = s.keyResults;
    const out = new Map<string, string>();
    for (const r of await sliced(objectiveIds, (part) =>
      ex
        .select({ id: o.id, ref: o.ref })
        .from(o)
        .where(and(eq(o.orgId, scope.orgId), inArray(o.id, part))),
    )) {
      out.set(r.id, r.ref ?? r.id);
    }
    for (const r of await sliced(keyResultIds, (part) =>
      ex
        .select({ id: k.id, ref: k.ref })
        .from(k)
        .where(and(eq(k.orgId, scope.orgId), inArray(k.id, part))),
    )) {
      out.set(r.id, r.ref ?? r.id);
    }
    return out;
  },

  /** The first parent of each of these objectives (active alignments), for the export's parent column. */
  async parentsOf(ex: Executor, scope: OrgScope, objectiveIds: readonly string[]) {
    const a = s.alignments;
    const rows = await sliced(objectiveIds, (part) =>
      ex
        .select({ childId: a.childId, parentId: a.parentId })
        .from(a)
        .where(and(eq(a.orgId, scope.orgId), eq(a.childType, "objective"), inArray(a.childId, part)))
        .orderBy(asc(a.createdAt), asc(a.id)),
    );
    const out = new Map<string, string>();
    for (const r of rows) if (!out.has(r.childId)) out.set(r.childId, r.parentId);
    return out;
  },

  /** Names and emails of these people, and names of these teams. */
  async namesOf(ex: Executor, scope: OrgScope, userIds: readonly string[], teamIds: readonly string[]) {
    const u = s.users;
    const t = s.teams;
    // Something that is not an id names nobody (and must not reach a uuid comparison).
    userIds = userIds.filter(isId);
    teamIds = teamIds.filter(isId);
    const people = await sliced(userIds, (part) =>
      ex
        .select({ id: u.id, name: u.name, email: u.email })
        .from(u)
        .where(and(eq(u.orgId, scope.orgId), inArray(u.id, part))),
    );
    const teams = await sliced(teamIds, (part) =>
      ex
        .select({ id: t.id, name: t.name })
        .from(t)
        .where(and(eq(t.orgId, scope.orgId), inArray(t.id, part))),
    );
    return { people: new Map(people.map((p) => [p.id, p])), teams: new Map(teams.map((x) => [x.id, x.name])) };
  },

  /** The (key result, instant) pairs of these key results' check-ins: a re-import adds none twice. */
  async checkInInstants(ex: Executor, scope: OrgScope, keyResultIds: readonly string[]): Promise<Set<string>> {
    const c = s.checkIns;
    const rows = await sliced(keyResultIds, (part) =>
      ex
        .select({ keyResultId: c.keyResultId, at: c.at })
        .from(c)
        .where(and(eq(c.orgId, scope.orgId), isNull(c.deletedAt), inArray(c.keyResultId, part))),
    );
    return new Set(rows.map((r) => `${r.keyResultId}|${r.at.toISOString()}`));
  },

  /** The existing alignments of these children (to add only new ones). */
  async alignmentsOfChildren(ex: Executor, scope: OrgScope, childIds: readonly string[]): Promise<Set<string>> {
    const a = s.alignments;
    const rows = await sliced(childIds, (part) =>
      ex
        .select({ childId: a.childId, parentId: a.parentId })
        .from(a)
        .where(and(eq(a.orgId, scope.orgId), inArray(a.childId, part))),
    );
    return new Set(rows.map((r) => `${r.childId}|${r.parentId}`));
  },

  async insertPeople(ex: Executor, rows: (typeof s.users.$inferInsert)[]): Promise<void> {
    if (rows.length) await ex.insert(s.users).values(rows);
  },
  async insertTeams(ex: Executor, rows: (typeof s.teams.$inferInsert)[]): Promise<void> {
    if (rows.length) await ex.insert(s.teams).values(rows);
  },
  async insertPeriods(ex: Executor, rows: (typeof s.periods.$inferInsert)[]): Promise<void> {
    if (rows.length) await ex.insert(s.periods).values(rows);
  },

  /** Sets these fields of one objective, key result or initiative (its version moves on). */
  async update(
    ex: Executor,
    scope: OrgScope,
    table: typeof s.objectives | typeof s.keyResults | typeof s.initiatives,
    id: string,
    values: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    // drizzle's union of three tables does not narrow; the three share id, org_id, version, updated_at.
    const t = table as typeof s.objectives;
    await ex
      .update(t)
      .set({ ...values, version: sql`${t.version} + 1`, updatedAt: at })
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, id)));
  },

  insertObjectives(ex: Executor, rows: (typeof s.objectives.$inferInsert)[]): Promise<void> {
    return insertByColumns(ex, s.objectives, rows);
  },
  insertKeyResults(ex: Executor, rows: (typeof s.keyResults.$inferInsert)[]): Promise<void> {
    return insertByColumns(ex, s.keyResults, rows);
  },
  insertInitiatives(ex: Executor, rows: (typeof s.initiatives.$inferInsert)[]): Promise<void> {
    return insertByColumns(ex, s.initiatives, rows);
  },
  insertAlignments(ex: Executor, rows: (typeof s.alignments.$inferInsert)[]): Promise<void> {
    return insertByColumns(ex, s.alignments, rows);
  },
  insertCheckIns(ex: Executor, rows: (typeof s.checkIns.$inferInsert)[]): Promise<void> {
    return insertByColumns(ex, s.checkIns, rows);
  },
};
