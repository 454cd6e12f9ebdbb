/**
 * Queues outbound webhook deliveries (#13) inside the write that causes them. `writeTransaction`
 * hands over what the write audited (check-ins created, objectives closed, comments created)
 * and the statuses its recomputation changed; this module finds the organisation's active
 * subscriptions to those events in one indexed query (none when there is nothing to announce)
 * and records one `webhook_deliveries` row per subscription and event — only for events about
 * an objective the subscription's creator may see at this moment (an inactive or removed
 * creator sees nothing). The rows are posted after the commit (`deliverWebhooks`).
 */
import { randomUUID } from "node:crypto";
import { notificationQueries } from "../db/notification-queries.js";
import { type KeyResultRow, keyResultRepo, type ObjectiveRow, objectiveRepo } from "../db/repositories.js";
import { type WebhookDeliveryInsert, webhookQueries } from "../db/webhook-queries.js";
import { createGuard } from "./access.js";
import type { Services, Transaction } from "./context.js";
import type { StatusChange } from "./evaluation.js";
import { deliverWebhooks } from "./webhook-delivery.js";

/** The events a webhook may subscribe to. */
export const WEBHOOK_EVENTS = ["checkIn.created", "status.changed", "objective.closed", "comment.created"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** True for an audited action that is also a webhook event. */
export function isWebhookEvent(action: string): action is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(action);
}

/** An audited change a webhook may announce: the action, its object and the audit's `after`. */
export interface Announced {
  event: WebhookEvent;
  objectType: string;
  objectId: string;
  after: unknown;
}

/** At most this many `status.changed` events per write (a settings change may move thousands). */
const MAX_STATUS_EVENTS = 1000;

/** What one delivery carries: its envelope's `data`, and the objective whose visibility gates it. */
interface Message {
  event: WebhookEvent;
  objectiveId: string;
  data: Record<string, unknown>;
}

/** The envelope posted to a receiver (kept whole in the delivery row, so a replay sends it again). */
export interface WebhookEnvelope {
  id: string;
  event: string;
  createdAt: string;
  organizationId: string;
  data: unknown;
}

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function objectiveBrief(o: ObjectiveRow) {
  return { id: o.id, title: o.title, level: o.level, teamId: o.teamId, periodId: o.periodId };
}

/**
 * Records the deliveries a write's events call for, in its transaction, and kicks their
 * delivery once it commits. Runs one query when the write announced anything, and a few more
 * only when some active subscription wants it.
 */
