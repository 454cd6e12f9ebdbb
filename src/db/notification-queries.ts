/**
 * The notification centre, its email outbox and each person's preferences (#12). Every query
 * names the organisation; the outbox is drained one organisation at a time.
 */
import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

export type NotificationRow = typeof s.notifications.$inferSelect;
export type NotificationInsert = Omit<typeof s.notifications.$inferInsert, "orgId" | "id">;
export type PreferencesRow = typeof s.notificationPreferences.$inferSelect;

/** A person without a row has these. */
export const DEFAULT_PREFERENCES = { channel: "email", quietDays: [] as number[], digest: true };

export const notificationQueries = {
  async insert(ex: Executor, scope: OrgScope, rows: readonly NotificationInsert[]): Promise<NotificationRow[]> {
    if (rows.length === 0) return [];
    return ex
      .insert(s.notifications)
      .values(rows.map((r) => ({ ...r, orgId: scope.orgId })))
      .returning();
  },

  /**
   * One person's notices, newest first, after the keyset cursor (createdAt, id) when given. Each
   * row comes with its instant as text to the microsecond (`key`): a JavaScript date keeps only
   * milliseconds, and a cursor cut to them would skip the rows written in the same millisecond.
   */
  async page(
    ex: Executor,
    scope: OrgScope,
    userId: string,
    limit: number,
    after: { at: string; id: string } | null,
    unreadOnly: boolean,
  ): Promise<{ row: NotificationRow; key: string }[]> {
    const n = s.notifications;
    return ex
      .select({ row: n, key: sql<string>`to_char(${n.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
      .from(n)
      .where(
        and(
          eq(n.orgId, scope.orgId),
          eq(n.userId, userId),
          unreadOnly ? isNull(n.readAt) : undefined,
          after ? sql`(${n.createdAt}, ${n.id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(n.createdAt), desc(n.id))
      .limit(limit);
  },

  /** One person's unread notices about these objectives or about none (the centre hides those whose objective they may no longer see). */
  async unread(ex: Executor, scope: OrgScope, userId: string, cap: number): Promise<{ objectiveId: string | null }[]> {
    const n = s.notifications;
    return ex
      .select({ objectiveId: n.objectiveId })
      .from(n)
      .where(and(eq(n.orgId, scope.orgId), eq(n.userId, userId), isNull(n.readAt)))
      .limit(cap);
  },

  /** Marks one person's notices read (all of them when `ids` is null); returns how many changed. */
  async markRead(
    ex: Executor,
    scope: OrgScope,
    userId: string,
    ids: readonly string[] | null,
    at: Date,
  ): Promise<number> {
    const n = s.notifications;
    if (ids !== null && ids.filter(isId).length === 0) return 0;
    const rows = await ex
      .update(n)
      .set({ readAt: at })
      .where(
        and(
          eq(n.orgId, scope.orgId),
          eq(n.userId, userId),
          isNull(n.readAt),
          ids === null ? undefined : inArray(n.id, ids.filter(isId)),
        ),
      )
      .returning({ id: n.id });
    return rows.length;
  },

  async get(ex: Executor, scope: OrgScope, id: string): Promise<NotificationRow | null> {
    const n = s.notifications;
    if (!isId(id)) return null;
    const [row] = await ex
      .select()
      .from(n)
      .where(and(eq(n.orgId, scope.orgId), eq(n.id, id)));
    return row ?? null;
  },

  /**
   * Claims up to `limit` notices whose email waits (state `sending`, one more attempt) in one
   * statement that skips rows another instance holds (`SKIP LOCKED`): each email goes once. A
   * claim older than ten minutes (a process that died while sending) is taken again.
   */
  async claimPendingEmail(ex: Executor, scope: OrgScope, limit: number, now: Date): Promise<NotificationRow[]> {
    const n = s.notifications;
    const stale = new Date(now.getTime() - 10 * 60_000);
    const claimable = ex
      .select({ id: n.id })
      .from(n)
      .where(
        and(
          eq(n.orgId, scope.orgId),
          or(eq(n.emailState, "pending"), and(eq(n.emailState, "sending"), lt(n.emailedAt, stale))),
        ),
      )
      .orderBy(asc(n.createdAt))
      .limit(limit)
      .for("update", { skipLocked: true });
    return ex
      .update(n)
      .set({ emailState: "sending", emailAttempts: sql`${n.emailAttempts} + 1`, emailedAt: now })
      .where(and(eq(n.orgId, scope.orgId), inArray(n.id, claimable)))
      .returning();
  },

  /** Records how a claimed email went: sent, failed for good, or back to the outbox (pending). */
  async setEmailState(
    ex: Executor,
    scope: OrgScope,
    ids: readonly string[],
    state: "sent" | "failed" | "pending",
    at: Date,
  ): Promise<void> {
    const n = s.notifications;
    if (ids.length === 0) return;
    await ex
      .update(n)
      .set({ emailState: state, emailedAt: state === "sent" ? at : null })
      .where(and(eq(n.orgId, scope.orgId), inArray(n.id, [...ids])));
  },

  /** The preferences of these people (defaults for those without a row). */
  async preferences(ex: Executor, scope: OrgScope, userIds: readonly string[]): Promise<Map<string, PreferencesRow>> {
    const p = s.notificationPreferences;
    const ids = userIds.filter(isId);
    const rows = ids.length
      ? await ex
          .select()
          .from(p)
          .where(and(eq(p.orgId, scope.orgId), inArray(p.userId, ids)))
      : [];
    const out = new Map<string, PreferencesRow>();
    for (const id of ids)
      out.set(id, { orgId: scope.orgId, userId: id, ...DEFAULT_PREFERENCES, updatedAt: new Date(0) });
    for (const r of rows) out.set(r.userId, r);
    return out;
  },

  async savePreferences(
    ex: Executor,
    scope: OrgScope,
    userId: string,
    prefs: { channel: string; quietDays: number[]; digest: boolean },
  ): Promise<PreferencesRow> {
    const p = s.notificationPreferences;
    const [row] = await ex
      .insert(p)
      .values({ orgId: scope.orgId, userId, ...prefs })
      .onConflictDoUpdate({ target: [p.orgId, p.userId], set: { ...prefs, updatedAt: new Date() } })
      .returning();
    if (!row) throw new Error("preferences upsert returned nothing");
    return row;
  },

  /**
   * `recipients` with each one's notification preferences (the defaults where they set none),
   * in one statement: what sending notices needs to know of the people they go to.
   */
  async recipientsWithPreferences(
    ex: Executor,
    scope: OrgScope,
    ids: readonly string[],
  ): Promise<{
    people: { id: string; name: string; email: string; role: string; managerId: string | null }[];
    preferences: Map<string, PreferencesRow>;
  }> {
    const u = s.users;
    const p = s.notificationPreferences;
    const valid = [...new Set(ids.filter(isId))];
    if (valid.length === 0) return { people: [], preferences: new Map() };
    const rows = await ex
      .select({ id: u.id, name: u.name, email: u.email, role: u.role, managerId: u.managerId, prefs: p })
      .from(u)
      .leftJoin(p, and(eq(p.orgId, u.orgId), eq(p.userId, u.id)))
      .where(and(eq(u.orgId, scope.orgId), inArray(u.id, valid), eq(u.active, true)));
    const preferences = new Map<string, PreferencesRow>();
    for (const { id, prefs } of rows) {
      preferences.set(id, prefs ?? { orgId: scope.orgId, userId: id, ...DEFAULT_PREFERENCES, updatedAt: new Date(0) });
    }
    return { people: rows.map(({ prefs: _, ...person }) => person), preferences };
  },

  /** The active people among these ids, with what a notice needs of them. */
  async recipients(
    ex: Executor,
    scope: OrgScope,
    ids: readonly string[],
  ): Promise<{ id: string; name: string; email: string; role: string; managerId: string | null }[]> {
    const u = s.users;
    const valid = [...new Set(ids.filter(isId))];
    if (valid.length === 0) return [];
    return ex
      .select({ id: u.id, name: u.name, email: u.email, role: u.role, managerId: u.managerId })
      .from(u)
      .where(and(eq(u.orgId, scope.orgId), inArray(u.id, valid), eq(u.active, true)));
  },
};
