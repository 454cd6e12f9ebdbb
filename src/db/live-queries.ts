/**
 * What the live-update stream looks up after a commit: which objectives a change concerns
 * (to tell a private objective's changes only to those who may see it), and which API tokens
 * a change to a person concerns. Every query is scoped by organisation.
 */
import { and, eq, gte, inArray, isNull, or } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { AlignmentRow } from "./repositories.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

const valid = (ids: readonly string[]) => ids.filter(isId);

export const liveQueries = {
  /** The objectives of these key results (deleted ones included). */
  async objectivesOfKeyResults(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<string[]> {
    const k = s.keyResults;
    if (!valid(ids).length) return [];
    const rows = await ex
      .select({ id: k.objectiveId })
      .from(k)
      .where(and(eq(k.orgId, scope.orgId), inArray(k.id, valid(ids))));
    return rows.map((r) => r.id);
  },
  /** The key result of a check-in (deleted ones included), as a list of none or one. */
  async keyResultOfCheckIn(ex: Executor, scope: OrgScope, id: string): Promise<string[]> {
    const c = s.checkIns;
    if (!isId(id)) return [];
    const rows = await ex
      .select({ kr: c.keyResultId })
      .from(c)
      .where(and(eq(c.orgId, scope.orgId), eq(c.id, id)));
    return rows.map((r) => r.kr);
  },
  /** The key result a check-in token belongs to (revoked ones included), as a list of none or one. */
  async keyResultOfToken(ex: Executor, scope: OrgScope, id: string): Promise<string[]> {
    const k = s.keyResultTokens;
    if (!isId(id)) return [];
    const rows = await ex
      .select({ kr: k.keyResultId })
      .from(k)
      .where(and(eq(k.orgId, scope.orgId), eq(k.id, id)));
    return rows.map((r) => r.kr);
  },
  /** The objective of an initiative (deleted ones included), as a list of none or one. */
  async objectiveOfInitiative(ex: Executor, scope: OrgScope, id: string): Promise<string[]> {
    const i = s.initiatives;
    if (!isId(id)) return [];
    const rows = await ex
      .select({ id: i.objectiveId })
      .from(i)
      .where(and(eq(i.orgId, scope.orgId), eq(i.id, id)));
    return rows.map((r) => r.id);
  },
  async alignment(ex: Executor, scope: OrgScope, id: string): Promise<AlignmentRow | null> {
    const a = s.alignments;
    if (!isId(id)) return null;
    const [row] = await ex
      .select()
      .from(a)
      .where(and(eq(a.orgId, scope.orgId), eq(a.id, id)));
    return row ?? null;
  },
  /** Which of these objectives are private, with what decides who may see them. */
  async privateAmong(ex: Executor, scope: OrgScope, ids: readonly string[]) {
    const o = s.objectives;
    if (!valid(ids).length) return [];
    return ex
      .select({ level: o.level, teamId: o.teamId, ownerIds: o.ownerIds, visibility: o.visibility })
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), inArray(o.id, valid(ids)), eq(o.visibility, "private")));
  },
  /** The hashes of the API tokens a person issued that are live or were revoked since `since`. */
  async tokenHashesIssuedBy(ex: Executor, scope: OrgScope, issuerId: string, since: Date): Promise<string[]> {
    const t = s.apiTokens;
    const rows = await ex
      .select({ tokenHash: t.tokenHash })
      .from(t)
      .where(
        and(eq(t.orgId, scope.orgId), eq(t.createdBy, issuerId), or(isNull(t.revokedAt), gte(t.revokedAt, since))),
      );
    return rows.map((r) => r.tokenHash);
  },
  /** The hash of an API token, as a list of none or one. */
  async tokenHash(ex: Executor, scope: OrgScope, id: string): Promise<string[]> {
    const t = s.apiTokens;
    if (!isId(id)) return [];
    const rows = await ex
      .select({ tokenHash: t.tokenHash })
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, id)));
    return rows.map((r) => r.tokenHash);
  },
};
