/**
 * Single sign-on's storage: the organisation's OpenID Connect configuration, the sign-ins in
 * flight between the redirect and the callback, and the link from a person to their subject
 * at the provider. Every query is scoped by organisation, except the three that find the
 * organisation in the first place (each says why).
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import type { UserRow } from "./repositories.js";
import * as s from "./schema.js";

export type SsoConfigRow = typeof s.ssoConfigs.$inferSelect;
export type SsoStateRow = typeof s.ssoStates.$inferSelect;

/** What a saved configuration holds (all but the organisation and the version). */
export type SsoConfigValues = Omit<typeof s.ssoConfigs.$inferInsert, "orgId" | "version">;

export const ssoQueries = {
  /** The organisation's configuration, or null when none was ever saved. */
  async findConfig(ex: Executor, scope: OrgScope): Promise<SsoConfigRow | null> {
    const rows = await ex.select().from(s.ssoConfigs).where(eq(s.ssoConfigs.orgId, scope.orgId)).limit(1);
    return rows[0] ?? null;
  },

  /**
   * The enabled configurations that list this email domain. Not scoped: this is how a sign-in
   * that starts from an email address finds its organisation (nobody is signed in yet).
   */
  async enabledConfigsForDomain(ex: Executor, domain: string): Promise<SsoConfigRow[]> {
    // unscoped: discovery of the organisation by the email's domain, before anyone is signed in
    return ex
      .select()
      .from(s.ssoConfigs)
      .where(and(eq(s.ssoConfigs.enabled, true), sql`${domain} = any(${s.ssoConfigs.allowedDomains})`));
  },

  /** Saves the configuration: the first one is inserted, a later one replaces it (version + 1). */
  async saveConfig(ex: Executor, scope: OrgScope, exists: boolean, values: SsoConfigValues): Promise<SsoConfigRow> {
    const [saved] = exists
      ? await ex
          .update(s.ssoConfigs)
          .set({ ...values, version: sql`${s.ssoConfigs.version} + 1` })
          .where(eq(s.ssoConfigs.orgId, scope.orgId))
          .returning()
      : await ex
          .insert(s.ssoConfigs)
          .values({ ...values, orgId: scope.orgId })
          .returning();
    return saved!;
  },

  /** Stores a started sign-in (state, nonce, PKCE verifier, where to land). */
  async insertState(ex: Executor, scope: OrgScope, values: Omit<typeof s.ssoStates.$inferInsert, "orgId">) {
    await ex.insert(s.ssoStates).values({ ...values, orgId: scope.orgId });
  },

  /**
   * Erases the sign-ins started before `before` and never finished, in every organisation
   * (housekeeping: they can no longer be finished).
   */
  async deleteStatesBefore(ex: Executor, before: Date): Promise<void> {
    // unscoped: expired rows of every organisation; nobody can use them any more
    await ex.delete(s.ssoStates).where(lt(s.ssoStates.createdAt, before));
  },

  /**
   * Takes (deletes and returns) the started sign-in with this state, so it works once. Not
   * scoped: the state, a secret the browser brings back, is what names the organisation.
   */
  async takeState(ex: Executor, state: string): Promise<SsoStateRow | null> {
    // unscoped: the callback's secret state is how its organisation is found
    const [row] = await ex.delete(s.ssoStates).where(eq(s.ssoStates.state, state)).returning();
    return row ?? null;
  },

  /**
   * The person linked to this subject at the provider; else one whose `external_id` is the
   * subject and who is linked to none (a link made before `sso_subject` existed, or a provider
   * whose SCIM id is its OIDC subject). A linked, active person comes first.
   */
  async findBySubject(ex: Executor, scope: OrgScope, sub: string): Promise<UserRow | null> {
    const u = s.users;
    const rows = await ex
      .select()
      .from(u)
      .where(and(eq(u.orgId, scope.orgId), or(eq(u.ssoSubject, sub), and(eq(u.externalId, sub), isNull(u.ssoSubject)))))
      .orderBy(sql`${u.ssoSubject} is null`, sql`${u.active} desc`)
      .limit(1);
    return rows[0] ?? null;
  },

  /** Links a person to their subject at the provider. */
  async linkSubject(ex: Executor, scope: OrgScope, userId: string, sub: string): Promise<void> {
    await ex
      .update(s.users)
      .set({ ssoSubject: sub })
      .where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, userId)));
  },
};
