/**
 * Queries about the instance rather than one organisation: the first start (bootstrap), the
 * command line's look-ups by email, and the list of organisations that instance-wide jobs
 * (recompute, the trash purge) go through one at a time. None is scoped by organisation,
 * because none starts from one; each says what it is for.
 */
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { UserRow } from "./repositories.js";
import * as s from "./schema.js";

export const instanceQueries = {
  /** Takes the instance's bootstrap lock for the rest of the transaction (two instances starting together). */
  async lockInstance(ex: Executor): Promise<void> {
    await ex.execute(sql`select pg_advisory_xact_lock(7007001)`);
  },

  /** Every organisation's id, oldest first. */
  /** The organisations with a background recompute asked for and not done (to resume at start). */
  async organizationsToRecompute(ex: Executor): Promise<string[]> {
    const rows = await ex
      .select({ id: s.organizations.id })
      .from(s.organizations)
      .where(isNotNull(s.organizations.recomputeRequestedAt));
    return rows.map((r) => r.id);
  },
  async organizationIds(ex: Executor): Promise<string[]> {
    const rows = await ex
      .select({ id: s.organizations.id })
      .from(s.organizations)
      .orderBy(asc(s.organizations.createdAt), asc(s.organizations.id));
    return rows.map((r) => r.id);
  },

  /** The instance administrator (the first one, should there be several), or null. */
  async firstInstanceAdmin(ex: Executor): Promise<UserRow | null> {
    // unscoped: the instance administrator is found before any organisation is chosen (bootstrap)
    const [row] = await ex.select().from(s.users).where(eq(s.users.isInstanceAdmin, true)).limit(1);
    return row ?? null;
  },

  /** The first active account with this email, or without one the first active instance administrator. */
  async firstActiveAccount(ex: Executor, email?: string): Promise<UserRow | null> {
    const u = s.users;
    // unscoped: the command line names an account by email, not by organisation
    const [row] = await ex
      .select()
      .from(u)
      .where(email ? and(eq(u.email, email), eq(u.active, true)) : and(eq(u.isInstanceAdmin, true), eq(u.active, true)))
      .limit(1);
    return row ?? null;
  },
};
