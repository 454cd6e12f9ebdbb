/**
 * Data-linked key results (#13): a key result's own check-in tokens (`key_result_tokens`, hash
 * only) and the key results that read their value from a source (`key_results.source`).
 * Every query is scoped by organisation, except finding a token by its secret (which is how
 * its organisation is found).
 */
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import { isId } from "./table-repository.js";

export type KeyResultTokenRow = typeof s.keyResultTokens.$inferSelect;

/** A data-linked key result as the sync job reads it. */
export interface SourcedKeyResult {
  id: string;
  source: unknown;
  sourceState: unknown;
}

export const keyResultTokenQueries = {
  async insert(
    ex: Executor,
    scope: OrgScope,
    values: { keyResultId: string; name: string; tokenHash: string; createdBy: string; createdAt: Date },
  ): Promise<KeyResultTokenRow> {
    const [row] = await ex
      .insert(s.keyResultTokens)
      .values({ ...values, orgId: scope.orgId })
      .returning();
    return row!;
  },
  /** A key result's live tokens, newest first. */
  async liveOf(ex: Executor, scope: OrgScope, keyResultId: string): Promise<KeyResultTokenRow[]> {
    const t = s.keyResultTokens;
    return ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.keyResultId, keyResultId), isNull(t.revokedAt)))
      .orderBy(desc(t.createdAt), desc(t.id));
  },
  /** A live token of this key result, or null (also for a malformed id). */
  async findLive(ex: Executor, scope: OrgScope, keyResultId: string, id: string): Promise<KeyResultTokenRow | null> {
    if (!isId(id)) return null;
    const t = s.keyResultTokens;
    const [row] = await ex
      .select()
      .from(t)
      .where(and(eq(t.orgId, scope.orgId), eq(t.keyResultId, keyResultId), eq(t.id, id), isNull(t.revokedAt)));
    return row ?? null;
  },
  /** The live token with this secret's hash, or null. */
  async findLiveByHash(ex: Executor, tokenHash: string): Promise<KeyResultTokenRow | null> {
    const t = s.keyResultTokens;
    // unscoped: authentication by the bearer secret, which names the organisation
    const [row] = await ex
      .select()
      .from(t)
      .where(and(eq(t.tokenHash, tokenHash), isNull(t.revokedAt)))
      .limit(1);
    return row ?? null;
  },
  async revoke(ex: Executor, scope: OrgScope, id: string, at: Date): Promise<void> {
    const t = s.keyResultTokens;
    await ex
      .update(t)
      .set({ revokedAt: at })
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, id), isNull(t.revokedAt)));
  },
  /** Revokes every live token of these key results (they are being deleted); answers the revoked rows. */
  async revokeAllOf(ex: Executor, scope: OrgScope, keyResultIds: readonly string[], at: Date) {
    if (keyResultIds.length === 0) return [];
    const t = s.keyResultTokens;
    return ex
      .update(t)
      .set({ revokedAt: at })
      .where(and(eq(t.orgId, scope.orgId), inArray(t.keyResultId, [...keyResultIds]), isNull(t.revokedAt)))
      .returning({ id: t.id, keyResultId: t.keyResultId, name: t.name });
  },
  /** Records a use (bookkeeping, at most once a minute per token). */
  async touch(ex: Executor, scope: OrgScope, id: string, at: Date, stale: Date): Promise<void> {
    const t = s.keyResultTokens;
    await ex
      .update(t)
      .set({ lastUsedAt: at })
      .where(and(eq(t.orgId, scope.orgId), eq(t.id, id), or(isNull(t.lastUsedAt), lte(t.lastUsedAt, stale))));
  },
};

export const dataSourceQueries = {
  /**
   * One page of the organisation's live, open data-linked key results in open objectives,
   * by id after `afterId` (on `key_results_source_idx`); with `syncedBefore`, only those not
   * read since then (never read counts as due).
   */
  async page(
    ex: Executor,
    scope: OrgScope,
    afterId: string | null,
    limit: number,
    syncedBefore?: Date,
  ): Promise<SourcedKeyResult[]> {
    const k = s.keyResults;
    const o = s.objectives;
    return ex
      .select({ id: k.id, source: k.source, sourceState: k.sourceState })
      .from(k)
      .innerJoin(o, and(eq(o.orgId, k.orgId), eq(o.id, k.objectiveId)))
      .where(
        and(
          eq(k.orgId, scope.orgId),
          isNotNull(k.source),
          isNull(k.deletedAt),
          eq(k.closed, false),
          isNull(o.deletedAt),
          ne(o.state, "closed"),
          afterId ? gt(k.id, afterId) : undefined,
          syncedBefore
            ? sql`coalesce((${k.sourceState}->>'lastSyncAt')::timestamptz, '-infinity') < ${syncedBefore.toISOString()}::timestamptz`
            : undefined,
        ),
      )
      .orderBy(asc(k.id))
      .limit(limit);
  },
  /** Stores the outcome of a sync (bookkeeping: the value itself is a check-in). */
  async setState(ex: Executor, scope: OrgScope, id: string, state: unknown): Promise<void> {
    const k = s.keyResults;
    await ex
      .update(k)
      .set({ sourceState: sql`${JSON.stringify(state)}::jsonb` })
      .where(and(eq(k.orgId, scope.orgId), eq(k.id, id)));
  },
};