export async function queueWebhooks(
  svc: Services,
  t: Transaction,
  announced: readonly Announced[],
  statusChanges: readonly StatusChange[],
): Promise<void> {
  if (announced.length === 0 && statusChanges.length === 0) return;
  const events = new Set<string>(announced.map((a) => a.event));
  if (statusChanges.length > 0) events.add("status.changed");
  // Known from the write's first read: nothing subscribes to these events, so nothing to look up.
  if (t.webhookEvents && ![...events].some((e) => t.webhookEvents?.has(e))) return;
  const subscriptions = await webhookQueries.subscribed(t.tx, t.scope, [...events]);
  if (subscriptions.length === 0) return;
  const wanted = new Set(subscriptions.flatMap((s) => s.events));

  // The key results of the check-ins, then every objective the messages concern, in one query each.
  const checkIns = announced.filter((a) => a.event === "checkIn.created" && wanted.has(a.event));
  const krIds = [...new Set(checkIns.map((a) => str(rec(a.after).keyResultId)).filter((id) => id !== null))];
  const locked = new Map((t.locked?.keyResults ?? []).map((k) => [k.id, k]));
  const krs = new Map<string, KeyResultRow>(krIds.flatMap((id) => (locked.has(id) ? [[id, locked.get(id)!]] : [])));
  const missingKrs = krIds.filter((id) => !krs.has(id));
  if (missingKrs.length) for (const k of await keyResultRepo.listByIds(t.tx, t.scope, missingKrs)) krs.set(k.id, k);

  const pending: { event: WebhookEvent; objectiveId: string; build: (o: ObjectiveRow) => Record<string, unknown> }[] =
    [];
  for (const a of announced) {
    if (!wanted.has(a.event)) continue;
    const after = rec(a.after);
    if (a.event === "checkIn.created") {
      const kr = krs.get(str(after.keyResultId) ?? "");
      if (!kr) continue;
      pending.push({
        event: a.event,
        objectiveId: kr.objectiveId,
        build: (o) => ({
          checkIn: a.after,
          keyResult: { id: kr.id, title: kr.title, type: kr.type, unit: kr.unit, objectiveId: kr.objectiveId },
          objective: objectiveBrief(o),
        }),
      });
    } else if (a.event === "objective.closed") {
      pending.push({
        event: a.event,
        objectiveId: a.objectId,
        build: (o) => ({
          objective: {
            ...objectiveBrief(o),
            score: o.score,
            progress: o.progress,
            closedAt: str(rec(o.closing).closedAt),
          },
        }),
      });
    } else if (a.event === "comment.created") {
      const objectiveId = str(after.objectiveId);
      if (!objectiveId) continue;
      pending.push({
        event: a.event,
        objectiveId,
        build: (o) => ({
          comment: {
            id: after.id,
            objectType: after.objectType,
            objectId: after.objectId,
            objectiveId,
            author: after.author,
            body: after.body,
            createdAt: after.createdAt,
          },
          objective: objectiveBrief(o),
        }),
      });
    }
  }
  if (wanted.has("status.changed")) {
    for (const c of statusChanges.slice(0, MAX_STATUS_EVENTS)) {
      pending.push({
        event: "status.changed",
        objectiveId: c.objectiveId,
        build: (o) => ({
          objectType: c.objectType,
          id: c.id,
          title: c.title,
          from: c.from,
          to: c.to,
          progress: c.progress,
          objective: objectiveBrief(o),
        }),
      });
    }
  }
  if (pending.length === 0) return;

  const objectives = new Map(
    (await objectiveRepo.listByIds(t.tx, t.scope, [...new Set(pending.map((p) => p.objectiveId))])).map((o) => [
      o.id,
      o,
    ]),
  );
  const messages: Message[] = pending.flatMap((p) => {
    const o = objectives.get(p.objectiveId);
    return o ? [{ event: p.event, objectiveId: o.id, data: p.build(o) }] : [];
  });

  // Each subscription sees what its creator may see now: their role and place in the organisation.
  const creators = new Map(
    (
      await notificationQueries.recipients(
        t.tx,
        t.scope,
        subscriptions.map((s) => s.createdBy),
      )
    ).map((u) => [u.id, u]),
  );
  const rows: WebhookDeliveryInsert[] = [];
  const at = new Date(t.nowMs);
  for (const sub of subscriptions) {
    const creator = creators.get(sub.createdBy);
    if (!creator) continue;
    const sees = await createGuard(t.tx, t.scope, { userId: creator.id, role: creator.role }, t.org).seer();
    for (const m of messages) {
      if (!sub.events.includes(m.event)) continue;
      const o = objectives.get(m.objectiveId);
      if (!o || !sees(o)) continue;
      const id = randomUUID();
      const envelope: WebhookEnvelope = {
        id,
        event: m.event,
        createdAt: at.toISOString(),
        organizationId: t.scope.orgId,
        data: m.data,
      };
      rows.push({ id, webhookId: sub.id, event: m.event, payload: envelope, createdAt: at, nextAttemptAt: at });
    }
  }
  if (rows.length === 0) return;
  await webhookQueries.insertDeliveries(t.tx, t.scope, rows);
  t.afterCommit(() => {
    // Not awaited: the request answers now; the `webhooks` job retries what this misses.
    void deliverWebhooks(svc, t.scope.orgId).catch(() => {});
  });
}
