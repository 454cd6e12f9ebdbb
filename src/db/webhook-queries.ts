/**
 * Outbound webhooks (#13): the subscriptions (`webhooks`) and their delivery log
 * (`webhook_deliveries`). Every query names the organisation; the delivery queue is drained one
 * organisation at a time, each row claimed with `SKIP LOCKED`.
 */
import { and, arrayOverlaps, asc, desc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import { isId, tableRepository } from "./table-repository.js";

export type WebhookRow = typeof s.webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof s.webhookDeliveries.$inferSelect;
export type WebhookDeliveryInsert = Omit<typeof s.webhookDeliveries.$inferInsert, "orgId">;

/** get / find / list / insert / update (version + 1) / soft delete of subscriptions. */
export const webhookRepo = tableRepository(s.webhooks, "webhook");

export const webhookQueries = {
  /**
   * The organisation's active, live subscriptions to any of `events`: the one query a write
   * with something to announce makes (on `webhooks_org_idx`).
   */
  async subscribed(ex: Executor, scope: OrgScope, events: readonly string[]): Promise<WebhookRow[]> {
    const w = s.webhooks;
    if (events.length === 0) return [];
    return ex
      .select()
      .from(w)
      .where(
        and(eq(w.orgId, scope.orgId), isNull(w.deletedAt), eq(w.active, true), arrayOverlaps(w.events, [...events])),
      );
  },

  /** Subscriptions by id, deleted ones included (a delivery queued before a delete learns of it). */
  async anyByIds(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<WebhookRow[]> {
    const w = s.webhooks;
    const valid = [...new Set(ids.filter(isId))];
    if (valid.length === 0) return [];
    return ex
      .select()
      .from(w)
      .where(and(eq(w.orgId, scope.orgId), inArray(w.id, valid)));
  },

  async insertDeliveries(
    ex: Executor,
    scope: OrgScope,
    rows: readonly WebhookDeliveryInsert[],
  ): Promise<WebhookDeliveryRow[]> {
    if (rows.length === 0) return [];
    return ex
      .insert(s.webhookDeliveries)
      .values(rows.map((r) => ({ ...r, orgId: scope.orgId })))
      .returning();
  },

  async delivery(ex: Executor, scope: OrgScope, webhookId: string, id: string): Promise<WebhookDeliveryRow | null> {
    const d = s.webhookDeliveries;
    if (!isId(id) || !isId(webhookId)) return null;
    const [row] = await ex
      .select()
      .from(d)
      .where(and(eq(d.orgId, scope.orgId), eq(d.webhookId, webhookId), eq(d.id, id)));
    return row ?? null;
  },

  /**
   * One webhook's deliveries, newest first, after the keyset cursor (createdAt, id) when given
   * (on `webhook_deliveries_log_idx`). Each row comes with its instant as text to the
   * microsecond (`key`), so a cursor does not skip rows written in the same millisecond.
   */
  async page(
    ex: Executor,
    scope: OrgScope,
    webhookId: string,
    limit: number,
    after: { at: string; id: string } | null,
  ): Promise<{ row: WebhookDeliveryRow; key: string }[]> {
    const d = s.webhookDeliveries;
    return ex
      .select({ row: d, key: sql<string>`to_char(${d.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
      .from(d)
      .where(
        and(
          eq(d.orgId, scope.orgId),
          eq(d.webhookId, webhookId),
          after ? sql`(${d.createdAt}, ${d.id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
        ),
      )
      .orderBy(desc(d.createdAt), desc(d.id))
      .limit(limit);
  },

  /**
   * Claims up to `limit` due deliveries (pending with `next_attempt_at` reached, or a claim whose
   * lease ran out: a process that died while posting) in one statement that skips rows another
   * instance holds. A claimed row is `sending`, one attempt more, leased until `leaseUntil`.
   */
  async claimDue(
    ex: Executor,
    scope: OrgScope,
    limit: number,
    now: Date,
    leaseUntil: Date,
  ): Promise<WebhookDeliveryRow[]> {
    const d = s.webhookDeliveries;
    const due = ex
      .select({ id: d.id })
      .from(d)
      .where(
        and(eq(d.orgId, scope.orgId), or(eq(d.state, "pending"), eq(d.state, "sending")), lte(d.nextAttemptAt, now)),
      )
      .orderBy(asc(d.nextAttemptAt), asc(d.id))
      .limit(limit)
      .for("update", { skipLocked: true });
    return ex
      .update(d)
      .set({ state: "sending", attempts: sql`${d.attempts} + 1`, nextAttemptAt: leaseUntil })
      .where(and(eq(d.orgId, scope.orgId), inArray(d.id, due)))
      .returning();
  },

  /** Records how an attempt went. */
  async settle(
    ex: Executor,
    scope: OrgScope,
    id: string,
    result: {
      state: "sent" | "pending" | "failed";
      responseStatus: number | null;
      error: string | null;
      nextAttemptAt: Date;
      deliveredAt: Date | null;
    },
  ): Promise<void> {
    const d = s.webhookDeliveries;
    await ex
      .update(d)
      .set(result)
      .where(and(eq(d.orgId, scope.orgId), eq(d.id, id)));
  },
};
