/**
 * Outbound webhook subscriptions (#13), for organisation owners and admins: create (the signing
 * secret is in that answer only), list, change, delete (soft), rotate the secret, read the
 * delivery log and replay a delivery. What is queued and how it is posted: `webhook-queue.ts`
 * and `webhook-delivery.ts`. The secret never leaves in a read and never enters the audit
 * trail; the URL is audited masked (it may carry a receiver's token).
 */
import net from "node:net";
import { z } from "zod";
import { notificationQueries } from "../db/notification-queries.js";
import { objectiveRepo } from "../db/repositories.js";
import { isId } from "../db/table-repository.js";
import { type WebhookDeliveryRow, type WebhookRow, webhookQueries, webhookRepo } from "../db/webhook-queries.js";
import { AppError } from "../domain/errors.js";
import { createGuard } from "./access.js";
import { maskWebhookUrl } from "./chat.js";
import { type Actor, checkVersion, mutate, read, type Services } from "./context.js";
import { isAllowedAddress } from "./outbound.js";
import { decodeCursor, encodeCursor } from "./pagination.js";
import { PageQuerySchema, parseInput } from "./schemas.js";
import { deliverWebhooks, generateWebhookSecret } from "./webhook-delivery.js";
import { WEBHOOK_EVENTS } from "./webhook-queue.js";

const EVENTS_MESSAGE = `must be a list of one or more of ${WEBHOOK_EVENTS.join(", ")}`;
const EventsSchema = z
  .array(z.enum(WEBHOOK_EVENTS, { message: `must be one of ${WEBHOOK_EVENTS.join(", ")}` }), {
    message: EVENTS_MESSAGE,
  })
  .min(1, EVENTS_MESSAGE)
  .max(WEBHOOK_EVENTS.length * 4, EVENTS_MESSAGE);
const UrlSchema = z.string().trim().min(1, "must not be empty").max(2000, "must be at most 2000 characters");
const DescriptionSchema = z.string().trim().max(500, "must be at most 500 characters");

export const WebhookCreateSchema = z.strictObject({
  url: UrlSchema,
  events: EventsSchema,
  description: DescriptionSchema.optional(),
  active: z.boolean().optional(),
});

export const WebhookUpdateSchema = z.strictObject({
  url: UrlSchema.optional(),
  events: EventsSchema.optional(),
  description: DescriptionSchema.optional(),
  active: z.boolean().optional(),
  version: z.number().int().positive("must be the version you read").optional(),
});

/** Host names that name the machine or its local network, whatever DNS says. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

/**
 * What is wrong with a webhook URL, as "field: message" lines (none: it is fine): an absolute
 * https URL (http too when the instance allows private URLs) without a user name or password;
 * unless private URLs are allowed, its host must not be a local name or a non-public IP address.
 * The address a name resolves to is checked again at each delivery (outbound.ts).
 */
export function webhookUrlProblems(field: string, raw: string, allowPrivate: boolean): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [`${field}: must be an absolute URL such as https://example.com/okra-webhook`];
  }
  const schemes = allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) {
    return [`${field}: must start with https://${allowPrivate ? " or http://" : ""}`];
  }
  if (url.username || url.password) return [`${field}: must not contain a user name or password`];
  if (url.hash) return [`${field}: must not contain a #fragment (it is never sent)`];
  if (allowPrivate) return [];
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (
    net.isIP(host) ? !isAllowedAddress(host, { allowPrivate: false }) : LOCAL_NAME.test(host) || !host.includes(".")
  ) {
    return [
      `${field}: must reach a public address; this server refuses local and private ones (an administrator of the instance can allow them with OKRA_ALLOW_PRIVATE_URLS)`,
    ];
  }
  return [];
}

