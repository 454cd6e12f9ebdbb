/**
 * What an audit page needs to name its objects: one batched read per kind of object, for the
 * ids on that page only. Rows in the trash are read too (flagged by `deletedAt`), so the caller
 * can tell a deleted object from a live one and apply a private objective's visibility to it
 * even after it was deleted; erased rows are simply absent.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

/** The valid ids among these, once each (anything else names no row). */
const idsOf = (ids: Iterable<string>) => [...new Set([...ids].filter(isId))];

/** A named row: its name (or title) and when it went to the trash. */
export interface NamedRow {
  id: string;
  name: string;
  deletedAt: Date | null;
}

export const auditNameQueries = {
  /** Objectives with what their visibility depends on, deleted ones included. */
  async objectives(ex: Executor, scope: OrgScope, ids: Iterable<string>) {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const o = s.objectives;
    return ex
      .select({
        id: o.id,
        name: o.title,
        deletedAt: o.deletedAt,
        level: o.level,
        teamId: o.teamId,
        ownerIds: o.ownerIds,
        visibility: o.visibility,
      })
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), inArray(o.id, wanted)));
  },
  /** Key results with their objective, deleted ones included. */
  async keyResults(ex: Executor, scope: OrgScope, ids: Iterable<string>) {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const k = s.keyResults;
    return ex
      .select({ id: k.id, name: k.title, deletedAt: k.deletedAt, objectiveId: k.objectiveId })
      .from(k)
      .where(and(eq(k.orgId, scope.orgId), inArray(k.id, wanted)));
  },
  /** Check-ins with their key result, deleted ones included. */
  async checkIns(ex: Executor, scope: OrgScope, ids: Iterable<string>) {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const c = s.checkIns;
    return ex
      .select({ id: c.id, keyResultId: c.keyResultId, deletedAt: c.deletedAt })
      .from(c)
      .where(and(eq(c.orgId, scope.orgId), inArray(c.id, wanted)));
  },
  /** Comments with the objective whose visibility they follow, deleted ones included. */
  async comments(ex: Executor, scope: OrgScope, ids: Iterable<string>) {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const c = s.comments;
    return ex
      .select({ id: c.id, objectiveId: c.objectiveId, deletedAt: c.deletedAt })
      .from(c)
      .where(and(eq(c.orgId, scope.orgId), inArray(c.id, wanted)));
  },
  /** Sessions with their account. */
  async sessions(ex: Executor, scope: OrgScope, ids: Iterable<string>) {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const t = s.sessions;
    return ex
      .select({ id: t.id, userId: t.userId })
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), inArray(t.id, wanted)));
  },
  /** People (accounts are deactivated, never deleted). */
  async users(ex: Executor, scope: OrgScope, ids: Iterable<string>): Promise<NamedRow[]> {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const u = s.users;
    const rows = await ex
      .select({ id: u.id, name: u.name })
      .from(u)
      .where(and(eq(u.orgId, scope.orgId), inArray(u.id, wanted)));
    return rows.map((r) => ({ ...r, deletedAt: null }));
  },
  async teams(ex: Executor, scope: OrgScope, ids: Iterable<string>): Promise<NamedRow[]> {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const t = s.teams;
    return ex
      .select({ id: t.id, name: t.name, deletedAt: t.deletedAt })
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), inArray(t.id, wanted)));
  },
  async periods(ex: Executor, scope: OrgScope, ids: Iterable<string>): Promise<NamedRow[]> {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const p = s.periods;
    return ex
      .select({ id: p.id, name: p.name, deletedAt: p.deletedAt })
      .from(p)
      .where(and(eq(p.orgId, scope.orgId), inArray(p.id, wanted)));
  },
  async kpis(ex: Executor, scope: OrgScope, ids: Iterable<string>): Promise<NamedRow[]> {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const k = s.kpis;
    return ex
      .select({ id: k.id, name: k.name, deletedAt: k.deletedAt })
      .from(k)
      .where(and(eq(k.orgId, scope.orgId), inArray(k.id, wanted)));
  },
  async initiatives(ex: Executor, scope: OrgScope, ids: Iterable<string>): Promise<NamedRow[]> {
    const wanted = idsOf(ids);
    if (!wanted.length) return [];
    const i = s.initiatives;
    return ex
      .select({ id: i.id, name: i.title, deletedAt: i.deletedAt })
      .from(i)
      .where(and(eq(i.orgId, scope.orgId), inArray(i.id, wanted)));
  },
};
