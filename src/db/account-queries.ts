/**
 * Accounts' storage: sign-in attempts and lockout, browser sessions, API tokens revoked with
 * a person's rank, emailed links (invitations and password resets), one-time sign-in codes
 * and the instance's link key. Every query is scoped by organisation, except those that find
 * an account from a secret or an email before anyone is signed in (each says why).
 */
import { and, desc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { UserRow } from "./repositories.js";
import * as s from "./schema.js";

export type SessionRow = typeof s.sessions.$inferSelect;
export type EmailLinkRow = typeof s.emailTokens.$inferSelect;
export type SignInCodeRow = typeof s.signInCodes.$inferSelect;
export type LinkPurpose = "invite" | "reset";

const byId = (scope: OrgScope, table: typeof s.sessions | typeof s.emailTokens | typeof s.signInCodes, id: string) =>
  and(eq(table.orgId, scope.orgId), eq(table.id, id));

export const accountQueries = {
  /**
   * The active accounts with this email (any case), in every organisation. Not scoped: signing
   * in and asking for a reset link name an email, not an organisation.
   */
  async activeUsersByEmail(ex: Executor, email: string): Promise<UserRow[]> {
    // unscoped: sign-in and "forgot password" find the account by email across organisations
    return ex
      .select()
      .from(s.users)
      .where(and(sql`lower(${s.users.email}) = lower(${email})`, eq(s.users.active, true)));
  },

  /** Counts one more failed sign-in (in the database, so parallel attempts cannot slip past). */
  async countFailedLogin(ex: Executor, scope: OrgScope, userId: string): Promise<number> {
    const [row] = await ex
      .update(s.users)
      .set({ failedLogins: sql`${s.users.failedLogins} + 1` })
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, userId)))
      .returning({ failures: s.users.failedLogins });
    return row?.failures ?? 0;
  },

  /** Locks an account until `until` and starts counting failures again. */
  async lockUntil(ex: Executor, scope: OrgScope, userId: string, until: Date): Promise<void> {
    await ex
      .update(s.users)
      .set({ failedLogins: 0, lockedUntil: until })
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, userId)));
  },

  /** Sets the password (and, when given, the name), clearing failed sign-ins and any lock. */
  async setPassword(
    ex: Executor,
    scope: OrgScope,
    userId: string,
    passwordHash: string | undefined,
    name?: string | undefined,
    /** Who else could have chosen it (the link's issuer); left as it was when not given. */
    setBy?: string | null,
  ): Promise<void> {
    await ex
      .update(s.users)
      .set({
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        ...(setBy !== undefined ? { passwordSetBy: setBy } : {}),
        failedLogins: 0,
        lockedUntil: null,
        ...(name !== undefined ? { name } : {}),
      })
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, userId)));
  },

  /** Forgets a person's password (a promotion beyond whoever else could have chosen it). */
  async clearPassword(ex: Executor, scope: OrgScope, userId: string): Promise<void> {
    await ex
      .update(s.users)
      .set({ passwordHash: null, passwordSetBy: null })
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, userId)));
  },

  /** Records who set a person's email (null: the person, their identity provider or SCIM). */
  async setEmailSetBy(ex: Executor, scope: OrgScope, userId: string, setBy: string | null): Promise<void> {
    await ex
      .update(s.users)
      .set({ emailSetBy: setBy })
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, userId)));
  },

  /** The people whose password was set through a link `setterId` issued. */
  async passwordsSetBy(ex: Executor, scope: OrgScope, setterId: string): Promise<UserRow[]> {
    return ex
      .select()
      .from(s.users)
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.passwordSetBy, setterId)));
  },

  // ------------------------------------------------------------ sessions

  async insertSession(ex: Executor, scope: OrgScope, values: Omit<typeof s.sessions.$inferInsert, "orgId">) {
    await ex.insert(s.sessions).values({ ...values, orgId: scope.orgId });
  },

  /**
   * The session with this secret's hash and its account. Not scoped: the cookie's secret is
   * what names the session (and so the organisation).
   */
  async findSessionByHash(ex: Executor, tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | null> {
    // unscoped: authentication by the cookie's secret; the join keeps the account in the session's organisation
    const rows = await ex
      .select({ session: s.sessions, user: s.users })
      .from(s.sessions)
      .innerJoin(s.users, and(eq(s.users.id, s.sessions.userId), eq(s.users.orgId, s.sessions.orgId)))
      .where(eq(s.sessions.tokenHash, tokenHash))
      .limit(1);
    return rows[0] ?? null;
  },

  /** Remembers activity on a session (for the idle timeout). */
  async touchSession(ex: Executor, scope: OrgScope, sessionId: string, at: Date): Promise<void> {
    await ex
      .update(s.sessions)
      .set({ lastSeenAt: at })
      .where(byId(scope, s.sessions, sessionId));
  },

  /** Ends one open session (of `userId` when given); returns it, or null when it was not open. */
  async endSession(
    ex: Executor,
    scope: OrgScope,
    sessionId: string,
    at: Date,
    userId?: string,
  ): Promise<{ id: string; userId: string; method: string } | null> {
    const [ended] = await ex
      .update(s.sessions)
      .set({ revokedAt: at })
      .where(
        and(
          byId(scope, s.sessions, sessionId),
          userId ? eq(s.sessions.userId, userId) : undefined,
          isNull(s.sessions.revokedAt),
        ),
      )
      .returning({ id: s.sessions.id, userId: s.sessions.userId, method: s.sessions.method });
    return ended ?? null;
  },

  /** Ends every open session of a person, except `keep`. */
  async endSessionsOf(ex: Executor, scope: OrgScope, userId: string, at: Date, keep?: string): Promise<void> {
    await ex
      .update(s.sessions)
      .set({ revokedAt: at })
      .where(
        and(
          eq(s.sessions.orgId, scope.orgId),
          eq(s.sessions.userId, userId),
          isNull(s.sessions.revokedAt),
          keep ? ne(s.sessions.id, keep) : undefined,
        ),
      );
  },

  /** A person's open sessions, most recently used first. */
  async openSessionsOf(ex: Executor, scope: OrgScope, userId: string, now: Date): Promise<SessionRow[]> {
    return ex
      .select()
      .from(s.sessions)
      .where(
        and(
          eq(s.sessions.orgId, scope.orgId),
          eq(s.sessions.userId, userId),
          isNull(s.sessions.revokedAt),
          gt(s.sessions.expiresAt, now),
        ),
      )
      .orderBy(desc(s.sessions.lastSeenAt));
  },

  // ------------------------------------------------------------ API tokens held and issued

  /**
   * Revokes a person's live API tokens — all of them, or (`issuedByOthers`) only those someone
   * else issued for them — and returns their ids.
   */
  async revokeTokensOf(
    ex: Executor,
    scope: OrgScope,
    userId: string,
    at: Date,
    issuedByOthers: boolean,
  ): Promise<string[]> {
    const t = s.apiTokens;
    const rows = await ex
      .update(t)
      .set({ revokedAt: at })
      .where(
        and(
          eq(t.orgId, scope.orgId),
          eq(t.userId, userId),
          isNull(t.revokedAt),
          issuedByOthers ? and(isNotNull(t.createdBy), ne(t.createdBy, userId)) : undefined,
        ),
      )
      .returning({ id: t.id });
    return rows.map((r) => r.id);
  },

  /** The live API tokens `issuerId` made for others, with their holders as they are now. */
  async tokensIssuedBy(ex: Executor, scope: OrgScope, issuerId: string): Promise<{ id: string; holder: UserRow }[]> {
    const t = s.apiTokens;
    return ex
      .select({ id: t.id, holder: s.users })
      .from(t)
      .innerJoin(s.users, and(eq(s.users.id, t.userId), eq(s.users.orgId, t.orgId)))
      .where(and(eq(t.orgId, scope.orgId), eq(t.createdBy, issuerId), isNull(t.revokedAt)));
  },

  async revokeTokens(ex: Executor, scope: OrgScope, ids: readonly string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await ex
      .update(s.apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(s.apiTokens.orgId, scope.orgId), inArray(s.apiTokens.id, [...ids])));
  },

  // ------------------------------------------------------------ emailed links

  /** The unused links `issuerId` made for others, with their holders as they are now. */
  async linksIssuedBy(ex: Executor, scope: OrgScope, issuerId: string): Promise<{ id: string; holder: UserRow }[]> {
    const e = s.emailTokens;
    return ex
      .select({ id: e.id, holder: s.users })
      .from(e)
      .innerJoin(s.users, and(eq(s.users.id, e.userId), eq(s.users.orgId, e.orgId)))
      .where(and(eq(e.orgId, scope.orgId), eq(e.createdBy, issuerId), isNull(e.usedAt)));
  },

  async voidLinksById(ex: Executor, scope: OrgScope, ids: readonly string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await ex
      .update(s.emailTokens)
      .set({ usedAt: at })
      .where(and(eq(s.emailTokens.orgId, scope.orgId), inArray(s.emailTokens.id, [...ids])));
  },

  /** Marks a person's unused links (of one purpose, or all) as used; returns how many. */
  async voidLinksOf(ex: Executor, scope: OrgScope, userId: string, at: Date, purpose?: LinkPurpose): Promise<number> {
    const e = s.emailTokens;
    const voided = await ex
      .update(e)
      .set({ usedAt: at })
      .where(
        and(
          eq(e.orgId, scope.orgId),
          eq(e.userId, userId),
          isNull(e.usedAt),
          purpose ? eq(e.purpose, purpose) : undefined,
        ),
      )
      .returning({ id: e.id });
    return voided.length;
  },

  async insertLink(ex: Executor, scope: OrgScope, values: Omit<typeof s.emailTokens.$inferInsert, "orgId">) {
    await ex.insert(s.emailTokens).values({ ...values, orgId: scope.orgId });
  },

  /** A person's newest unused reset link that has not expired, or null. */
  async openResetLink(ex: Executor, scope: OrgScope, userId: string, now: Date): Promise<EmailLinkRow | null> {
    const e = s.emailTokens;
    const [row] = await ex
      .select()
      .from(e)
      .where(
        and(
          eq(e.orgId, scope.orgId),
          eq(e.userId, userId),
          eq(e.purpose, "reset"),
          isNull(e.usedAt),
          gt(e.expiresAt, now),
        ),
      )
      .orderBy(desc(e.createdAt))
      .limit(1);
    return row ?? null;
  },

  /** Counts one more sending of a link, unless it was sent `max` times already; false then. */
  async countSend(ex: Executor, scope: OrgScope, linkId: string, max: number): Promise<boolean> {
    const e = s.emailTokens;
    const [counted] = await ex
      .update(e)
      .set({ sends: sql`${e.sends} + 1` })
      .where(and(byId(scope, e, linkId), sql`${e.sends} < ${max}`))
      .returning({ id: e.id });
    return Boolean(counted);
  },

  /**
   * The unused, unexpired link of this purpose with this secret's hash, or null. Not scoped:
   * the emailed secret is what names the link (and so the organisation).
   */
  async findOpenLinkByHash(
    ex: Executor,
    tokenHash: string,
    purpose: LinkPurpose,
    now: Date,
  ): Promise<EmailLinkRow | null> {
    const e = s.emailTokens;
    // unscoped: the emailed secret names the link; the person who holds it is not signed in yet
    const [row] = await ex
      .select()
      .from(e)
      .where(and(eq(e.tokenHash, tokenHash), eq(e.purpose, purpose), isNull(e.usedAt), gt(e.expiresAt, now)))
      .limit(1);
    return row ?? null;
  },

  /** Uses a link once: true when it was still unused and unexpired (and is used now). */
  async useLink(ex: Executor, scope: OrgScope, linkId: string, now: Date): Promise<boolean> {
    const e = s.emailTokens;
    const used = await ex
      .update(e)
      .set({ usedAt: now })
      .where(and(byId(scope, e, linkId), isNull(e.usedAt), gt(e.expiresAt, now)))
      .returning({ id: e.id });
    return used.length > 0;
  },

  /**
   * Whether anything ever let the person in: a session, an API token, an emailed link or a
   * sign-in code.
   */
  async hasSignInTraces(ex: Executor, scope: OrgScope, userId: string): Promise<boolean> {
    const traces = [
      () =>
        ex
          .select({ id: s.sessions.id })
          .from(s.sessions)
          .where(and(eq(s.sessions.orgId, scope.orgId), eq(s.sessions.userId, userId)))
          .limit(1),
      () =>
        ex
          .select({ id: s.apiTokens.id })
          .from(s.apiTokens)
          .where(and(eq(s.apiTokens.orgId, scope.orgId), eq(s.apiTokens.userId, userId)))
          .limit(1),
      () =>
        ex
          .select({ id: s.emailTokens.id })
          .from(s.emailTokens)
          .where(and(eq(s.emailTokens.orgId, scope.orgId), eq(s.emailTokens.userId, userId)))
          .limit(1),
      () =>
        ex
          .select({ id: s.signInCodes.id })
          .from(s.signInCodes)
          .where(and(eq(s.signInCodes.orgId, scope.orgId), eq(s.signInCodes.userId, userId)))
          .limit(1),
    ];
    for (const trace of traces) if ((await trace()).length > 0) return true;
    return false;
  },

  /** The instance's secret called `name`, made now (from `fresh`) when there is none yet. */
  async instanceSecret(ex: Executor, name: string, fresh: string): Promise<string> {
    await ex.insert(s.instanceSecrets).values({ name, secret: fresh }).onConflictDoNothing();
    const [row] = await ex.select().from(s.instanceSecrets).where(eq(s.instanceSecrets.name, name));
    return row!.secret;
  },

  // ------------------------------------------------------------ one-time sign-in codes

  async insertSignInCode(ex: Executor, scope: OrgScope, values: Omit<typeof s.signInCodes.$inferInsert, "orgId">) {
    await ex.insert(s.signInCodes).values({ ...values, orgId: scope.orgId });
  },

  /**
   * The unused, unexpired sign-in code with this hash, or null. Not scoped: the printed code
   * is what names the account (and so the organisation).
   */
  async findOpenSignInCode(ex: Executor, codeHash: string, now: Date): Promise<SignInCodeRow | null> {
    const c = s.signInCodes;
    // unscoped: the printed secret names the code; whoever holds it is not signed in yet
    const [row] = await ex
      .select()
      .from(c)
      .where(and(eq(c.codeHash, codeHash), isNull(c.usedAt), gt(c.expiresAt, now)))
      .limit(1);
    return row ?? null;
  },

  /** Uses a sign-in code once: true when it was still unused and unexpired (and is used now). */
  async useSignInCode(ex: Executor, scope: OrgScope, codeId: string, now: Date): Promise<boolean> {
    const c = s.signInCodes;
    const used = await ex
      .update(c)
      .set({ usedAt: now })
      .where(and(byId(scope, c, codeId), isNull(c.usedAt), gt(c.expiresAt, now)))
      .returning({ id: c.id });
    return used.length > 0;
  },

  /**
   * Records a use of an API token in `lastUsedAt` unless one after `stale` is recorded already
   * (conditional, so that parallel requests with one token write it once).
   */
  async touchToken(ex: Executor, scope: OrgScope, tokenId: string, at: Date, stale: Date): Promise<void> {
    const t = s.apiTokens;
    await ex
      .update(t)
      .set({ lastUsedAt: at })
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, tokenId), or(isNull(t.lastUsedAt), lte(t.lastUsedAt, stale))));
  },
};