const rec = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function presentWebhook(w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: [...w.events],
    description: w.description,
    active: w.active,
    createdBy: w.createdBy,
    version: w.version,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

/** The subscription as the audit trail keeps it: the URL masked, never the secret. */
function auditedWebhook(w: WebhookRow) {
  return { ...presentWebhook(w), url: maskWebhookUrl(w.url) };
}

function presentDelivery(d: WebhookDeliveryRow) {
  const state = d.state as "pending" | "sending" | "sent" | "failed";
  return {
    id: d.id,
    webhookId: d.webhookId,
    event: d.event,
    state,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    error: d.error,
    replayOf: d.replayOf,
    payload: d.payload,
    createdAt: d.createdAt.toISOString(),
    nextAttemptAt: state === "pending" || state === "sending" ? d.nextAttemptAt.toISOString() : null,
    deliveredAt: d.deliveredAt ? d.deliveredAt.toISOString() : null,
  };
}

/**
 * The input parsed, with the URL's problems (`webhookUrlProblems`) reported together with the
 * other fields' in one VALIDATION error.
 */
function parseWebhookInput<S extends typeof WebhookCreateSchema | typeof WebhookUpdateSchema>(
  schema: S,
  body: unknown,
  svc: Services,
): z.output<S> {
  const url = rec(body).url;
  const urlProblems =
    typeof url === "string" && url.trim() ? webhookUrlProblems("url", url.trim(), svc.allowPrivateUrls === true) : [];
  let input: z.output<S>;
  try {
    input = parseInput(schema, body) as z.output<S>;
  } catch (err) {
    if (err instanceof AppError && err.code === "VALIDATION" && Array.isArray(err.details) && urlProblems.length) {
      throw AppError.validation([...(err.details as string[]), ...urlProblems]);
    }
    throw err;
  }
  if (urlProblems.length) throw AppError.validation(urlProblems);
  return input;
}

/** The organisation's webhooks, oldest first (never their secrets). Owners and admins only. */
export async function listWebhooks(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    guard.assertAdmin("manage webhooks");
    return { items: (await webhookRepo.list(ex, scope)).map(presentWebhook) };
  });
}

/**
 * Creates a subscription; its deliveries carry only what the caller may see. Answers it with
 * its signing secret, which no later read shows. VALIDATION for a bad URL or event list.
 */
export async function createWebhook(svc: Services, actor: Actor, body: unknown) {
  const input = parseWebhookInput(WebhookCreateSchema, body, svc);
  return mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("manage webhooks");
    const secret = generateWebhookSecret();
    const row = await webhookRepo.insert(w.tx, w.scope, {
      url: input.url,
      secret,
      events: [...new Set(input.events)],
      description: input.description ?? "",
      active: input.active ?? true,
      createdBy: actor.userId,
    });
    await w.audit("webhook.created", "webhook", row.id, null, auditedWebhook(row));
    return { ...presentWebhook(row), secret };
  });
}

/** Changes a subscription's URL, events, description or active flag (409 on a stale `version`). */
export async function updateWebhook(svc: Services, actor: Actor, id: string, body: unknown, ifMatch?: number) {
  const input = parseWebhookInput(WebhookUpdateSchema, body, svc);
  return mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("manage webhooks");
    const row = await webhookRepo.get(w.tx, w.scope, id, { forUpdate: true });
    await checkVersion(input.version ?? ifMatch, row, () => presentWebhook(row));
    const updated = await webhookRepo.update(w.tx, w.scope, id, {
      ...(input.url !== undefined && { url: input.url }),
      ...(input.events !== undefined && { events: [...new Set(input.events)] }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.active !== undefined && { active: input.active }),
    });
    await w.audit("webhook.updated", "webhook", id, auditedWebhook(row), auditedWebhook(updated));
    return presentWebhook(updated);
  });
}

/** Deletes a subscription (soft: its log stays in the database; waiting deliveries fail). */
export async function deleteWebhook(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("manage webhooks");
    const row = await webhookRepo.get(w.tx, w.scope, id, { forUpdate: true });
    await webhookRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("webhook.deleted", "webhook", id, auditedWebhook(row), null);
  });
}

