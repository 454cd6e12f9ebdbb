/**
 * The row operations every versioned, org-scoped table shares: get / find / list /
 * insert / update (version + 1) / soft delete. Every query filters by the scope's org.
 */
import { and, asc, desc, eq, getTableName, gte, inArray, isNotNull, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { AppError } from "../domain/errors.js";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import { isId, runStatements, shapeOf, uuidArray, uuidLiteral } from "./sql-text.js";

export { isId };

type ScopedTable = PgTable & {
  id: PgColumn;
  orgId: PgColumn;
  createdAt: PgColumn;
  version?: PgColumn;
  updatedAt?: PgColumn;
  deletedAt?: PgColumn;
};

export interface TableRepository<Row, Insert> {
  /** The row, or throws NOT_FOUND (also for malformed ids and deleted rows). */
  get(ex: Executor, scope: OrgScope, id: string, opts?: { forUpdate?: boolean }): Promise<Row>;
  /** The row, or null. */
  find(ex: Executor, scope: OrgScope, id: string): Promise<Row | null>;
  /** Live rows matching `where`, oldest first. */
  list(ex: Executor, scope: OrgScope, where?: SQL): Promise<Row[]>;
  /** Live rows with these ids (missing ones are simply absent). */
  listByIds(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<Row[]>;
  insert(ex: Executor, scope: OrgScope, values: Omit<Insert, "orgId">): Promise<Row>;
  /** Inserts rows in statements of at most a thousand; returns them in order. */
  insertMany(ex: Executor, scope: OrgScope, values: readonly Omit<Insert, "orgId">[]): Promise<Row[]>;
  /** Applies `patch`, bumps the version and the update time. */
  update(
    ex: Executor,
    scope: OrgScope,
    id: string,
    patch: Partial<Insert>,
    opts?: { bumpVersion?: boolean },
  ): Promise<Row>;
  /** Applies the same `patch` to the live rows with these ids (version and update time as `update`); returns how many. */
  updateMany(ex: Executor, scope: OrgScope, ids: readonly string[], patch: Partial<Insert>): Promise<number>;
  /** Marks the row deleted at `at` (kept for the trash and the audit trail). */
  softDelete(ex: Executor, scope: OrgScope, id: string, at?: Date): Promise<void>;
  /** A deleted row (in the trash), or null. */
  findDeleted(ex: Executor, scope: OrgScope, id: string): Promise<Row | null>;
  /** Rows deleted at or after `since`, newest first. */
  listDeleted(ex: Executor, scope: OrgScope, since: Date): Promise<Row[]>;
  /** Takes a row out of the trash (version + 1). */
  restore(ex: Executor, scope: OrgScope, id: string): Promise<Row>;
  /** Erases the organisation's rows deleted before `before` (the trash's 30 days are over). */
  purgeDeleted(ex: Executor, scope: OrgScope, before: Date): Promise<number>;
}

/** Builds the shared repository for one table; `noun` names the object in NOT_FOUND messages. */
export function tableRepository<T extends ScopedTable>(
  table: T,
  noun: string,
): TableRepository<T["$inferSelect"], T["$inferInsert"]> {
  // drizzle's generic table types do not narrow through a helper; the casts stay inside this file.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const t = table as any;
  const live = (scope: OrgScope, extra?: SQL) =>
    and(eq(t.orgId, scope.orgId), t.deletedAt ? isNull(t.deletedAt) : undefined, extra);

  // Reads by id as SQL text built once (the columns' own names, read back through their own
  // mappings): every request reads a few rows by id, and drizzle's query builder cost more of
  // Node's time than the rest of such a read.
  const shape = shapeOf(table);
  const liveRows = (scope: OrgScope, where: string) =>
    `select ${shape.list("t", "")} from "${getTableName(table)}" t
      where t."${t.orgId.name}" = ${uuidLiteral(scope.orgId)} and ${where}${t.deletedAt ? ` and t."${t.deletedAt.name}" is null` : ""}`;
  const readRows = async (ex: Executor, text: string): Promise<T["$inferSelect"][]> => {
    const [rows] = await runStatements(ex, false, [text]);
    return rows!.map((r) => shape.read(r, "")!) as T["$inferSelect"][];
  };
  const find = async (ex: Executor, scope: OrgScope, id: string, forUpdate = false) => {
    if (!isId(id)) return null;
    const rows = await readRows(
      ex,
      `${liveRows(scope, `t."${t.id.name}" = ${uuidLiteral(id)}`)} limit 1${forUpdate ? " for update" : ""}`,
    );
    return rows[0] ?? null;
  };

  return {
    async get(ex, scope, id, opts) {
      const row = await find(ex, scope, id, opts?.forUpdate);
      if (!row) throw AppError.notFound(noun, id);
      return row;
    },
    find: (ex, scope, id) => find(ex, scope, id),
    list: (ex, scope, where) =>
      ex.select().from(t).where(live(scope, where)).orderBy(asc(t.createdAt), asc(t.id)) as never,
    async listByIds(ex, scope, ids) {
      const valid = ids.filter(isId);
      if (valid.length === 0) return [];
      return (await readRows(ex, liveRows(scope, `t."${t.id.name}" = any(${uuidArray(valid)})`))) as never;
    },
    async insert(ex, scope, values) {
      const rows = (await ex
        .insert(t)
        .values({ ...values, orgId: scope.orgId })
        .returning()) as T["$inferSelect"][];
      return rows[0]!;
    },
    async insertMany(ex, scope, values) {
      const out: T["$inferSelect"][] = [];
      for (let i = 0; i < values.length; i += 1000) {
        const part = values.slice(i, i + 1000).map((v) => ({ ...v, orgId: scope.orgId }));
        out.push(...((await ex.insert(t).values(part).returning()) as T["$inferSelect"][]));
      }
      return out as never;
    },
    async update(ex, scope, id, patch, opts) {
      const set: Record<string, unknown> = { ...patch };
      if (t.updatedAt) set.updatedAt = new Date();
      if (t.version && opts?.bumpVersion !== false) set.version = sql`${t.version} + 1`;
      const rows = await ex
        .update(t)
        .set(set)
        .where(live(scope, eq(t.id, id)))
        .returning();
      if (!rows[0]) throw AppError.notFound(noun, id);
      return rows[0];
    },
    async updateMany(ex, scope, ids, patch) {
      const wanted = ids.filter(isId);
      if (!wanted.length) return 0;
      const set: Record<string, unknown> = { ...patch };
      if (t.updatedAt) set.updatedAt = new Date();
      if (t.version) set.version = sql`${t.version} + 1`;
      const rows = await ex
        .update(t)
        .set(set)
        .where(live(scope, inArray(t.id, wanted)))
        .returning({ id: t.id });
      return rows.length;
    },
    async softDelete(ex, scope, id, at) {
      if (!t.deletedAt) {
        await ex.delete(t).where(and(eq(t.orgId, scope.orgId), eq(t.id, id)));
        return;
      }
      await ex
        .update(t)
        .set({ deletedAt: at ?? new Date(), version: sql`${t.version} + 1` })
        .where(live(scope, eq(t.id, id)));
    },
    async findDeleted(ex, scope, id) {
      if (!t.deletedAt || !isId(id)) return null;
      const rows = await ex
        .select()
        .from(t)
        .where(and(eq(t.orgId, scope.orgId), eq(t.id, id), isNotNull(t.deletedAt)))
        .limit(1);
      return (rows[0] as T["$inferSelect"] | undefined) ?? null;
    },
    async listDeleted(ex, scope, since) {
      if (!t.deletedAt) return [];
      return (await ex
        .select()
        .from(t)
        .where(and(eq(t.orgId, scope.orgId), gte(t.deletedAt, since)))
        .orderBy(desc(t.deletedAt))) as never;
    },
    async restore(ex, scope, id) {
      const rows = await ex
        .update(t)
        .set({ deletedAt: null, version: sql`${t.version} + 1`, ...(t.updatedAt ? { updatedAt: new Date() } : {}) })
        .where(and(eq(t.orgId, scope.orgId), eq(t.id, id), isNotNull(t.deletedAt)))
        .returning();
      if (!rows[0]) throw AppError.notFound(`deleted ${noun}`, id);
      return rows[0] as T["$inferSelect"];
    },
    async purgeDeleted(ex, scope, before) {
      if (!t.deletedAt) return 0;
      const gone = await ex
        .delete(t)
        .where(and(eq(t.orgId, scope.orgId), lt(t.deletedAt, before)))
        .returning({ id: t.id });
      return gone.length;
    },
  };
}
