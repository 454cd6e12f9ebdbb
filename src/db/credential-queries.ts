/**
 * Credentials the API manages: people's API tokens and the organisation's SCIM tokens, and
 * the counts SCIM's rules need. Every query is scoped by organisation, except finding a SCIM
 * token by its secret (which is how its organisation is found).
 */
import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { TeamRow, TokenRow, UserRow } from "./repositories.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

export type ScimTokenRow = typeof s.scimTokens.$inferSelect;

export const apiTokenQueries = {
  /** A person's live tokens, newest first. */
  async liveOf(ex: Executor, scope: OrgScope, userId: string): Promise<TokenRow[]> {
    const t = s.apiTokens;
    return ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.userId, userId), isNull(t.revokedAt)))
      .orderBy(desc(t.createdAt));
  },
  /** A live token of the organisation, or null (also for a malformed id). */
  async findLive(ex: Executor, scope: OrgScope, id: string): Promise<TokenRow | null> {
    if (!isId(id)) return null;
    const t = s.apiTokens;
    const [row] = await ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, id), isNull(t.revokedAt)));
    return row ?? null;
  },
  async revoke(ex: Executor, scope: OrgScope, id: string, at: Date): Promise<void> {
    await ex
      .update(s.apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(s.apiTokens.orgId, scope.orgId), eq(s.apiTokens.id, id)));
  },
};

export const scimQueries = {
  /**
   * The live SCIM token with this secret's hash and its issuer as they are now. Not scoped: the
   * bearer secret is what names the organisation a provisioning request is for.
   */
  async findLiveByHash(
    ex: Executor,
    tokenHash: string,
  ): Promise<{ token: ScimTokenRow; issuer: UserRow | null } | null> {
    const t = s.scimTokens;
    // unscoped: authentication by the bearer secret; the join keeps the issuer in the token's organisation
    const [row] = await ex
      .select({ token: t, issuer: s.users })
      .from(t)
      .leftJoin(s.users, and(eq(s.users.id, t.createdBy), eq(s.users.orgId, t.orgId)))
      .where(and(eq(t.tokenHash, tokenHash), isNull(t.revokedAt)))
      .limit(1);
    return row ?? null;
  },
  /** Records a use of a SCIM token (bookkeeping, at most once a minute per token). */
  async touch(ex: Executor, scope: OrgScope, id: string, at: Date): Promise<void> {
    await ex
      .update(s.scimTokens)
      .set({ lastUsedAt: at })
      .where(and(eq(s.scimTokens.orgId, scope.orgId), eq(s.scimTokens.id, id)));
  },
  async insert(ex: Executor, scope: OrgScope, values: { name: string; tokenHash: string; createdBy: string }) {
    const [row] = await ex
      .insert(s.scimTokens)
      .values({ ...values, orgId: scope.orgId })
      .returning();
    return row!;
  },
  /** The organisation's live SCIM tokens, newest first. */
  async live(ex: Executor, scope: OrgScope): Promise<ScimTokenRow[]> {
    const t = s.scimTokens;
    return ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), isNull(t.revokedAt)))
      .orderBy(desc(t.createdAt), desc(t.id));
  },
  /** A live SCIM token of the organisation, or null (also for a malformed id). */
  async findLive(ex: Executor, scope: OrgScope, id: string): Promise<ScimTokenRow | null> {
    if (!isId(id)) return null;
    const t = s.scimTokens;
    const [row] = await ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, id), isNull(t.revokedAt)));
    return row ?? null;
  },
  async revoke(ex: Executor, scope: OrgScope, id: string, at: Date): Promise<void> {
    await ex
      .update(s.scimTokens)
      .set({ revokedAt: at })
      .where(and(eq(s.scimTokens.orgId, scope.orgId), eq(s.scimTokens.id, id)));
  },
  /** How many active owners the organisation has besides `exceptUserId`. */
  async otherActiveOwners(ex: Executor, scope: OrgScope, exceptUserId: string): Promise<number> {
    const u = s.users;
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(u)
      .where(and(eq(u.orgId, scope.orgId), eq(u.role, "owner"), eq(u.active, true), ne(u.id, exceptUserId)));
    return Number(row?.n ?? 0);
  },
  /** How many live objectives a team owns. */
  async objectivesOfTeam(ex: Executor, scope: OrgScope, teamId: string): Promise<number> {
    const o = s.objectives;
    const [row] = await ex
      .select({ n: sql<number>`count(*)::int` })
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), eq(o.teamId, teamId), isNull(o.deletedAt)));
    return Number(row?.n ?? 0);
  },
  /** The live teams with this name, in any case. */
  async teamsNamed(ex: Executor, scope: OrgScope, name: string): Promise<TeamRow[]> {
    const t = s.teams;
    return ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), isNull(t.deletedAt), sql`lower(${t.name}) = lower(${name})`))
      .orderBy(t.createdAt, t.id);
  },
  /** The live sub-teams of a team. */
  async subTeams(ex: Executor, scope: OrgScope, teamId: string): Promise<TeamRow[]> {
    const t = s.teams;
    return ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), isNull(t.deletedAt), eq(t.parentId, teamId)))
      .orderBy(t.createdAt, t.id);
  },
};