/** A new signing secret, in this answer only; the old one stops signing at once. */
export async function rotateWebhookSecret(svc: Services, actor: Actor, id: string) {
  return mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("manage webhooks");
    const row = await webhookRepo.get(w.tx, w.scope, id, { forUpdate: true });
    const secret = generateWebhookSecret();
    const updated = await webhookRepo.update(w.tx, w.scope, id, { secret });
    await w.audit("webhook.secretRotated", "webhook", id, auditedWebhook(row), auditedWebhook(updated));
    return { ...presentWebhook(updated), secret };
  });
}

/** One webhook's delivery log, newest first, a page at a time (keyset on the time and id). */
export async function listWebhookDeliveries(svc: Services, actor: Actor, id: string, query: unknown) {
  const q = parseInput(PageQuerySchema, query, "query");
  return read(svc, actor, async ({ ex, scope, guard }) => {
    guard.assertAdmin("manage webhooks");
    await webhookRepo.get(ex, scope, id);
    let after: { at: string; id: string } | null = null;
    if (q.cursor) {
      const [atIso, lastId] = decodeCursor(q.cursor).split("|");
      if (!atIso || !lastId || !isId(lastId) || Number.isNaN(Date.parse(atIso))) {
        throw AppError.validation(["cursor: is not a cursor this API gave out; pass nextCursor unchanged"]);
      }
      after = { at: atIso, id: lastId };
    }
    const limit = q.limit ?? 50;
    const rows = await webhookQueries.page(ex, scope, id, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => presentDelivery(r.row)),
      nextCursor: rows.length > limit && last ? encodeCursor(`${last.key}|${last.row.id}`) : null,
    };
  });
}

/**
 * Sends a delivery's message again as a new delivery (`replayOf` names the original; the message
 * keeps its id, so a receiver that already handled it can tell). Posted at once, after the commit.
 */
export async function replayWebhookDelivery(svc: Services, actor: Actor, id: string, deliveryId: string) {
  return mutate(svc, actor, async (w) => {
    w.guard.assertAdmin("manage webhooks");
    const hook = await webhookRepo.get(w.tx, w.scope, id);
    const original = await webhookQueries.delivery(w.tx, w.scope, hook.id, deliveryId);
    if (!original) throw AppError.notFound("webhook delivery", deliveryId);
    if (!hook.active) {
      throw new AppError(
        "CONFLICT",
        "This webhook is turned off; turn it on (active: true) before replaying a delivery.",
      );
    }
    // Sight is checked again: the creator may have lost sight of the objective since.
    const objectiveId = str(rec(rec(rec(original.payload).data).objective).id);
    const [creator] = await notificationQueries.recipients(w.tx, w.scope, [hook.createdBy]);
    const [objective] = objectiveId ? await objectiveRepo.listByIds(w.tx, w.scope, [objectiveId]) : [];
    const sees = creator
      ? await createGuard(w.tx, w.scope, { userId: creator.id, role: creator.role }, w.org).seer()
      : () => false;
    if (!objective || !sees(objective)) {
      throw new AppError(
        "CONFLICT",
        "This delivery cannot be replayed: its objective is gone, or the webhook's creator may no longer see it.",
      );
    }
    const at = new Date(w.nowMs);
    const [copy] = await webhookQueries.insertDeliveries(w.tx, w.scope, [
      {
        webhookId: hook.id,
        event: original.event,
        payload: original.payload,
        replayOf: original.id,
        createdAt: at,
        nextAttemptAt: at,
      },
    ]);
    if (!copy) throw new Error("the replayed delivery was not stored");
    await w.audit("webhookDelivery.replayed", "webhook", hook.id, null, { deliveryId: copy.id, replayOf: original.id });
    w.afterCommit(() => {
      void deliverWebhooks(svc, w.scope.orgId).catch(() => {});
    });
    return presentDelivery(copy);
  });
}
